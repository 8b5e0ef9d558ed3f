"""The Excel export: the classic form, streamed, read back by the importer's parser unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django_scopes import scopes_disabled

from sohoi.core.models import AuditEvent
from sohoi.core.scoping import unit_scope
from sohoi.imports.headers import BIRTH_BY_GENDER, FEMALE, MALE, map_heading
from sohoi.imports.readers import open_spreadsheet
from sohoi.imports.rows import parse_file
from sohoi.imports.values import PartialDate
from sohoi.members.exporting import (
    BIRTH_GROUP,
    COLUMNS,
    export_members_xlsx,
    filters_as_query,
    filters_from_querydict,
)
from sohoi.members.models import Membership, Person
from sohoi.members.person_data import PersonInput
from sohoi.members.selectors import MemberFilters
from sohoi.members.services import MembershipInput, member_admit, member_leave
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme

# Every Vietnamese tone on every kind of vowel, đ, and names of the minorities.
PEOPLE = [
    dict(full_name="Nguyễn Văn Ẩn", birth=PartialDate(1950, 3, 5), gender="male",
         id_number="001050000123", phone="+84912345678"),
    dict(full_name="Trần Thị Hoà Ỹ", birth=PartialDate(1948, 11), gender="female",
         id_number="024148000456", phone="0388123456"),
    dict(full_name="Lê Đức Hưởng", birth=PartialDate(1940), gender="male", id_number="123456789",
         phone="+84 86 555 0101"),
    dict(full_name="Phạm Thị Ngữ Ước", birth=PartialDate(1955, 1, 31), gender="female", id_number="",
         phone=""),
    dict(full_name="Đặng Thuỳ Dương Ửng", birth=PartialDate(1962, 7), gender="female",
         id_number="079162000789", phone="0977000111"),
    dict(full_name="Hoàng Quý Toản", birth=PartialDate(1931), gender="male", id_number="", phone="0862000222"),
]  # fmt: skip
ADDRESSES = ["Số 5, ngõ 12, đường Lê Lợi", "", "Xóm Chợ, cạnh đình làng", "", "Tổ 3", "Khu tập thể A"]
ETHNICITIES = ["Kinh", "Tày", "", "Khmer", "Ê Đê", "Kinh"]


@pytest.fixture
def hamlets(db):
    province = Area.objects.add_root(
        instance=Area(scheme=AreaScheme.FROM_2025, level=AreaLevel.PROVINCE, code="98", name="Tỉnh Thử")
    )
    commune = Area.objects.add_child(
        province, instance=Area(parent=province, scheme=AreaScheme.FROM_2025, level=AreaLevel.COMMUNE,
                                code="98001", name="Xã An Phú")
    )  # fmt: skip
    commune = Area.objects.get(pk=commune.pk)
    made = []
    for index, name in enumerate(["Thôn Đông", "Thôn Tây"]):
        commune = Area.objects.get(pk=commune.pk)
        made.append(
            Area.objects.add_child(
                commune, instance=Area(parent=commune, scheme=AreaScheme.FROM_2025, level=AreaLevel.HAMLET,
                                       code=f"98001{index}", name=name)
            )
        )  # fmt: skip
    return commune, made


@pytest.fixture
def register(tree, hamlets):
    """The six people above, members of A1 (under A), with hamlets, addresses, numbers."""
    commune, hamlet_list = hamlets
    rows = []
    with unit_scope(tree.A1):
        for index, person in enumerate(PEOPLE):
            membership, _warnings = member_admit(
                unit=tree.A1,
                person=PersonInput(**person, address=ADDRESSES[index], ethnicity=ETHNICITIES[index],
                                   area_id=commune.pk, hamlet_id=hamlet_list[index % 2].pk,
                                   note="Chủ tịch chi hội" if index == 0 else ""),
                membership=MembershipInput(
                    joined=[PartialDate(2020, 5, 19), PartialDate(2018), PartialDate(2021, 9)][index % 3],
                    member_number=f"A1-{index + 1:04d}", card_number=f"0{index + 1:05d}" if index % 2 else "",
                ),
                actor=None,
                confirmed_warnings=True,
                exception_reason="Tích cực tham gia công tác Hội",
            )  # fmt: skip
            rows.append(membership)
    return rows


def _export(unit, path: Path, filters: MemberFilters | None = None, **kwargs) -> int:
    with unit_scope(unit):
        return export_members_xlsx(unit=unit, filters=filters or MemberFilters(), path=path, **kwargs)


def _parsed(path: Path) -> list:
    sheets = list(parse_file(path))
    assert len(sheets) == 1 and sheets[0].error is None
    return list(sheets[0].rows)


def test_every_heading_of_the_export_maps_back_to_its_field():
    fields = [map_heading(name) for name, _width in COLUMNS]
    assert fields == ["row_number", "full_name", MALE, FEMALE, "cccd", "phone", "address",
                      "ethnicity", "joined", "card_number", "member_number", "branch", "note"]  # fmt: skip
    assert map_heading(BIRTH_GROUP) == "birth"


def test_an_export_parses_back_with_the_same_values(register, tree, tmp_path):
    path = tmp_path / "a.xlsx"

    written = _export(tree.A, path)

    assert written == len(PEOPLE)
    sheet = next(iter(parse_file(path)))
    assert sheet.mapping.birth_by_gender is not None
    assert BIRTH_BY_GENDER in sheet.mapping.as_dict()
    rows = list(sheet.rows)
    assert [row.issues for row in rows if row.has_errors] == []
    with scopes_disabled():
        people = {m.person.full_name: (m, m.person) for m in Membership.objects.select_related("person",
                                                                                                "person__hamlet")}  # fmt: skip
    assert sorted(row.full_name for row in rows) == sorted(people)
    for row in rows:
        membership, person = people[row.full_name]
        source = next(p for p in PEOPLE if p["full_name"] == row.full_name)
        assert row.birth == source["birth"]
        assert row.gender == person.gender
        assert (row.cccd or "") == person.id_number
        assert row.id_type == (person.id_type or None)
        assert (row.phone or "") == person.phone
        assert row.hamlet is None  # not exported (the importer would add it to the address)
        assert (row.address or "") == person.address
        assert (row.ethnicity or "") == person.ethnicity
        assert row.joined.to_date() == membership.joined_on
        assert row.joined.precision == membership.joined_precision
        assert (row.card_number or "") == membership.card_number
        assert row.member_number == membership.member_number
        assert row.branch == tree.A1.name
        assert (row.note or "") == person.note


def test_ids_and_phones_are_written_as_text_and_the_title_rows_come_first(register, tree, tmp_path):
    path = tmp_path / "a.xlsx"
    _export(tree.A, path)

    with open_spreadsheet(path) as book:
        rows = [list(row) for sheet in book.sheets() for row in sheet.rows]

    assert rows[0][0] == "HỘI NGƯỜI CAO TUỔI VIỆT NAM" or rows[0][0] == tree.association.name.upper()
    assert rows[1][0] == tree.A.name
    assert rows[2][0] == "DANH SÁCH HỘI VIÊN"
    assert rows[3][0].startswith("Ngày ")
    data = rows[7:]
    ids = [row[4] for row in data if row[4] != ""]
    phones = [row[5] for row in data if row[5] != ""]
    assert all(isinstance(value, str) for value in ids + phones)
    assert "001050000123" in ids and "123456789" in ids
    assert "0912345678" in phones


def test_the_birth_is_written_in_the_column_of_the_persons_gender(register, tree, tmp_path):
    path = tmp_path / "a.xlsx"
    _export(tree.A, path)

    with open_spreadsheet(path) as book:
        rows = {row[1]: row for sheet in book.sheets() for row in list(sheet.rows)[7:]}

    assert rows["Nguyễn Văn Ẩn"][2:4] == ["05/03/1950", ""]
    assert rows["Trần Thị Hoà Ỹ"][2:4] == ["", "11/1948"]
    assert rows["Lê Đức Hưởng"][2:4] == ["1940", ""]


def test_sensitive_fields_are_never_exported(register, tree, tmp_path):
    with scopes_disabled():
        Person.objects.update(
            religion="Phật giáo Hoà Hảo", health_note="Tiểu đường", policy_status="Thương binh"
        )
    path = tmp_path / "a.xlsx"
    _export(tree.A, path)

    with open_spreadsheet(path) as book:
        cells = {str(cell) for sheet in book.sheets() for row in sheet.rows for cell in row}

    assert not {"Phật giáo Hoà Hảo", "Tiểu đường", "Thương binh"} & cells


def test_a_masked_export_hides_the_middle_of_ids_and_phones(register, tree, tmp_path):
    path = tmp_path / "a.xlsx"
    _export(tree.A, path, full_ids=False)

    with open_spreadsheet(path) as book:
        cells = {str(cell) for sheet in book.sheets() for row in sheet.rows for cell in row}

    assert "001050000123" not in cells and "0010******23" in cells
    assert "0912345678" not in cells and "091****678" in cells


def test_the_export_follows_the_filters_and_the_scope(register, tree, tmp_path):
    with unit_scope(tree.A1):
        member_leave(membership=register[0], on=date(2024, 1, 1), reason="Chuyển đi nơi khác", actor=None)

    assert _export(tree.A, tmp_path / "active.xlsx") == len(PEOPLE) - 1
    assert _export(tree.A, tmp_path / "all.xlsx", MemberFilters(status="")) == len(PEOPLE)
    assert _export(tree.A, tmp_path / "women.xlsx", MemberFilters(gender="female")) == 3
    assert _export(tree.B, tmp_path / "b.xlsx") == 0
    assert _parsed(tmp_path / "b.xlsx") == []


def test_progress_is_reported_with_the_final_count(register, tree, tmp_path):
    seen: list[int] = []
    _export(tree.A, tmp_path / "a.xlsx", progress=seen.append)
    assert seen[-1] == len(PEOPLE)


def test_the_list_filters_are_read_from_a_query_string_and_nonsense_is_ignored():
    filters = filters_from_querydict(
        QueryDict("q=+Hùng+&status=left&gender=female&age_band=70_79&birth_year=1950&join_year=2010&area=12")
    )
    assert filters == MemberFilters(q="Hùng", status="left", gender="female", age_band="70_79",
                                    birth_year=1950, join_year=2010, area_id=12)  # fmt: skip
    assert filters_from_querydict(QueryDict("")) == MemberFilters()
    assert filters_from_querydict(QueryDict("status=all")).status == ""
    odd = filters_from_querydict(QueryDict("status=x&gender=3&age_band=old&birth_year=19x0&area=-1"))
    assert odd == MemberFilters(status="")
    assert filters_from_querydict(filters_as_query(filters)) == filters
    assert filters_from_querydict(filters_as_query(MemberFilters(status=""))).status == ""


def test_the_command_exports_a_unit_and_records_it_without_an_actor(register, tree, tmp_path, capsys):
    path = tmp_path / "cli.xlsx"

    call_command("export_members", "--unit", tree.A.code, str(path))

    assert "6" in capsys.readouterr().out
    assert len(_parsed(path)) == len(PEOPLE)
    with scopes_disabled():
        event = AuditEvent.unscoped.get(action="member.exported")
    assert (event.actor, event.org_unit_id, event.data["count"]) == (None, tree.A.pk, len(PEOPLE))


def test_the_command_refuses_an_unknown_unit_with_exit_status_2(db, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("export_members", "--unit", "khongco", str(tmp_path / "x.xlsx"))
    assert error.value.returncode == 2
    assert "khongco" in str(error.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_reimporting_an_export_into_the_same_register_changes_nothing(register, tree, tmp_path):
    importing = pytest.importorskip("sohoi.members.importing")
    if not hasattr(importing, "import_file"):
        pytest.skip("the importer is not there yet")
    path = tmp_path / "a.xlsx"
    _export(tree.A1, path)

    with unit_scope(tree.A1):
        report = importing.import_file(path, unit=tree.A1, actor=None, dry_run=True)

    assert report.file_error is None and report.errors == []
    assert (report.rows, report.unchanged, report.created, report.updated) == (len(PEOPLE), len(PEOPLE), 0, 0)
