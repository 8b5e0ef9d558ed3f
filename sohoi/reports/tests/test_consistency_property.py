"""Property: on any day, for every additive indicator, a unit's figure equals the sum of its
children's figures plus its own direct members, at every level of a random tree with a random
history; each child's row equals the child's own report; and the members counted agree with a
plain reading of the lifecycle events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sohoi.core.errors import DomainError
from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.models import EventKind, MembershipEvent
from sohoi.members.person_data import PersonInput
from sohoi.members.services import (
    MembershipInput,
    member_admit,
    member_leave,
    member_record_death,
    member_rejoin,
    member_transfer,
)
from sohoi.orgunits.models import OrgUnit, UnitLevel
from sohoi.orgunits.services import orgunit_create, orgunit_merge, orgunit_move
from sohoi.reports import indicators as registry
from sohoi.reports.indicators import StatsPeriod
from sohoi.reports.selectors import unit_figures

pytestmark = pytest.mark.django_db

START = date(2015, 1, 1)
LEVEL_BELOW = {UnitLevel.PROVINCE: UnitLevel.COMMUNE, UnitLevel.COMMUNE: UnitLevel.BRANCH,
               UnitLevel.BRANCH: UnitLevel.GROUP}  # fmt: skip

# A tree: for each new unit, the index of its parent among the units made so far (0 = province P).
TREES = st.lists(st.integers(min_value=0, max_value=6), min_size=2, max_size=7)
PEOPLE = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=7),  # unit index
        st.integers(min_value=1915, max_value=1966),  # birth year
        st.sampled_from(["male", "female", ""]),
        st.integers(min_value=0, max_value=2500),  # days after START to join
        st.lists(
            st.tuples(
                st.sampled_from(["transfer", "leave", "rejoin", "death"]),
                st.integers(min_value=1, max_value=900),
                st.integers(min_value=0, max_value=7),
            ),
            max_size=3,
        ),
    ),
    min_size=1,
    max_size=10,
)
PROBES = st.lists(st.integers(min_value=0, max_value=4200), min_size=1, max_size=3)


class Rollback(Exception):
    pass


def _build_tree(province: OrgUnit, parents: list[int]) -> list[OrgUnit]:
    units = [province]
    for number, parent_index in enumerate(parents):
        parent = units[parent_index % len(units)]
        level = LEVEL_BELOW.get(UnitLevel(parent.level), UnitLevel.GROUP)
        units.append(
            orgunit_create(parent=parent, name=f"Đơn vị {number}", level=level, area=None, actor=None)
        )
    return units


def _run_history(units: list[OrgUnit], people) -> None:  # noqa: ANN001
    for number, (unit_index, born, gender, join_after, actions) in enumerate(people):
        joined = START + timedelta(days=join_after)
        membership, _w = member_admit(
            unit=units[unit_index % len(units)],
            person=PersonInput(full_name=f"Người Thứ {number}", birth=PartialDate(born), gender=gender),
            membership=MembershipInput(joined=PartialDate.from_date(joined)),
            actor=None, confirmed_warnings=True, exception_reason="Thử",
        )  # fmt: skip
        day = joined
        for action, gap, target in actions:
            day += timedelta(days=gap)
            if day > date.today():
                break
            try:
                if action == "transfer":
                    member_transfer(
                        membership=membership, to_unit=units[target % len(units)], on=day, actor=None
                    )
                elif action == "leave":
                    member_leave(membership=membership, on=day, reason="Lý do", actor=None)
                elif action == "rejoin":
                    member_rejoin(membership=membership, on=day, unit=units[target % len(units)], actor=None)
                else:
                    member_record_death(membership=membership, on=day, actor=None)
            except DomainError:
                pass  # a refused action changes nothing


def _members_read_from_events(unit: OrgUnit, day: date) -> int:
    """Members of ``unit``'s subtree on ``day``, read plainly from the events."""
    paths = dict(OrgUnit.unscoped.values_list("pk", "path"))
    where: dict[int, int | None] = {}
    for event in MembershipEvent.unscoped.filter(happened_on__lte=day).order_by("happened_on", "id"):
        if event.kind in (EventKind.JOINED, EventKind.TRANSFERRED, EventKind.REJOINED):
            where[event.membership_id] = event.org_unit_id
        elif event.kind in (EventKind.LEFT, EventKind.DIED):
            where[event.membership_id] = None
    return sum(1 for unit_id in where.values() if unit_id and paths[unit_id].startswith(unit.path))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=TREES, people=PEOPLE, probes=PROBES)
def test_parent_figures_are_the_sum_of_the_children_plus_direct_members(tree, parents, people, probes):
    additive = [i.name for i in registry.indicators() if i.additive]
    try:
        with transaction.atomic(), unit_scope(tree.P):
            units = _build_tree(tree.P, parents)
            _run_history(units, people)
            everything = list(OrgUnit.objects.filter(path__within=tree.P.path))
            for offset in probes:
                day = min(START + timedelta(days=offset), date.today())
                period = StatsPeriod.for_year(day.year, as_of=day)
                own = {}
                for unit in everything:
                    figures = unit_figures(unit=unit, period=period)
                    own[unit.pk] = figures
                    for name in additive:
                        children_sum = sum(row[name] for row in figures.children)
                        assert figures.total[name] == children_sum + figures.direct[name], (
                            unit.name,
                            name,
                            day,
                        )
                    assert figures.total["members"] == _members_read_from_events(unit, day), (unit.name, day)
                    alone = unit_figures(unit=unit, period=period, with_children=False)
                    assert {n: alone.total[n] for n in additive} == {n: figures.total[n] for n in additive}
                    bands = [name for name, _low, _high in registry_age_bands()] + ["age_unknown"]
                    assert sum(figures.total[b] for b in bands) == figures.total["members"]
                    assert (
                        figures.total["members_male"]
                        + figures.total["members_female"]
                        + figures.total["members_gender_unknown"]
                        == figures.total["members"]
                    )
                for unit in everything:
                    for row in own[unit.pk].children:
                        child_total = own[row.unit.pk].total
                        for name in additive:
                            assert row[name] == child_total[name], (row.unit.name, name, day)
                        # transfers are not additive, but a child's row must still read as its own report
                        assert row["transfers_in"] == child_total["transfers_in"]
                        assert row["transfers_out"] == child_total["transfers_out"]
            raise Rollback
    except Rollback:
        pass


def registry_age_bands():
    from sohoi.reports.member_indicators import AGE_BANDS

    return AGE_BANDS


LATER = st.lists(
    st.tuples(
        st.sampled_from(["move", "merge", "death", "transfer"]),
        st.integers(min_value=0, max_value=12),
        st.integers(min_value=0, max_value=12),
        st.integers(min_value=1, max_value=200),  # days after the previous change
    ),
    min_size=1,
    max_size=5,
)
CUT = date(2023, 1, 1)


def _snapshot(units: list[OrgUnit], days: list[date]) -> dict:
    """Every unit's figures and child rows on each day, keyed by ids (paths change with moves)."""
    additive = [i.name for i in registry.indicators() if i.additive]
    result = {}
    for day in days:
        period = StatsPeriod.for_year(day.year, as_of=day)
        for unit in units:
            unit.refresh_from_db()
            figures = unit_figures(unit=unit, period=period)
            result[(unit.pk, day)] = (
                {name: figures.total[name] for name in additive},
                {row.unit.pk: {name: row[name] for name in additive} for row in figures.children},
            )
    return result


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=TREES, people=PEOPLE, later=LATER, probes=PROBES)
def test_a_past_report_reads_the_same_after_later_changes(tree, parents, people, later, probes):
    """The figures of a past day do not change when, after it, members die or move and units are
    moved or merged (DOMAIN.md §2: the 2025 reform)."""
    try:
        with transaction.atomic(), unit_scope(tree.root):
            units = _build_tree(tree.P, parents)
            _run_history(units, [p for p in people if START + timedelta(days=p[3]) < CUT])
            MembershipEvent.unscoped.filter(happened_on__gte=CUT).delete()  # keep the history before CUT
            from sohoi.members.models import Membership
            from sohoi.members.services import rebuild_state

            for membership in Membership.unscoped.all():
                rebuild_state(membership)
            everything = list(OrgUnit.objects.filter(path__within=tree.P.path))
            days = sorted({min(START + timedelta(days=offset), CUT - timedelta(days=1)) for offset in probes})
            before = _snapshot(everything, days)

            day = CUT
            for action, first, second, gap in later:
                day += timedelta(days=gap)
                if not apply_later_change(tree, action, first, second, day):
                    break
            after = _snapshot(everything, days)
            assert after == before
            raise Rollback
    except Rollback:
        pass


def apply_later_change(tree, action: str, first: int, second: int, day: date) -> bool:  # noqa: ANN001
    """One later change of the tree or the register on ``day``: move or merge units of P, or a
    death or transfer of a member. False when no open unit is left to change."""
    from sohoi.members.models import Membership

    live = [u for u in OrgUnit.objects.filter(path__within=tree.P.path) if u.is_open and u != tree.P]
    if not live:
        return False
    one, other = live[first % len(live)], live[second % len(live)]
    try:
        with transaction.atomic():
            if action == "move":
                orgunit_move(unit=one, new_parent=other, actor=None, effective_on=day)
            elif action == "merge" and one.parent_id == other.parent_id and one != other:
                orgunit_merge(
                    sources=[one, other], into=other, effective_on=day, actor=None, decision_ref="QĐ 1"
                )
            elif action == "death":
                membership = Membership.objects.filter(status="active").order_by("id").first()
                if membership:
                    member_record_death(membership=membership, on=day, actor=None)
            elif action == "transfer":
                membership = Membership.objects.filter(status="active").order_by("-id").first()
                if membership and other.is_open:
                    member_transfer(membership=membership, to_unit=other, on=day, actor=None)
    except DomainError:
        pass  # a refused change changes nothing
    return True
