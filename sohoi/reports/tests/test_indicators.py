"""The member indicators on hand-made histories: what each counts, on which day, in which unit."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.person_data import PersonInput
from sohoi.members.services import (
    MembershipInput,
    member_admit,
    member_leave,
    member_record_death,
    member_rejoin,
    member_transfer,
)
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme, OrgUnit, UnitLevel
from sohoi.orgunits.services import NewUnitSpec, orgunit_create, orgunit_merge, orgunit_move
from sohoi.reports import indicators as registry
from sohoi.reports.indicators import Indicator, Source, StatsPeriod
from sohoi.reports.selectors import unit_figures, unit_report
from sohoi.reports.services import population_set

pytestmark = pytest.mark.django_db


def admit(unit, name, born, joined, exception_reason="", **person):
    """A member admitted through the real service (younger ones with the reason the rule asks for)."""
    with unit_scope(unit):
        membership, _warnings = member_admit(
            unit=unit, person=PersonInput(full_name=name, birth=PartialDate(born) if born else None, **person),
            membership=MembershipInput(joined=PartialDate.from_date(joined)), actor=None,
            exception_reason=exception_reason, confirmed_warnings=True,
        )  # fmt: skip
    return membership


END_2024 = StatsPeriod.for_year(2024, today=date(2026, 1, 1))


def figures(unit, period=END_2024, **kwargs):
    with unit_scope(unit):
        return unit_figures(unit=unit, period=period, **kwargs)


def test_members_on_the_day_by_gender_age_band_and_card(tree):
    admit(tree.A1, "Nguyễn Văn Hùng", 1950, gender="male", joined=date(2020, 1, 1))  # 74 in 2024
    admit(tree.A1, "Trần Thị Lan", 1924, gender="female", joined=date(2020, 1, 1))  # 100
    admit(
        tree.A1, "Lê Thị Mai", 1966, gender="female", joined=date(2022, 1, 1), exception_reason="Cán bộ hội"
    )
    admit(tree.A1, "Phạm Văn Nam", None, joined=date(2020, 1, 1))
    admit(tree.A1, "Đỗ Văn Sau", 1940, gender="male", joined=date(2025, 2, 1))  # joined after the day
    total = figures(tree.A1).total
    assert total["members"] == 4
    assert (total["members_male"], total["members_female"], total["members_gender_unknown"]) == (1, 2, 1)
    assert total["age_70_79"] == 1 and total["age_100_plus"] == 1 and total["age_under_60"] == 1
    assert total["age_unknown"] == 1
    assert total["members_60_plus"] == 2
    assert total["mean_age"] == Decimal("77.3")  # (74 + 100 + 58) / 3
    assert total["members_share_female"] == Decimal("50.0")


def test_age_is_counted_by_calendar_year_on_the_day(tree):
    admit(tree.A1, "Nguyễn Văn Hùng", 1965, gender="male", joined=date(2020, 1, 1), exception_reason="Cán bộ")
    assert figures(tree.A1, StatsPeriod.for_year(2024, today=date(2026, 1, 1))).total["age_under_60"] == 1
    assert figures(tree.A1, StatsPeriod.for_year(2025, today=date(2026, 1, 1))).total["age_60_69"] == 1


def test_flows_in_the_period_and_transfers_between_children_are_internal_to_the_parent(tree):
    hung = admit(tree.A1, "Nguyễn Văn Hùng", 1950, joined=date(2020, 1, 1))
    lan = admit(tree.A1, "Trần Thị Lan", 1945, joined=date(2024, 3, 1))
    mai = admit(tree.B1, "Lê Thị Mai", 1940, joined=date(2020, 1, 1))
    admit(tree.B1, "Phạm Văn Nam", 1944, joined=date(2023, 12, 31))  # before the period
    with unit_scope(tree.root):
        member_transfer(membership=hung, to_unit=tree.B1, on=date(2024, 5, 1), actor=None)
        member_record_death(membership=mai, on=date(2024, 6, 1), actor=None)
        member_leave(membership=lan, on=date(2024, 7, 1), reason="Chuyển nơi ở", actor=None)
        member_rejoin(membership=lan, on=date(2024, 9, 1), actor=None)
    province = figures(tree.P)
    assert province.total["new_members"] == 1  # Lan, admitted in 2024
    assert (
        province.total["deaths"] == 1
        and province.total["departures"] == 1
        and province.total["rejoined"] == 1
    )
    assert province.total["transfers_in"] == 0 and province.total["transfers_out"] == 0
    rows = {row.unit.pk: row for row in province.children}
    assert rows[tree.A.pk]["transfers_out"] == 1 and rows[tree.A.pk]["transfers_in"] == 0
    assert rows[tree.B.pk]["transfers_in"] == 1 and rows[tree.B.pk]["transfers_out"] == 0
    assert figures(tree.B1).total["transfers_in"] == 1
    assert province.total["members"] == 3  # Hùng (now in B1), Lan (back), Nam


def test_a_transfer_out_of_the_tree_counts_for_the_unit(tree):
    other = admit(tree.A1, "Nguyễn Văn Hùng", 1950, joined=date(2020, 1, 1))
    with unit_scope(tree.root):
        q = orgunit_create(
            parent=tree.root, name="Hội NCT tỉnh Q", level=UnitLevel.PROVINCE, area=None, actor=None
        )
        member_transfer(membership=other, to_unit=q, on=date(2024, 4, 1), actor=None)
    assert figures(tree.P).total["transfers_out"] == 1
    assert figures(tree.P).total["members"] == 0
    assert figures(tree.root).total["transfers_out"] == 0


def test_the_report_of_2024_reads_the_same_after_later_deaths_transfers_and_merges(tree):
    hung = admit(tree.A1, "Nguyễn Văn Hùng", 1950, joined=date(2020, 1, 1))
    admit(tree.A1, "Trần Thị Lan", 1945, joined=date(2020, 1, 1))
    admit(tree.B1, "Lê Thị Mai", 1940, joined=date(2020, 1, 1))
    before = {u.pk: figures(u).total.values for u in (tree.P, tree.A, tree.B, tree.A1, tree.B1)}
    before_rows = {row.unit.pk: row.values for row in figures(tree.P).children}
    with unit_scope(tree.root):
        member_record_death(membership=hung, on=date(2025, 2, 1), actor=None)
        # the 2025 reform: districts go, communes hang under the province and are merged
        a1 = orgunit_move(unit=tree.A1, new_parent=tree.P, actor=None, effective_on=date(2025, 7, 1))
        b1 = orgunit_move(unit=tree.B1, new_parent=tree.P, actor=None, effective_on=date(2025, 7, 1))
        merged, _event = orgunit_merge(
            sources=[a1, b1], into=NewUnitSpec(name="Hội NCT xã Mới", parent=tree.P, level=UnitLevel.COMMUNE),
            effective_on=date(2025, 7, 1), actor=None, decision_ref="QĐ 12",
        )  # fmt: skip
    after = {pk: figures(OrgUnit.unscoped.get(pk=pk)).total.values for pk in before}
    assert after == before
    assert {
        row.unit.pk: row.values for row in figures(OrgUnit.unscoped.get(pk=tree.P.pk)).children
    } == before_rows

    # Year over year across the merger: 2024 re-based onto today's units lands in the new commune.
    province = OrgUnit.unscoped.get(pk=tree.P.pk)
    rebased = figures(province, rebase=True)
    rows = {row.unit.pk: row for row in rebased.children}
    assert rows[merged.pk]["members"] == 3
    assert rebased.total["members"] == 3
    with unit_scope(merged):
        report = unit_report(unit=merged, year=2025, today=date(2026, 1, 1), rebase=True)
    assert report.last_year.total["members"] == 3
    assert report.figures.total["members"] == 2  # Hùng died in 2025
    assert next(r for r in report.rows if r.indicator.name == "members").change == -1


@pytest.fixture
def areas(db):
    province = Area.objects.add_root(
        instance=Area(scheme=AreaScheme.FROM_2025, level=AreaLevel.PROVINCE, code="98", name="Tỉnh Thử")
    )
    communes = [
        Area.objects.add_child(
            province,
            instance=Area(
                parent=province,
                scheme=AreaScheme.FROM_2025,
                level=AreaLevel.COMMUNE,
                code=f"9800{i}",
                name=f"Xã Thử {i}",
                division_type="Xã",
            ),
        )  # fmt: skip
        for i in (1, 2)
    ]
    return province, communes


def test_gathering_rate_counts_members_aged_60_and_over_against_the_population_entered(tree, areas):
    _province, (area1, area2) = areas
    OrgUnit.unscoped.filter(pk=tree.A1.pk).update(area=area1)
    OrgUnit.unscoped.filter(pk=tree.B1.pk).update(area=area2)
    a1, b1 = OrgUnit.unscoped.get(pk=tree.A1.pk), OrgUnit.unscoped.get(pk=tree.B1.pk)
    for n in range(3):
        admit(a1, f"Nguyễn Văn Hùng {n}", 1950, joined=date(2020, 1, 1))
    admit(a1, "Lê Văn Trẻ", 1970, joined=date(2020, 1, 1), exception_reason="Cán bộ hội")  # 54: not counted
    admit(b1, "Trần Thị Lan", 1940, joined=date(2020, 1, 1))
    with unit_scope(tree.root):
        population_set(unit=a1, year=2023, aged_60_plus=4, actor=None)  # the latest year before 2024
        population_set(unit=b1, year=2024, aged_60_plus=2, actor=None)
    a1_figures = figures(a1).total
    assert a1_figures["members_60_plus"] == 3 and a1_figures["population_60_plus"] == 4
    assert a1_figures["gathering_rate"] == Decimal("75.0")
    province = figures(tree.P)
    assert province.total["population_60_plus"] == 6
    assert province.total["gathering_rate"] == Decimal("66.7")  # 4 of 6
    rows = {row.unit.pk: row for row in province.children}
    assert rows[tree.B.pk]["gathering_rate"] == Decimal("50.0")
    assert figures(tree.P, StatsPeriod.for_year(2022, today=date(2026, 1, 1))).total["gathering_rate"] is None


def test_members_under_60_never_push_the_gathering_rate_past_100(tree, areas):
    _province, (area1, _area2) = areas
    OrgUnit.unscoped.filter(pk=tree.A1.pk).update(area=area1)
    a1 = OrgUnit.unscoped.get(pk=tree.A1.pk)
    admit(a1, "Nguyễn Văn Hùng", 1950, joined=date(2020, 1, 1))
    for n in range(3):
        admit(a1, f"Lê Văn Trẻ {n}", 1968, joined=date(2020, 1, 1), exception_reason="Cán bộ hội")
    with unit_scope(tree.root):
        population_set(unit=a1, year=2024, aged_60_plus=1, actor=None)
    assert figures(a1).total["gathering_rate"] == Decimal("100.0")


def test_units_by_level_open_on_the_day(tree):
    with unit_scope(tree.root):
        c1 = orgunit_create(parent=tree.A1, name="Chi hội 1", level=UnitLevel.BRANCH, area=None, actor=None,
                            opened_on=date(2021, 1, 1))  # fmt: skip
        orgunit_create(parent=c1, name="Tổ hội 1", level=UnitLevel.GROUP, area=None, actor=None,
                       opened_on=date(2021, 1, 1))  # fmt: skip
        orgunit_create(parent=tree.A1, name="Chi hội 2", level=UnitLevel.BRANCH, area=None, actor=None,
                       opened_on=date(2025, 1, 1))  # fmt: skip
    total = figures(tree.P).total
    assert (total["units_commune"], total["units_branch"], total["units_group"]) == (2, 1, 1)


def test_another_module_adds_an_indicator_without_touching_this_code(tree, monkeypatch):
    monkeypatch.setattr(registry, "_SOURCES", dict(registry._SOURCES))
    monkeypatch.setattr(registry, "_INDICATORS", dict(registry._INDICATORS))
    monkeypatch.setattr(registry, "_GROUPS", dict(registry._GROUPS))
    registry.register_source(Source("clubs", lambda scope: {scope.unit.path: {"clubs": 2}}))
    registry.register_group("clubs", "Câu lạc bộ", 60)
    registry.register(
        Indicator("clubs", "Số câu lạc bộ", "Câu lạc bộ đang hoạt động.", group="clubs", source="clubs")
    )
    result = figures(tree.P)
    assert result.total["clubs"] == 2 and result.direct["clubs"] == 2
    assert [row["clubs"] for row in result.children] == [0, 0]


def test_stats_command_prints_the_documented_json(tree):
    admit(tree.A1, "Nguyễn Văn Hùng", 1950, gender="male", joined=date(2020, 1, 1))
    admit(tree.B1, "Trần Thị Lan", 1920, gender="female", joined=date(2024, 5, 1))
    out = StringIO()
    call_command(
        "stats", "--unit", tree.P.code, "--year", "2024", "--as-of", "2024-12-31", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["unit"] == tree.P.code and data["as_of"] == "2024-12-31"
    indicators = data["indicators"]
    for name in ("members", "members_male", "members_female", "age_60_69", "age_70_79", "age_80_89", "age_90_99",
                 "age_100_plus", "age_under_60", "new_members", "deaths", "gathering_rate"):  # fmt: skip
        assert name in indicators
    assert (indicators["members"], indicators["members_male"], indicators["age_100_plus"]) == (2, 1, 1)
    assert indicators["new_members"] == 1 and indicators["gathering_rate"] is None
    assert [(c["unit"], c["indicators"]["members"]) for c in data["children"]] == [
        (tree.A.code, 1),
        (tree.B.code, 1),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "khong-co", "--year", "2024"], "Không tìm thấy đơn vị"),
        (["--year", "20x4"], "Năm phải từ"),
        (["--year", "2024", "--as-of", "31/12/2024"], "không đúng dạng"),
    ],
)
def test_stats_command_refuses_bad_input_with_exit_2(tree, args, message):
    if "--unit" not in args:
        args = ["--unit", tree.P.code, *args]
    with pytest.raises(CommandError) as raised:
        call_command("stats", *args)
    assert raised.value.returncode == 2 and message in str(raised.value)
