from __future__ import annotations

import csv
from datetime import date

import pytest
import xlsxwriter

from sohoi.core.audit import AuditEvent
from sohoi.core.scoping import unit_scope
from sohoi.imports.bench_support import write_members_csv, write_members_xlsx
from sohoi.imports.tests.builders import encode_tcvn3
from sohoi.imports.values import PartialDate
from sohoi.members.importing import ImportReport, import_file, unit_name_core
from sohoi.members.models import EventKind, Membership, MembershipEvent, Person
from sohoi.members.person_data import PersonInput
from sohoi.members.services import MembershipInput, member_admit, member_update, person_restore
from sohoi.orgunits.models import UnitLevel
from sohoi.orgunits.services import orgunit_create

pytestmark = pytest.mark.django_db

HEADINGS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Ngày vào Hội"]


def write_csv(path, rows, headings=HEADINGS, encoding="utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        writer.writerows(rows)
    return path


def write_xlsx(path, sheets):
    """sheets: {name: [row, ...]} with the first row the headings."""
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
    book.close()
    return path


def branch(parent, name):
    with unit_scope(parent):
        return orgunit_create(parent=parent, name=name, level=UnitLevel.BRANCH, area=None, actor=None)


def run(path, unit, actor=None, **options) -> ImportReport:
    with unit_scope(unit):
        return import_file(path, unit=unit, actor=actor, **options)


ROWS = [
    [1, "Nguyễn Văn Hùng", "12/03/1950", "Nam", "001050001234", "0912345678", "2015"],
    [2, "Trần Thị Lan", "1955", "Nữ", "", "01626123456", "01/05/2016"],
    [3, "Lê Văn Tám", "1948", "Nam", "", "", ""],
]


def test_a_clean_csv_creates_people_memberships_and_joined_events(tree, dung, tmp_path):
    report = run(write_csv(tmp_path / "ds.csv", ROWS), tree.A1, dung)
    assert report.ok and report.written
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    hung = Membership.unscoped.select_related("person").get(person__full_name="Nguyễn Văn Hùng")
    assert hung.org_unit == tree.A1 and hung.joined_on == date(2015, 1, 1) and hung.joined_precision == "year"
    assert hung.unit_since == hung.joined_on
    assert hung.person.search_name == "nguyen van hung" and hung.person.birth_date == date(1950, 3, 12)
    assert hung.person.id_number == "001050001234" and hung.person.id_type == "cccd"
    assert hung.sort_key
    lan = Person.unscoped.get(full_name="Trần Thị Lan")
    assert lan.phone == "+84326123456" and lan.gender == "female"
    tam = Membership.unscoped.get(person__full_name="Lê Văn Tám")
    assert tam.joined_on == date(date.today().year, 1, 1) and tam.joined_precision == "year"
    assert any("Không có ngày vào hội" in w["message"] and w["row"] == 4 for w in report.warnings)
    events = MembershipEvent.unscoped.filter(kind=EventKind.JOINED, membership__org_unit=tree.A1)
    assert events.count() == 3 and {e.actor for e in events} == {dung}
    # No history rows for a bulk write: services record the baseline before the first change.
    assert not Person.history.exists() and not Membership.history.exists()
    event = AuditEvent.unscoped.get(action="member.imported")
    assert event.data["created"] == 3 and event.actor == dung and event.org_unit == tree.A1


def test_to_json_has_the_counts_and_the_issue_lists(tree, tmp_path):
    report = run(write_csv(tmp_path / "ds.csv", ROWS), tree.A1, dry_run=True)
    data = report.to_json()
    assert {"rows", "created", "updated", "unchanged", "duplicates", "errors", "warnings"} <= set(data)
    assert set(data["warnings"][0]) == {"sheet", "row", "column", "message"}


def test_a_dry_run_writes_nothing_but_counts_what_it_would_do(tree, tmp_path):
    report = run(write_csv(tmp_path / "ds.csv", ROWS), tree.A1, dry_run=True)
    assert report.created == 3 and not report.written
    assert Person.unscoped.count() == 0


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tree, tmp_path):
    path = write_csv(tmp_path / "ds.csv", ROWS)
    run(path, tree.A1)
    versions = list(Membership.unscoped.order_by("pk").values_list("version", flat=True))
    again = run(path, tree.A1)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Person.unscoped.count() == 3 and Membership.unscoped.count() == 3
    assert list(Membership.unscoped.order_by("pk").values_list("version", flat=True)) == versions


def test_a_changed_row_updates_the_member_and_bumps_its_version(tree, tmp_path):
    run(write_csv(tmp_path / "ds.csv", ROWS), tree.A1)
    changed = [list(row) for row in ROWS]
    changed[0][5] = "0987654321"
    report = run(write_csv(tmp_path / "ds2.csv", changed), tree.A1)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    hung = Membership.unscoped.select_related("person").get(person__full_name="Nguyễn Văn Hùng")
    assert hung.person.phone == "+84987654321" and hung.version == 2


def test_a_row_with_an_error_means_nothing_is_written(tree, tmp_path):
    rows = [*ROWS, [4, "Phạm Văn Bốn", "31/02/1950", "Nam", "", "", "2015"]]
    report = run(write_csv(tmp_path / "ds.csv", rows), tree.A1)
    assert not report.ok and not report.written
    assert report.errors[0]["row"] == 5 and report.errors[0]["column"] == "C"
    assert Person.unscoped.count() == 0 and Membership.unscoped.count() == 0


def test_duplicates_in_the_file_are_reported_and_created_once(tree, tmp_path):
    rows = [
        *ROWS,
        [4, "Nguyễn Văn Hùng Khác", "1951", "Nam", "001050001234", "", "2015"],  # same CCCD
        [5, "Lê Văn Tám", "1948", "Nam", "", "", ""],  # same name and year
        [6, "Lê Văn Tám", "1948", "Nam", "038048000111", "", ""],  # has a CCCD: same person as row 4
    ]
    report = run(write_csv(tmp_path / "ds.csv", rows), tree.A1)
    assert report.written and report.created == 3
    assert [(d["row"], d["first"]["row"]) for d in report.duplicates] == [(5, 2), (6, 4), (7, 4)]
    assert Person.unscoped.count() == 3


def test_two_people_with_the_same_name_and_different_ids_are_both_created(tree, tmp_path):
    rows = [
        [1, "Lê Văn Tám", "1948", "Nam", "038048000111", "", ""],
        [2, "Lê Văn Tám", "1948", "Nam", "038048000222", "", ""],
    ]
    report = run(write_csv(tmp_path / "ds.csv", rows), tree.A1)
    assert report.created == 2 and not report.duplicates


def test_people_already_in_the_register_are_matched_not_created_again(tree, tmp_path):
    with unit_scope(tree.A1):
        member_admit(
            unit=tree.A1,
            person=PersonInput(full_name="Lê Văn Tám", birth=PartialDate(1948), gender="male"),
            membership=MembershipInput(joined=PartialDate(2010)),
            actor=None,
        )
    report = run(write_csv(tmp_path / "ds.csv", ROWS), tree.A1)
    assert report.created == 2 and report.unchanged == 1
    assert Person.unscoped.filter(full_name="Lê Văn Tám").count() == 1


def test_a_member_of_a_unit_outside_the_import_is_a_duplicate_not_a_second_membership(tree, tmp_path):
    with unit_scope(tree.B1):
        member_admit(
            unit=tree.B1,
            person=PersonInput(
                full_name="Nguyễn Văn Hùng", birth=PartialDate(1950), id_number="001050001234"
            ),
            membership=MembershipInput(joined=PartialDate(2010)),
            actor=None,
            confirmed_warnings=True,
        )
    report = run(write_csv(tmp_path / "ds.csv", ROWS), tree.A1)
    assert report.created == 2 and report.duplicates[0]["row"] == 2
    assert Membership.unscoped.count() == 3


def test_the_file_reports_of_unreadable_files(tree, tmp_path):
    not_a_sheet = tmp_path / "anh.xlsx"
    not_a_sheet.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    empty = tmp_path / "trong.csv"
    empty.write_bytes(b"")
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    for path in (not_a_sheet, empty, broken):
        report = run(path, tree.A1)
        assert report.file_error and not report.written, path
    big = write_csv(tmp_path / "to.csv", ROWS)
    report = run(big, tree.A1, max_bytes=10)
    assert report.file_error and "MB" in report.file_error
    assert Person.unscoped.count() == 0


def test_a_file_without_a_name_column_is_not_a_member_list(tree, tmp_path):
    path = write_csv(tmp_path / "x.csv", [["a", "b"]], headings=["Mặt hàng", "Giá"])
    report = run(path, tree.A1)
    assert "không phải danh sách hội viên" in report.file_error


def test_a_sheet_without_a_name_column_is_reported_beside_the_usable_ones(tree, tmp_path):
    path = write_xlsx(
        tmp_path / "ds.xlsx",
        {"Tổng hợp": [["Chỉ tiêu", "Số lượng"], ["Hội viên", 3]], "Danh sách": [HEADINGS, *ROWS]},
    )
    report = run(path, tree.A1)
    assert report.written and report.created == 3
    assert report.sheets[0]["error"] and report.sheets[1]["error"] is None


def test_sheets_go_to_the_chi_hoi_of_the_same_name(tree, tmp_path):
    dong = branch(tree.A1, "Chi hội thôn Đông")
    tay = branch(tree.A1, "Chi hội thôn Tây")
    path = write_xlsx(
        tmp_path / "ds.xlsx",
        {"Thôn Đông": [HEADINGS, ROWS[0]], "Tây": [HEADINGS, ROWS[1]], "Sheet3": [HEADINGS, ROWS[2]]},
    )
    report = run(path, tree.A1)
    assert [s["unit"] for s in report.sheets] == [dong.code, tay.code, tree.A1.code]
    units = dict(Membership.unscoped.values_list("person__full_name", "org_unit"))
    assert units == {"Nguyễn Văn Hùng": dong.pk, "Trần Thị Lan": tay.pk, "Lê Văn Tám": tree.A1.pk}


def test_sheet_units_override_the_match_by_name(tree, tmp_path):
    tay = branch(tree.A1, "Chi hội thôn Tây")
    path = write_xlsx(tmp_path / "ds.xlsx", {"Thôn Đông": [HEADINGS, ROWS[0]]})
    report = run(path, tree.A1, sheet_units={"Thôn Đông": tay.code})
    assert report.sheets[0]["unit"] == tay.code
    assert Membership.unscoped.get().org_unit == tay


def test_a_chi_hoi_column_picks_the_unit_of_each_row(tree, tmp_path):
    dong = branch(tree.A1, "Chi hội thôn Đông")
    rows = [[*ROWS[0], "Đông"], [*ROWS[1], "Chi hội xóm Lạ"]]
    path = write_csv(tmp_path / "ds.csv", rows, headings=[*HEADINGS, "Chi hội"])
    report = run(path, tree.A1)
    units = dict(Membership.unscoped.values_list("person__full_name", "org_unit"))
    assert units == {"Nguyễn Văn Hùng": dong.pk, "Trần Thị Lan": tree.A1.pk}
    assert any("xóm Lạ" in w["message"] for w in report.warnings)


def test_unit_names_match_without_their_kind_words():
    assert (
        unit_name_core("Chi hội thôn Đông") == unit_name_core("Thôn Đông") == unit_name_core("Đông") == "dong"
    )


def test_a_tcvn3_csv_is_converted(tree, tmp_path):
    rows = [[1, encode_tcvn3("Nguyễn Văn Hùng"), "1950", encode_tcvn3("Nam"), "", "", "2015"]] * 1
    rows += [[n, encode_tcvn3(name), "1950", "", "", "", "2015"] for n, name in
             enumerate(["Trần Thị Lan", "Lê Văn Tám", "Phạm Thị Hường", "Đỗ Văn Được"], start=2)]  # fmt: skip
    headings = [encode_tcvn3(heading) for heading in HEADINGS]
    path = write_csv(tmp_path / "tcvn3.csv", rows, headings=headings, encoding="cp1252")
    report = run(path, tree.A1)
    assert report.written
    assert set(Person.unscoped.values_list("full_name", flat=True)) >= {"Nguyễn Văn Hùng", "Đỗ Văn Được"}


def test_the_classic_nam_nu_form_gives_the_sex(tree, tmp_path):
    path = write_members_xlsx(tmp_path / "classic.xlsx", 30)
    report = run(path, tree.A1)
    assert report.written and report.created + report.duplicate_count == 30
    assert set(Person.unscoped.values_list("gender", flat=True)) == {"male", "female"}


def test_progress_is_reported_per_batch_as_the_rows_are_read(tree, tmp_path, monkeypatch):
    monkeypatch.setattr("sohoi.members.importing.BATCH_SIZE", 20)
    calls = []
    path = write_members_csv(tmp_path / "m.csv", 50)
    report = run(path, tree.A1, progress=lambda done, total: calls.append((done, total)))
    assert report.written and len(calls) >= 3
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
    assert calls[-1] == (report.rows, None)


def test_an_imported_members_first_edit_shows_what_it_changed_and_can_be_undone(tree, dung, tmp_path):
    run(write_csv(tmp_path / "ds.csv", ROWS[:1]), tree.A1, dung)
    membership = Membership.unscoped.select_related("person").get()
    person = membership.person
    with unit_scope(tree.A1):
        member_update(
            membership=membership,
            person_data=PersonInput(
                full_name=person.full_name, birth=PartialDate(1950, 3, 12), gender=person.gender,
                id_number=person.id_number, phone="0987654321",
            ),
            membership_data=MembershipInput(joined=PartialDate(2015)),
            expected_version=membership.version,
            actor=dung,
        )  # fmt: skip
    baseline, change = person.history.order_by("history_date", "history_id")
    assert baseline.history_date == person.created_at and baseline.history_user is None
    assert [item.field for item in change.diff_against(baseline).changes] == ["phone"]
    assert baseline.phone == "+84912345678" and change.phone == "+84987654321"
    assert membership.history.count() == 2
    membership.refresh_from_db()
    with unit_scope(tree.A1):
        person_restore(
            membership=membership,
            history_id=baseline.history_id,
            actor=dung,
            expected_version=membership.version,
        )
    person.refresh_from_db()
    assert person.phone == "+84912345678"


def test_a_failed_import_writes_nothing_even_after_clean_batches(tree, tmp_path, monkeypatch):
    monkeypatch.setattr("sohoi.members.importing.BATCH_SIZE", 2)
    rows = [*ROWS, [4, "Phạm Văn Sai", "1950", "Nam", "", "", "01/01/2090"]]
    report = run(write_csv(tmp_path / "ds.csv", rows), tree.A1)
    assert not report.written and report.error_count == 1 and report.created == 3
    assert not Person.unscoped.exists() and not MembershipEvent.unscoped.exists()


def test_a_row_matching_a_member_written_earlier_in_the_same_import_is_not_an_update(
    tree, tmp_path, monkeypatch
):
    monkeypatch.setattr("sohoi.members.importing.BATCH_SIZE", 1)
    b1 = branch(tree.A1, "Chi hội thôn Đông")
    headings = [*HEADINGS, "Chi hội"]
    rows = [[*ROWS[0], ""], [*ROWS[2], ""], [5, "Lê Văn Tám", "1948", "Nam", "", "", "", "Thôn Đông"]]
    report = run(write_csv(tmp_path / "ds.csv", rows, headings=headings), tree.A1)
    assert report.written and (report.created, report.updated) == (3, 0)
    assert Membership.unscoped.filter(org_unit=b1).count() == 1


def test_a_member_number_already_given_to_someone_else_is_an_error(tree, tmp_path):
    headings = [*HEADINGS, "Mã hội viên"]
    run(write_csv(tmp_path / "a.csv", [[*ROWS[0], "HV01"]], headings=headings), tree.A1)
    report = run(write_csv(tmp_path / "b.csv", [[*ROWS[1], "HV01"]], headings=headings), tree.A1)
    assert not report.written and "HV01" in report.errors[0]["message"]


def test_the_import_refuses_a_unit_outside_the_scope(tree, tmp_path):
    from sohoi.core.errors import UnitNotFoundError

    with unit_scope(tree.B), pytest.raises(UnitNotFoundError):
        import_file(write_csv(tmp_path / "ds.csv", ROWS), unit=tree.A1, actor=None)


def test_a_member_below_the_age_rule_is_a_warning_not_an_error(tree, tmp_path):
    rows = [[1, "Đỗ Văn Trẻ", "1990", "Nam", "", "", "2020"]]
    report = run(write_csv(tmp_path / "ds.csv", rows), tree.A1)
    assert report.written and report.created == 1
    assert any("tuổi" in w["message"] and w["column"] == "C" for w in report.warnings)


def test_a_sheet_sent_to_a_unit_outside_the_import_is_an_error(tree, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", {"Thôn Đông": [HEADINGS, ROWS[0]]})
    report = run(path, tree.A1, sheet_units={"Thôn Đông": tree.B1.code})
    assert report.error_count == 1 and not report.written and report.sheets[0]["error"]
    assert not Membership.unscoped.exists()


def test_every_batch_asks_the_register_with_the_same_statements(tree, tmp_path, monkeypatch):
    """SQLite keeps the last hundred statements it prepared: an IN (?, ?, …) per batch length made
    a long import into a large register grow by 70 MB. The batches' look-ups must read the same."""
    from django.db import connection

    path = write_members_csv(tmp_path / "m.csv", 90)
    run(path, tree.A1)  # the second run matches every row: every look-up runs
    monkeypatch.setattr("sohoi.members.importing.BATCH_SIZE", 7)  # 12 full batches and one of 6
    statements: list[str] = []

    def record(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        statements.append(sql)  # the text the driver prepares, before its parameters
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        again = run(path, tree.A1)
    assert again.unchanged == again.rows - again.duplicate_count and again.created == 0
    lookups = [sql for sql in statements if "members_person" in sql and sql.startswith("SELECT")]
    assert len(lookups) >= 13 * 2
    if connection.vendor == "sqlite":
        assert len(set(lookups)) <= 6, sorted(set(lookups))


def test_an_insert_that_fails_beside_the_reading_rolls_everything_back(tree, tmp_path, monkeypatch):
    """The inserts run in a thread beside the reading of the next batch: a unique clash there
    (someone admitted these people meanwhile) still reaches the user as a conflict, and every
    batch written before it is undone."""
    import sohoi.members.importing as importing

    run(write_csv(tmp_path / "one.csv", ROWS[:1]), tree.A1)
    taken = Membership.unscoped.get().code
    people_before = Person.unscoped.count()
    real_codes = importing._new_codes
    calls = []

    def clashing_codes(count):
        calls.append(count)
        codes = real_codes(count)
        return [taken, *codes[1:]] if len(calls) == 2 else codes  # the second batch clashes

    monkeypatch.setattr(importing, "_new_codes", clashing_codes)
    monkeypatch.setattr(importing, "BATCH_SIZE", 10)
    report = run(write_members_csv(tmp_path / "m.csv", 40), tree.A1)
    assert len(calls) == 2 and not report.written
    assert "vừa được thêm vào sổ" in report.file_error and "chạy lại" in report.file_error
    assert Person.unscoped.count() == people_before and Membership.unscoped.count() == 1
