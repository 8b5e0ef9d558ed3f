"""Findings of a fresh-eyes review of the reports, each kept as a test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.person_data import PersonInput
from sohoi.members.services import MembershipInput, member_admit, member_transfer, person_merge
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme, OrgUnit, UnitLevel
from sohoi.orgunits.services import orgunit_create, orgunit_merge
from sohoi.reports.indicators import StatsPeriod
from sohoi.reports.models import AreaPopulation, Target
from sohoi.reports.selectors import area_report, unit_figures, unit_report
from sohoi.reports.services import population_set

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def admit(unit, name, born=1950, joined=date(2020, 1, 1), **person):
    with unit_scope(unit):
        membership, _w = member_admit(
            unit=unit, person=PersonInput(full_name=name, birth=PartialDate(born), **person),
            membership=MembershipInput(joined=PartialDate.from_date(joined)), actor=None, confirmed_warnings=True,
        )  # fmt: skip
    return membership


@pytest.fixture
def two_areas(db):
    province = Area.objects.add_root(
        instance=Area(scheme=AreaScheme.FROM_2025, level=AreaLevel.PROVINCE, code="97", name="Tỉnh Xét")
    )
    return [
        Area.objects.add_child(province, instance=Area(parent=province, scheme=AreaScheme.FROM_2025,
                               level=AreaLevel.COMMUNE, code=f"9700{i}", name=f"Xã Xét {i}", division_type="Xã"))
        for i in (1, 2)
    ]  # fmt: skip


def _communes(tree, two_areas):
    with unit_scope(tree.P):
        x = orgunit_create(parent=tree.P, name="Hội NCT xã X", level=UnitLevel.COMMUNE, area=two_areas[0], actor=None,
                           opened_on=date(2020, 1, 1))  # fmt: skip
        y = orgunit_create(parent=tree.P, name="Hội NCT xã Y", level=UnitLevel.COMMUNE, area=two_areas[1], actor=None,
                           opened_on=date(2020, 1, 1))  # fmt: skip
    return x, y


def test_a_merged_units_population_leaves_the_denominator_and_rebases_with_its_members(tree, two_areas):
    x, y = _communes(tree, two_areas)
    for n in range(8):
        admit(x, f"Nguyễn Văn X{n}")
        admit(y, f"Trần Văn Y{n}")
    with unit_scope(tree.P):
        population_set(unit=x, year=2024, aged_60_plus=10, actor=None)
        population_set(unit=y, year=2024, aged_60_plus=10, actor=None)
        population_set(unit=y, year=2025, aged_60_plus=25, actor=None)
        orgunit_merge(sources=[x], into=y, effective_on=date(2025, 7, 1), actor=None, decision_ref="QĐ 2")
        y = OrgUnit.unscoped.get(pk=y.pk)
        period_2025 = StatsPeriod.for_year(2025, today=TODAY)
        assert unit_figures(unit=tree.P, period=period_2025).total["population_60_plus"] == 25
        report = unit_report(unit=y, year=2025, today=TODAY, rebase=True)
    assert report.last_year.total["members_60_plus"] == 16
    assert report.last_year.total["population_60_plus"] == 20
    assert report.last_year.total["gathering_rate"] == Decimal("80.0")


def test_the_area_view_counts_people_in_an_earlier_stay(tree, two_areas):
    x, _y = _communes(tree, two_areas)
    with unit_scope(tree.P):
        branch = orgunit_create(parent=x, name="Chi hội 1", level=UnitLevel.BRANCH, area=None, actor=None,
                                opened_on=date(2020, 1, 1))  # fmt: skip
    membership = admit(x, "Nguyễn Văn Hùng")
    with unit_scope(tree.P):
        member_transfer(membership=membership, to_unit=branch, on=date(2025, 3, 1), actor=None)
        _period, columns, people = area_report(area=two_areas[0], year=2024, today=TODAY)
    assert [c.figures["members"] for c in columns] == [1] and people == 1


def test_two_records_of_one_person_merged_count_one_admission(tree):
    first = admit(tree.A1, "Nguyễn Văn Hùng", joined=date(2024, 2, 1))
    second = admit(tree.A1, "Nguyễn Văn Hùng", joined=date(2024, 5, 1))
    with unit_scope(tree.A1):
        person_merge(keep=first, drop=second, actor=None)
        for kept in (True, False):
            from django.test import override_settings

            with override_settings(SOHOI_KEPT_STATISTICS=kept):
                for unit in (tree.A1, tree.A):
                    assert unit_figures(unit=unit, period=StatsPeriod.for_year(2024, today=TODAY)).total[
                        "new_members"] == 1  # fmt: skip


def test_a_superscript_digit_is_refused_not_a_500(tree, dung, client_for):
    client = client_for(dung)
    response = client.post(reverse("reports:targets", args=[tree.A.code, 2025]), {"members": "²"})
    assert response.status_code == 200 and not Target.unscoped.exists()
    with unit_scope(tree.A), pytest.raises(Exception) as raised:
        population_set(unit=tree.A, year=2025, aged_60_plus="²", actor=None)
    assert "số nguyên" in str(raised.value) or "địa bàn" in str(raised.value)
    assert not AreaPopulation.objects.exists()


def test_the_report_of_a_year_to_come_is_refused(tree, binh, client_for):
    url = reverse("reports:year", args=[tree.A.code, date.today().year + 1])
    response = client_for(binh).get(url, follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert "chưa đến" in response.content.decode()


def test_the_shared_population_shows_who_entered_it_last(tree, two_areas, chi, dung, client_for):
    OrgUnit.unscoped.filter(pk=tree.A.pk).update(area=two_areas[0])
    unit = OrgUnit.unscoped.get(pk=tree.A.pk)
    with unit_scope(unit):
        population_set(unit=unit, year=2025, aged_60_plus=120, actor=chi)
    html = client_for(dung).get(reverse("reports:population", args=[unit.code, 2025])).content.decode()
    assert "Nhập lần cuối bởi Chi" in html


def test_the_report_page_re_bases_last_year_onto_todays_units_on_request(tree, two_areas, binh, client_for):
    x, y = _communes(tree, two_areas)
    for n in range(3):
        admit(x, f"Nguyễn Văn X{n}", joined=date(2020, 1, 1))
    with unit_scope(tree.P):
        orgunit_merge(sources=[x], into=y, effective_on=date(2025, 7, 1), actor=None, decision_ref="QĐ 3")
    from sohoi.accounts.services import user_create

    viewer = user_create(username="xem-y", full_name="Xem Y", password="Mat-khau-dai-2026!", actor=None,
                         unit=y, role="viewer")  # fmt: skip
    url = reverse("reports:year", args=[y.code, 2025])
    plain = client_for(viewer).get(url).context["report"]
    rebased = client_for(viewer).get(url + "?quy-doi=1").context["report"]
    assert plain.last_year.total["members"] == 0
    assert rebased.last_year.total["members"] == 3
