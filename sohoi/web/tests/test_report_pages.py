"""The report pages: a unit's report for a year (figures as the selectors give them, the Vietnamese
way, on the day asked for; charts; children side by side; a fixed number of queries), and who gets
what (the sibling admin 404, a viewer reads but cannot write)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from sohoi.core.scoping import unit_scope
from sohoi.members.tests.factories import admit
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme, OrgUnit, UnitLevel
from sohoi.orgunits.services import orgunit_create
from sohoi.reports import selectors, services
from sohoi.reports.models import Target, YearReport
from sohoi.reports.services import YearReportInput
from sohoi.web.views import report_display as display

pytestmark = pytest.mark.django_db

YEAR = 2025


def url(name, unit, *args):
    return reverse(f"reports:{name}", args=[unit.code, *args])


def page(response) -> str:
    assert response.status_code == 200, (response.status_code, response.content[:800])
    return response.content.decode()


def text_of(html: str) -> str:
    """The words of the page, tags and runs of spaces collapsed (what a reader sees)."""
    body = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    # Runs of ASCII spaces only: the no-break space between a number and "%" is part of the text.
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", body))


def set_area(unit, area):
    with scopes_disabled():
        OrgUnit.unscoped.filter(pk=unit.pk).update(area=area)
        return OrgUnit.unscoped.select_related("area", "association").get(pk=unit.pk)


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


@pytest.fixture
def members(tree):
    """Members of A's subtree on 31/12/2025: Lan (A1, woman, 1940), Minh (A, man, 1950), Hoa
    (A1, woman, 1955, admitted in 2025); Bê in B must never show on A's pages."""
    admit(tree.A1, name="Nguyễn Thị Lan", gender="female", born=1940, joined=date(2010, 1, 1))
    admit(tree.A, name="Trần Văn Minh", gender="male", born=1950, joined=date(2012, 5, 1))
    admit(tree.A1, name="Lê Thị Hoa", gender="female", born=1955, joined=date(2025, 6, 1))
    admit(tree.B, name="Phạm Văn Bê", gender="male", born=1945, joined=date(2010, 1, 1))


def report_of(unit, year=YEAR, as_of=None):
    with unit_scope(unit):
        return selectors.unit_report(unit=unit, year=year, as_of=as_of)


# ---------- Numbers ----------


@pytest.mark.parametrize(
    "value, places, shown",
    [
        (0, 1, "0"),
        (1234, 0, "1.234"),
        (1234567, 1, "1.234.567"),
        (Decimal("91.5"), 1, "91,5"),
        (Decimal("100.0"), 1, "100"),
        (Decimal("72.25"), 1, "72,3"),
        (-1500, 0, "-1.500"),
        (None, 1, "–"),
    ],
)
def test_numbers_read_the_vietnamese_way(value, places, shown):
    assert display.vi_number(value, places) == shown


def test_percentages_and_changes_read_the_vietnamese_way():
    assert display.vi_percent(Decimal("91.5")) == "91,5\u00a0%"
    assert display.vi_change(12) == "+12"
    assert display.vi_change(-3) == "-3"
    assert display.vi_change(0) == "0"
    assert display.vi_value(Decimal("90.00"), "percent") == "90\u00a0%"


def test_chart_bars_are_drawn_to_scale_and_a_long_one_is_cut_with_its_real_figure():
    chart = display.bar_list(
        [("Toàn đơn vị", Decimal("50"), "50 %", True), ("Chi hội 1", Decimal("300"), "300 %", False),
         ("Chi hội 2", None, "chưa có số dân", False)],
        title="Tỷ lệ",
    )  # fmt: skip
    half, capped, missing = chart.bars
    assert capped.width == chart.track_width  # 300 % is drawn to the cap (150 %)
    assert half.width == pytest.approx(chart.track_width / 3, abs=0.2)  # 50 of 150
    assert chart.full_x == pytest.approx(chart.left + chart.track_width * 2 / 3, abs=0.2)
    assert capped.value_text == "300 %" and missing.is_missing and capped.reached and not half.reached


def test_the_pyramid_puts_the_oldest_on_top_and_men_on_the_left():
    values = {"age_60_69_male": 10, "age_60_69_female": 5, "age_100_plus_female": 1}
    bands = ["age_under_60", "age_60_69", "age_100_plus"]
    chart = display.pyramid_chart(values, bands, male="male", female="female", title="Tháp tuổi")
    assert [row.label for row in chart.rows] == ["100+", "60–69", "< 60"]
    sixties = chart.rows[1]
    assert sixties.male_x + sixties.male_width == chart.center_left  # grows leftwards from the middle
    assert sixties.female_width == pytest.approx(sixties.male_width / 2, abs=0.1)
    assert (chart.male_total, chart.female_total) == (10, 6)


# ---------- The report page ----------


def test_the_report_index_opens_the_current_year_or_the_year_asked_for(tree, binh, client_for):
    client = client_for(binh)
    this_year = timezone.localdate().year
    assert client.get(url("index", tree.A))["Location"] == url("year", tree.A, this_year)
    assert client.get(url("index", tree.A), {"nam": "2024"})["Location"] == url("year", tree.A, 2024)
    refused = client.get(url("index", tree.A), {"nam": "năm ngoái"}, follow=True)
    assert "Năm phải từ 1980 đến 2100." in page(refused)
    assert refused.redirect_chain[-1][0] == url("year", tree.A, this_year)
    too_old = client.get(url("year", tree.A, 1900), follow=True)
    assert "Năm phải từ 1980 đến 2100." in page(too_old)


def test_the_report_page_shows_the_figures_of_the_selectors(tree, members, dung, client_for):
    with unit_scope(tree.A):
        services.targets_set(unit=tree.A, setter=tree.A, year=YEAR, values={"members": "4", "new_members": "2"},
                             actor=None)  # fmt: skip
    report = report_of(tree.A)
    html = page(client_for(dung).get(url("year", tree.A, YEAR)))
    text = text_of(html)
    rows = {row.indicator.name: row for row in report.rows}
    assert rows["members"].result == 3 and rows["members"].last_year == 2
    # Chỉ tiêu, Kết quả, % hoàn thành, Năm trước, Tăng giảm
    assert "Tổng số hội viên 4 3 75\u00a0% 2 +1" in text
    assert "Kết nạp mới 2 1 50\u00a0% 0 +1" in text
    assert f"Tuổi bình quân {display.vi_number(rows['mean_age'].result)}" in text
    # The children side by side, each linking to its own report; the members held at A itself.
    child = next(c for c in report.figures.children if c.unit.pk == tree.A1.pk)
    assert child["members"] == 2
    assert f'<a href="{url("year", tree.A1, YEAR)}">{tree.A1.name}</a>' in html
    assert f"{tree.A1.name} 2 0 2 " in text
    assert f"Sinh hoạt trực tiếp tại {tree.A.name} 1 1 0 " in text
    # Nothing of B's subtree.
    assert "Phạm Văn Bê" not in html and tree.B.name not in html


def test_the_charts_are_svg_with_titles_and_their_numbers_in_tables(tree, members, binh, client_for):
    with unit_scope(tree.A):
        services.targets_set(unit=tree.A, setter=tree.A, year=YEAR, values={"members": "4"}, actor=None)
        history = selectors.history(unit=tree.A, years=list(range(YEAR - 5, YEAR)))
    html = page(client_for(binh).get(url("year", tree.A, YEAR)))
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) == 4  # members over the years, pyramid, gathering rate, progress to targets
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
        assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    text = text_of(html)
    for year, members_then in history:
        assert f"{year} {display.vi_number(members_then, 0)} " in text
    assert f"{YEAR} 3 " in text  # this year's bar: the report's own figure
    # The pyramid: 80–89 one woman (Lan, 85); 70–79 one man (Minh, 75) and one woman (Hoa, 70).
    assert "80–89 0 1" in text and "70–79 1 1" in text and "60–69 0 0" in text
    # Progress: 3 of 4 members.
    assert "Tổng số hội viên: 3 / 4" in html and "75\u00a0%" in html


def test_the_day_of_the_figures_is_the_cut_off_saved_or_the_day_asked_for(tree, members, binh, client_for):
    client = client_for(binh)
    assert "Tổng số hội viên 3 " in text_of(page(client.get(url("year", tree.A, YEAR))))
    # Before Hoa joined (1 June 2025): two members.
    early = page(client.get(url("year", tree.A, YEAR), {"ngay": "2025-03-31"}))
    assert "31/03/2025" in early and "Tổng số hội viên 2 " in text_of(early)
    assert report_of(tree.A, as_of=date(2025, 3, 31)).figures.total["members"] == 2
    # The children's links keep the day asked for.
    assert url("year", tree.A1, YEAR) + "?ngay=2025-03-31" in early
    # A saved cut-off is the default day.
    with unit_scope(tree.A):
        services.year_report_save(unit=tree.A, year=YEAR, data=YearReportInput(cut_off=date(2025, 5, 31)),
                                  version=None, actor=None)  # fmt: skip
    saved = page(client.get(url("year", tree.A, YEAR)))
    assert "31/05/2025" in saved and "Tổng số hội viên 2 " in text_of(saved)


def test_a_bad_day_is_reported_and_the_default_day_used(tree, members, binh, client_for):
    client = client_for(binh)
    for bad in ("31/02/2025", "2019-05-01", "hôm qua"):
        html = page(client.get(url("year", tree.A, YEAR), {"ngay": bad}))
        assert "Đang dùng ngày mặc định." in html
        assert "31/12/2025" in html and "Tổng số hội viên 3 " in text_of(html)


def test_the_report_page_links_to_its_forms_only_for_editors(tree, binh, dung, client_for):
    editor = page(client_for(dung).get(url("year", tree.A, YEAR)))
    for name in ("narrative", "targets", "population"):
        assert url(name, tree.A, YEAR) in editor
    assert url("letterhead", tree.A) in editor
    viewer = page(client_for(binh).get(url("year", tree.A, YEAR)))
    assert url("narrative", tree.A, YEAR) not in viewer and url("targets", tree.A, YEAR) not in viewer


def test_the_unit_page_links_to_the_report(tree, binh, client_for):
    assert url("index", tree.A) in page(client_for(binh).get(reverse("units:detail", args=[tree.A.code])))


def _report_queries(client, unit) -> list[str]:
    """The queries of the report page, once the kept statistics are up to date (the first read
    after a change to the register refreshes them: that cost is the selectors', not the page's)."""
    page(client.get(url("year", unit, YEAR)))
    with CaptureQueriesContext(connection) as queries:
        page(client.get(url("year", unit, YEAR)))
    return [q["sql"] for q in queries.captured_queries]


def test_the_report_page_runs_the_same_queries_whatever_the_number_of_children(
    tree, members, binh, client_for
):
    client = client_for(binh)
    one_child = _report_queries(client, tree.A)
    for n in range(6):
        with unit_scope(tree.A):
            child = orgunit_create(parent=tree.A, name=f"Hội NCT xã A{n + 2}", level=UnitLevel.COMMUNE,
                                   area=None, actor=None)  # fmt: skip
        admit(child, name=f"Hội Viên {'ABCDEF'[n]}", gender="male", born=1950, joined=date(2020, 1, 1))
    seven_children = _report_queries(client, tree.A)
    assert len(seven_children) == len(one_child), "\n".join(seven_children)


def test_the_report_page_adds_a_fixed_number_of_queries_to_the_selectors(
    tree, members, binh, client_for, django_assert_num_queries
):
    client = client_for(binh)
    _report_queries(client, tree.A)  # the kept statistics built
    with unit_scope(tree.A), CaptureQueriesContext(connection) as selected:
        selectors.unit_report(unit=tree.A, year=YEAR)
        selectors.history(unit=tree.A, years=list(range(YEAR - 5, YEAR)))
    own = (
        2  # the session and its user
        + 2  # the unit and the user's grants on it (middleware)
        + 1  # the saved report of the year (its version and cut-off day)
        + 2  # breadcrumbs: the ancestors, and the grants above that decide which are links
    )
    with django_assert_num_queries(own + len(selected.captured_queries)):
        page(client.get(url("year", tree.A, YEAR)))


# ---------- Who gets what ----------


ROUTES = [
    ("index", ()),
    ("year", (YEAR,)),
    ("narrative", (YEAR,)),
    ("targets", (YEAR,)),
    ("hand_down", (YEAR,)),
    ("population", (YEAR,)),
    ("letterhead", ()),
]


@pytest.mark.parametrize("name, args", ROUTES)
def test_the_sibling_admin_gets_404_on_every_report_page(tree, an, client_for, name, args):
    client = client_for(an)
    assert client.get(url(name, tree.A, *args)).status_code == 404
    assert client.post(url(name, tree.A, *args), {"members": "5", "version": "0"}).status_code == 404


@pytest.mark.parametrize("name, args", [r for r in ROUTES if r[0] not in ("index", "year")])
def test_a_viewer_reads_the_report_but_cannot_open_or_post_its_forms(tree, binh, client_for, name, args):
    client = client_for(binh)
    assert client.get(url("year", tree.A, YEAR)).status_code == 200
    assert client.get(url(name, tree.A, *args)).status_code == 403
    data = {"version": "0", "members": "5", "aged_60_plus": "100", "issuer": "X", "achievements": "Tốt"}
    assert client.post(url(name, tree.A, *args), data).status_code == 403
    with scopes_disabled():
        assert not Target.objects.exists() and not YearReport.objects.exists()


# ---------- The associations of an area side by side ----------


@pytest.fixture
def ward(tree, commune_area):
    """Phường Cẩm Thành holds A1 (Hội NCT) and the ward's Hội Khuyến học; Hoa is in both."""
    from sohoi.imports.values import PartialDate
    from sohoi.members.services import MembershipInput, member_admit
    from sohoi.orgunits.models import Association
    from sohoi.orgunits.services import orgunit_create_root

    a1 = set_area(tree.A1, commune_area)
    khuyen_hoc = Association.objects.get(code="khuyen-hoc")
    root = orgunit_create_root(association=khuyen_hoc, name="Hội Khuyến học Việt Nam", area=None, actor=None)
    with unit_scope(root):
        study = orgunit_create(parent=root, name="Hội Khuyến học phường Cẩm Thành", level=UnitLevel.COMMUNE,
                               area=commune_area, actor=None)  # fmt: skip
    hoa = admit(a1, name="Lê Thị Hoa", gender="female", born=1955, joined=date(2015, 6, 1))
    admit(a1, name="Nguyễn Thị Lan", gender="female", born=1940, joined=date(2010, 1, 1))
    admit(study, name="Đỗ Văn Học", gender="male", born=1990, joined=date(2020, 1, 1))
    with unit_scope(study), scopes_disabled():
        member_admit(unit=study, person=hoa.person, actor=None,
                     membership=MembershipInput(joined=PartialDate.from_date(date(2018, 1, 1))))  # fmt: skip
    return {"area": commune_area, "nct": a1, "study": study}


def area_url(area, year=YEAR):
    return reverse("reports:area", args=[area.scheme, area.code, year])


def test_the_peoples_committee_sees_every_association_of_its_ward_and_the_people_once(ward, client_for):
    from sohoi.accounts.services import system_grant_area, user_create

    ubnd = user_create(username="ubnd", full_name="UBND phường", password="Mật-khẩu-thử-2026", actor=None)
    system_grant_area(user=ubnd, role="viewer", area=ward["area"])
    html = page(client_for(ubnd).get(area_url(ward["area"])))
    text = text_of(html)
    assert ward["nct"].name in html and ward["study"].name in html
    assert f'href="{url("year", ward["study"], YEAR)}"' in html
    assert "Tổng số hội viên 2 2 " in text  # two in each
    assert "Cộng hội viên các hội 4 " in text
    assert "Số người là hội viên của ít nhất một hội 3 " in text  # Hoa counted once
    # The link opens: the area grant reaches the unit.
    assert client_for(ubnd).get(url("year", ward["study"], YEAR)).status_code == 200


def test_a_unit_user_sees_only_the_associations_in_their_scope(ward, tree, binh, an, client_for):
    mine = page(client_for(binh).get(area_url(ward["area"])))
    assert ward["nct"].name in mine and ward["study"].name not in mine
    assert "Số người là hội viên của ít nhất một hội 2 " in text_of(mine)
    nothing = page(client_for(an).get(area_url(ward["area"])))
    assert ward["nct"].name not in nothing and ward["study"].name not in nothing
    assert "Không có hội nào trên địa bàn này trong phạm vi bạn được xem." in nothing


def test_the_area_report_needs_a_login_and_a_real_area(ward, binh, client, client_for):
    assert client.get(area_url(ward["area"]))["Location"].startswith(reverse("accounts:login"))
    missing = reverse("reports:area", args=[ward["area"].scheme, "99999", YEAR])
    assert client_for(binh).get(missing).status_code == 404
    index = reverse("reports:area_index", args=[ward["area"].scheme, ward["area"].code])
    assert client_for(binh).get(index, {"nam": "2024"})["Location"] == area_url(ward["area"], 2024)


def test_the_unit_report_links_to_its_areas_associations(ward, binh, client_for):
    html = page(client_for(binh).get(url("year", ward["nct"], YEAR)))
    assert area_url(ward["area"]) in html


# ---------- Figures of the whole subtree in the chart and the area view ----------


def test_the_members_over_the_years_count_the_whole_subtree(tree, members, binh, client_for):
    # On 31/12/2024: Lan (in A1) and Minh (at A itself).
    text = text_of(page(client_for(binh).get(url("year", tree.A, YEAR))))
    assert f"{YEAR - 1} 2 " in text


def test_the_area_view_counts_the_members_of_the_branches(ward, binh, client_for):
    with unit_scope(ward["nct"]):
        branch = orgunit_create(parent=ward["nct"], name="Chi hội Tổ dân phố 1", level=UnitLevel.BRANCH,
                                area=None, actor=None)  # fmt: skip
    admit(branch, name="Võ Văn Khiêm", gender="male", born=1948, joined=date(2016, 1, 1))
    text = text_of(page(client_for(binh).get(area_url(ward["area"]))))
    assert "Tổng số hội viên 3 " in text
