"""The kept statistics give the same figures as the register, whatever happened since they
were built: random histories, later deaths, transfers, unit moves and merges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sohoi.core.scoping import unit_scope
from sohoi.members.services import member_record_death
from sohoi.members.tests.factories import admit
from sohoi.orgunits.models import OrgUnit
from sohoi.reports import kept
from sohoi.reports.indicators import StatsPeriod
from sohoi.reports.models import MemberTally, StaleMark, TallyDay
from sohoi.reports.selectors import stats_scope, unit_figures
from sohoi.reports.tests.test_consistency_property import (
    PEOPLE,
    PROBES,
    START,
    TREES,
    Rollback,
    _build_tree,
    _run_history,
    apply_later_change,
)

pytestmark = pytest.mark.django_db

CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["move", "merge", "death", "transfer"]),
        st.integers(min_value=0, max_value=12),
        st.integers(min_value=0, max_value=12),
    ),
    max_size=4,
)


def _all_figures(units, days, *, rebase=False):
    result = {}
    for day in days:
        period = StatsPeriod.for_year(day.year, as_of=day)
        for unit in units:
            unit.refresh_from_db()
            figures = unit_figures(unit=unit, period=period, rebase=rebase)
            result[(unit.pk, day)] = (
                figures.total.values,
                {row.unit.pk: row.values for row in figures.children},
            )
    return result


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=TREES, people=PEOPLE, changes=CHANGES, probes=PROBES)
def test_kept_counts_equal_the_register_after_any_changes(tree, parents, people, changes, probes):
    try:
        with transaction.atomic(), unit_scope(tree.root):
            units = _build_tree(tree.P, parents)
            _run_history(units, people)
            everything = list(OrgUnit.objects.filter(path__within=tree.root.path))
            days = sorted({min(START + timedelta(days=offset), date.today()) for offset in probes})
            _all_figures(everything, days)  # builds the kept days
            day = date.today()
            for action, first, second in changes:
                if not apply_later_change(tree, action, first, second, day):
                    break
            everything = list(OrgUnit.objects.filter(path__within=tree.root.path))
            days.append(day)
            for rebase in (False, True):
                with_kept = _all_figures(everything, days, rebase=rebase)
                with override_settings(SOHOI_KEPT_STATISTICS=False):
                    from_register = _all_figures(everything, days, rebase=rebase)
                assert with_kept == from_register
            raise Rollback
    except Rollback:
        pass


def test_a_province_report_reads_the_kept_counts_and_a_change_refreshes_them(tree):
    hung = admit(tree.A1, "Nguyễn Văn Hùng", 1950, joined=date(2020, 1, 1))
    admit(tree.B1, "Trần Thị Lan", 1940, joined=date(2020, 1, 1))
    period = StatsPeriod.for_year(2024, today=date(2026, 1, 1))
    with unit_scope(tree.P):
        scope = stats_scope(unit=tree.P, period=period)
        assert scope.kept
        assert MemberTally.objects.filter(day=date(2024, 12, 31)).count() == 2
        assert unit_figures(unit=tree.P, period=period).total["members"] == 2
        assert not StaleMark.objects.exists()
        member_record_death(membership=hung, on=date(2024, 6, 1), actor=None)
        assert StaleMark.objects.filter(path=tree.A1.path).exists()
        assert unit_figures(unit=tree.P, period=period).total["members"] == 1
        assert unit_figures(unit=tree.P, period=period).total["deaths"] == 1
        assert not StaleMark.objects.exists()
    with unit_scope(tree.A1):
        assert not stats_scope(unit=tree.A1, period=period).kept  # a commune reads the register


def test_a_mark_made_again_while_a_refresh_reads_survives_it(tree):
    admit(tree.A1, "Nguyễn Văn Hùng", 1950, joined=date(2020, 1, 1))
    mark = StaleMark.objects.get(path=tree.A1.path)
    seen = mark.seq
    StaleMark.objects.filter(pk=mark.pk).update(seq=seen + 1)  # a change made after the read
    StaleMark.objects.filter(path=tree.A1.path, seq=seen).delete()  # what refresh deletes
    assert StaleMark.objects.filter(path=tree.A1.path).exists()


def test_reset_forgets_everything_and_the_next_read_builds_again(tree):
    admit(tree.A1, "Nguyễn Văn Hùng", 1950, joined=date(2020, 1, 1))
    period = StatsPeriod.for_year(2024, today=date(2026, 1, 1))
    with unit_scope(tree.P):
        unit_figures(unit=tree.P, period=period)
        kept.reset()
        assert not TallyDay.objects.exists() and not MemberTally.objects.exists()
        assert unit_figures(unit=tree.P, period=period).total["members"] == 1
        assert TallyDay.objects.filter(day=date(2024, 12, 31)).exists()


@pytest.mark.parametrize(
    ("start", "end", "spans"),
    [
        (date(2024, 1, 1), date(2024, 12, 31), [(True, date(2024, 1, 1), date(2024, 12, 31))]),
        (date(2026, 1, 1), date(2026, 11, 23),
         [(True, date(2026, 1, 1), date(2026, 10, 31)), (False, date(2026, 11, 1), date(2026, 11, 23))]),
        (date(2023, 10, 1), date(2024, 9, 30), [(True, date(2023, 10, 1), date(2024, 9, 30))]),
        (date(2024, 1, 15), date(2024, 1, 20), [(False, date(2024, 1, 15), date(2024, 1, 20))]),
        (date(2024, 3, 15), date(2024, 5, 10),
         [(True, date(2024, 4, 1), date(2024, 4, 30)), (False, date(2024, 3, 15), date(2024, 3, 31)),
          (False, date(2024, 5, 1), date(2024, 5, 10))]),
        (date(2024, 12, 2), date(2025, 2, 27),
         [(True, date(2025, 1, 1), date(2025, 1, 31)), (False, date(2024, 12, 2), date(2024, 12, 31)),
          (False, date(2025, 2, 1), date(2025, 2, 27))]),
    ],
)  # fmt: skip
def test_a_period_is_read_as_whole_months_and_the_days_around_them(start, end, spans):
    assert kept._spans(start, end) == spans
