"""The forms of the report pages: the narrative of the year (versions and conflicts), targets (the
unit's own, handed down and read only, handing down to the children), the area's population and
the letterhead. Bad input gets a Vietnamese message and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from sohoi.core.models import AuditEvent
from sohoi.core.scoping import unit_scope
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme, OrgUnit
from sohoi.reports import services
from sohoi.reports.models import AreaPopulation, Letterhead, Target, YearReport
from sohoi.reports.services import YearReportInput
from sohoi.web.tests.test_report_pages import text_of

pytestmark = pytest.mark.django_db

YEAR = 2025


def url(name, unit, *args):
    return reverse(f"reports:{name}", args=[unit.code, *args])


def page(response) -> str:
    assert response.status_code == 200, (response.status_code, response.content[:800])
    return response.content.decode()


def written() -> dict:
    """Everything the report forms write (and their audit rows)."""
    with scopes_disabled():
        return {
            "targets": sorted(Target.objects.values_list("org_unit_id", "indicator", "value", "set_by_id")),
            "reports": sorted(
                YearReport.objects.values_list("org_unit_id", "year", "version", "achievements")
            ),
            "population": sorted(
                AreaPopulation.objects.values_list("area_id", "year", "aged_60_plus", "total")
            ),
            "letterheads": sorted(Letterhead.objects.values_list("org_unit_id", "issuer")),
            "audit": AuditEvent.unscoped.filter(action__startswith="reports.").count(),
        }


def targets_of(unit, year=YEAR) -> dict:
    with scopes_disabled():
        return {t.indicator: (t.value, t.set_by_id) for t in Target.objects.filter(org_unit=unit, year=year)}


@pytest.fixture
def commune_area(db):
    province = Area.objects.add_root(
        instance=Area(
            scheme=AreaScheme.FROM_2025, level=AreaLevel.PROVINCE, code="51", name="Tỉnh Quảng Ngãi"
        )
    )
    return Area.objects.add_child(
        province,
        instance=Area(parent=province, scheme=AreaScheme.FROM_2025, level=AreaLevel.COMMUNE, code="21580",
                      name="Phường Cẩm Thành"),
    )  # fmt: skip


def with_area(unit, area):
    with scopes_disabled():
        OrgUnit.unscoped.filter(pk=unit.pk).update(area=area)


# ---------- The narrative of the year ----------

NARRATIVE = {
    "version": "0",
    "number": "15/BC-NCT",
    "place": "Cẩm Thành",
    "issued_on": "05/12/2025",
    "cut_off": "30/09/2025",
    "achievements": "Kết nạp 120 hội viên mới.\r\n\r\nTổ chức mừng thọ cho 300 cụ.",
    "directions": "Phấn đấu tỷ lệ tập hợp trên 95 %.",
    "signer_authority": "TM. BAN CHẤP HÀNH",
    "signer_title": "CHỦ TỊCH",
    "signer_name": "Nguyễn Văn An",
}


def test_the_narrative_is_saved_with_its_version_and_shown_again(tree, dung, client_for):
    client = client_for(dung)
    form = page(client.get(url("narrative", tree.A, YEAR)))
    assert 'name="version" value="0"' in form and "<textarea" in form
    response = client.post(url("narrative", tree.A, YEAR), NARRATIVE)
    assert response.status_code == 302 and response["Location"] == url("year", tree.A, YEAR)
    with scopes_disabled():
        report = YearReport.objects.get(org_unit=tree.A, year=YEAR)
    assert (report.version, report.number, report.cut_off) == (1, "15/BC-NCT", date(2025, 9, 30))
    assert report.issued_on == date(2025, 12, 5)
    assert (
        report.achievements == "Kết nạp 120 hội viên mới.\n\nTổ chức mừng thọ cho 300 cụ."
    )  # paragraphs kept
    again = page(client.get(url("narrative", tree.A, YEAR)))
    assert 'name="version" value="1"' in again and "Tổ chức mừng thọ cho 300 cụ." in again
    assert (
        client.post(
            url("narrative", tree.A, YEAR), {**NARRATIVE, "version": "1", "number": "16/BC-NCT"}
        ).status_code
        == 302
    )
    with scopes_disabled():
        assert YearReport.objects.get(org_unit=tree.A, year=YEAR).version == 2
    # The report page now counts to the cut-off day.
    assert "30/09/2025" in page(client.get(url("year", tree.A, YEAR)))


def test_a_stale_version_keeps_the_typed_text_shows_theirs_and_writes_nothing(tree, chi, dung, client_for):
    with unit_scope(tree.A):
        services.year_report_save(unit=tree.A, year=YEAR, data=YearReportInput(achievements="Bản của chị Chi."),
                                  version=None, actor=chi)  # fmt: skip
    before = written()
    client = client_for(dung)
    mine = {**NARRATIVE, "version": "0", "achievements": "Bản của anh Dũng, viết cả buổi sáng."}
    html = page(client.post(url("narrative", tree.A, YEAR), mine))
    assert "Báo cáo vừa được người khác lưu trong lúc bạn soạn." in html
    assert "Bản của anh Dũng, viết cả buổi sáng." in html  # the typed text is still in the form
    assert "Bản của chị Chi." in html  # beside what the other person saved
    assert written() == before
    # The form now carries the newer version: saving again (knowingly) replaces it.
    assert 'name="version" value="1"' in html
    assert client.post(url("narrative", tree.A, YEAR), {**mine, "version": "1"}).status_code == 302
    with scopes_disabled():
        assert YearReport.objects.get(org_unit=tree.A, year=YEAR).achievements.startswith("Bản của anh Dũng")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"version": ""}, "Trang này đã cũ"),
        ({"cut_off": "30/09/2023"}, "Ngày tính số liệu phải thuộc năm 2025"),
        ({"issued_on": "31/02/2025"}, "Ngày không hợp lệ"),
        ({"number": "1" * 41}, "Dài quá 40 ký tự"),
    ],
)
def test_bad_narrative_input_is_refused_in_vietnamese_and_nothing_is_saved(
    tree, dung, client_for, change, message
):
    before = written()
    html = page(client_for(dung).post(url("narrative", tree.A, YEAR), {**NARRATIVE, **change}))
    assert message in html
    assert "Kết nạp 120 hội viên mới." in html  # what was typed stays
    assert written() == before


def test_a_narrative_for_a_year_out_of_range_is_refused(tree, dung, client_for):
    before = written()
    html = page(client_for(dung).post(url("narrative", tree.A, 1900), NARRATIVE))
    assert "Năm phải từ 1980 đến 2100." in html
    assert written() == before


# ---------- Targets ----------


def test_the_units_targets_are_saved_the_vietnamese_way_and_removed_when_emptied(tree, dung, client_for):
    client = client_for(dung)
    html = page(client.get(url("targets", tree.A, YEAR)))
    assert 'name="members"' in html and 'name="gathering_rate"' in html
    response = client.post(url("targets", tree.A, YEAR), {"members": "1.200", "new_members": "45",
                                                          "gathering_rate": "90,5"})  # fmt: skip
    assert response.status_code == 302
    assert targets_of(tree.A) == {
        "members": (Decimal("1200"), tree.A.pk),
        "new_members": (Decimal("45"), tree.A.pk),
        "gathering_rate": (Decimal("90.50"), tree.A.pk),
    }
    again = page(client.get(url("targets", tree.A, YEAR)))
    assert 'value="1200"' in again and 'value="90,5"' in again
    client.post(
        url("targets", tree.A, YEAR), {"members": "1200", "new_members": "", "gathering_rate": "90,5"}
    )
    assert set(targets_of(tree.A)) == {"members", "gathering_rate"}


@pytest.mark.parametrize(
    "data, field_message",
    [
        ({"members": "một nghìn"}, "không phải là một số"),
        ({"members": "-5"}, "Không được nhập số âm."),
        ({"members": "12,5"}, "Hãy nhập số nguyên"),
        ({"gathering_rate": "120"}, "Tỷ lệ không được quá 100 %."),
        ({"gathering_rate": "9O"}, "không phải là một tỷ lệ"),
        ({"members": "9" * 13}, "Số quá lớn."),
    ],
)
def test_bad_targets_are_refused_in_vietnamese_and_none_is_saved(tree, dung, client_for, data, field_message):
    before = written()
    # A good value beside the bad one is not saved either: all or nothing.
    html = page(client_for(dung).post(url("targets", tree.A, YEAR), {"new_members": "45", **data}))
    assert field_message in html
    # The refusal is said at the top of the long form, with a link to the field.
    assert "Chưa lưu được. Xin xem lại các mục báo lỗi:" in html
    assert f'<a href="#id_{next(iter(data))}">' in html
    assert written() == before


def test_targets_for_a_year_out_of_range_are_refused(tree, dung, client_for):
    before = written()
    html = page(client_for(dung).post(url("targets", tree.A, 2101), {"members": "100"}))
    assert "Năm phải từ 1980 đến 2100." in html
    assert written() == before


def test_a_target_handed_down_is_read_only_for_the_child(tree, chi, dung, client_for):
    with unit_scope(tree.A):
        services.targets_hand_down(parent=tree.A, year=YEAR, indicator="members", values={tree.A1: "300"},
                                   actor=chi)  # fmt: skip
    client = client_for(dung)
    html = page(client.get(url("targets", tree.A1, YEAR)))
    assert 'name="members"' not in html
    assert f"Do {tree.A.name} giao" in html and "300" in html
    # A value posted for it anyway is ignored; the child's own targets save.
    response = client.post(url("targets", tree.A1, YEAR), {"members": "5", "new_members": "12"})
    assert response.status_code == 302
    assert targets_of(tree.A1) == {
        "members": (Decimal("300"), tree.A.pk),
        "new_members": (Decimal("12"), tree.A1.pk),
    }
    # The report of the child says who set it.
    assert "cấp trên giao" in page(client.get(url("year", tree.A1, YEAR)))


# ---------- Handing targets down ----------


@pytest.fixture
def a2(tree):
    from sohoi.orgunits.models import UnitLevel
    from sohoi.orgunits.services import orgunit_create

    with unit_scope(tree.A):
        return orgunit_create(
            parent=tree.A, name="Hội NCT xã A2", level=UnitLevel.COMMUNE, area=None, actor=None
        )


def test_the_hand_down_page_first_asks_which_target(tree, dung, client_for):
    client = client_for(dung)
    html = page(client.get(url("hand_down", tree.A, YEAR)))
    assert 'name="chi-tieu"' in html and "Tổng số hội viên" in html
    refused = page(client.get(url("hand_down", tree.A, YEAR), {"chi-tieu": "khong-co"}))
    assert "Không có chỉ tiêu này" in refused


def test_targets_are_handed_down_to_each_child_and_a_childs_own_is_left_alone(tree, a2, dung, client_for):
    with unit_scope(a2):
        services.target_set(unit=a2, setter=a2, year=YEAR, indicator="new_members", value="7", actor=None)
    client = client_for(dung)
    address = url("hand_down", tree.A, YEAR) + "?chi-tieu=new_members"
    html = page(client.get(address))
    assert f'name="don-vi-{tree.A1.code}"' in html and f'name="don-vi-{a2.code}"' in html
    assert "Đơn vị tự đặt: 7" in html
    response = client.post(address, {f"don-vi-{tree.A1.code}": "1.000", f"don-vi-{a2.code}": ""})
    assert response.status_code == 302
    assert targets_of(tree.A1) == {"new_members": (Decimal("1000"), tree.A.pk)}
    assert targets_of(a2) == {"new_members": (Decimal("7"), a2.pk)}  # an empty box leaves it alone
    shown = page(client.get(address))
    assert 'value="1000"' in shown and "Tổng đã giao" in shown
    # Emptying a target this unit gave removes it.
    assert client.post(address, {f"don-vi-{tree.A1.code}": "", f"don-vi-{a2.code}": ""}).status_code == 302
    assert targets_of(tree.A1) == {}


def test_a_bad_handed_down_target_is_refused_and_nothing_is_saved(tree, a2, dung, client_for):
    before = written()
    address = url("hand_down", tree.A, YEAR) + "?chi-tieu=gathering_rate"
    html = page(client_for(dung).post(address, {f"don-vi-{tree.A1.code}": "95", f"don-vi-{a2.code}": "101"}))
    assert "Tỷ lệ không được quá 100 %." in html
    assert written() == before


def test_a_target_handed_down_from_further_up_cannot_be_changed_by_the_middle_level(
    tree, dung, staff, client_for
):
    with unit_scope(tree.P):
        services.targets_hand_down(parent=tree.P, year=YEAR, indicator="members", values={tree.A: "900"},
                                   actor=staff)  # fmt: skip
        services.target_set(
            unit=tree.A1, setter=tree.P, year=YEAR, indicator="members", value="400", actor=staff
        )
    client = client_for(dung)
    address = url("hand_down", tree.A, YEAR) + "?chi-tieu=members"
    html = page(client.get(address))
    assert f'name="don-vi-{tree.A1.code}"' not in html and f"(do {tree.P.name} giao)" in html
    before = written()
    client.post(address, {f"don-vi-{tree.A1.code}": "5"})
    assert written() == before


# ---------- Population ----------


def test_a_unit_without_an_area_is_told_why_and_nothing_is_saved(tree, dung, client_for):
    client = client_for(dung)
    assert "chưa gắn với địa bàn hành chính" in page(client.get(url("population", tree.A, YEAR)))
    before = written()
    html = page(client.post(url("population", tree.A, YEAR), {"aged_60_plus": "2000"}))
    assert "chưa gắn với địa bàn hành chính" in html
    assert written() == before


def test_the_population_is_saved_for_the_area_and_feeds_the_gathering_rate(
    tree, commune_area, dung, client_for
):
    from sohoi.members.tests.factories import admit

    with_area(tree.A, commune_area)
    admit(tree.A, name="Trần Văn Minh", gender="male", born=1950, joined=date(2012, 5, 1))
    client = client_for(dung)
    assert "Phường Cẩm Thành" in page(client.get(url("population", tree.A, YEAR)))
    data = {"aged_60_plus": "2.000", "total": "12 500", "source": "UBND phường, 12/2025"}
    assert client.post(url("population", tree.A, YEAR), data).status_code == 302
    with scopes_disabled():
        row = AreaPopulation.objects.get(area=commune_area, year=YEAR)
    assert (row.aged_60_plus, row.total, row.source) == (2000, 12500, "UBND phường, 12/2025")
    assert 'value="2.000"' in page(client.get(url("population", tree.A, YEAR)))
    # The gathering rate: 1 member aged 60+ of 4 people aged 60+.
    client.post(url("population", tree.A, YEAR), {**data, "aged_60_plus": "4"})
    assert "Tỷ lệ tập hợp 25\u00a0%" in text_of(page(client.get(url("year", tree.A, YEAR))))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"aged_60_plus": ""}, "Hãy nhập số người từ 60 tuổi trở lên."),
        ({"aged_60_plus": "hai nghìn"}, "không phải là một số"),
        ({"aged_60_plus": "-20"}, "Không được nhập số âm."),
        ({"aged_60_plus": "2000", "total": "1500"}, "Tổng dân số không thể nhỏ hơn số người từ 60 tuổi."),
    ],
)
def test_bad_population_is_refused_in_vietnamese(tree, commune_area, dung, client_for, data, message):
    with_area(tree.A, commune_area)
    before = written()
    html = page(client_for(dung).post(url("population", tree.A, YEAR), data))
    assert message in html
    assert written() == before


# ---------- Letterhead ----------


def test_the_letterhead_shows_the_defaults_and_saves(tree, dung, client_for):
    client = client_for(dung)
    html = page(client.get(url("letterhead", tree.A)))
    assert "Để trống thì dùng: HỘI NCT TỈNH P" in html  # the parent unit's name
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    data = {"parent_body": "HỘI NGƯỜI CAO TUỔI TỈNH P", "issuer": "BCH HỘI NCT HUYỆN A",
            "issuer_abbreviation": "NCT", "place": "Huyện A"}  # fmt: skip
    assert client.post(url("letterhead", tree.A), data).status_code == 302
    with scopes_disabled():
        saved = Letterhead.objects.get(org_unit=tree.A)
    assert (saved.issuer, saved.place) == ("BCH HỘI NCT HUYỆN A", "Huyện A")
    assert "BCH HỘI NCT HUYỆN A" in page(client.get(url("letterhead", tree.A)))


def test_a_too_long_letterhead_line_is_refused(tree, dung, client_for):
    before = written()
    html = page(client_for(dung).post(url("letterhead", tree.A), {"issuer_abbreviation": "X" * 21}))
    assert "Dài quá 20 ký tự" in html
    assert written() == before
