"""Property: whatever sequence of lifecycle actions a membership goes through, the kept state
equals the state rebuilt from the events alone, and "members of U on D" agrees with a plain
reading of the events for every unit and day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sohoi.core.errors import DomainError
from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.models import EventKind, Membership, MembershipEvent
from sohoi.members.person_data import PersonInput
from sohoi.members.selectors import members_on
from sohoi.members.services import (
    MembershipInput,
    member_admit,
    member_leave,
    member_make_honorary,
    member_record_death,
    member_rejoin,
    member_transfer,
    rebuild_state,
)
from sohoi.orgunits.models import UnitLevel
from sohoi.orgunits.services import orgunit_create

pytestmark = pytest.mark.django_db

START = date(2000, 1, 1)
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["transfer", "leave", "rejoin", "honorary", "death"]),
        st.integers(min_value=0, max_value=400),  # days after the previous action
        st.integers(min_value=0, max_value=2),  # which unit
    ),
    max_size=8,
)


class Rollback(Exception):
    pass


def _stays_from_events(events):
    """[(unit_id, start, end or None)] read plainly from the events."""
    stays, current = [], None
    for event in events:
        if event.kind == EventKind.JOINED:
            current = [event.org_unit_id, event.happened_on]
        elif event.kind == EventKind.TRANSFERRED:
            stays.append((current[0], current[1], event.happened_on))
            current = [event.org_unit_id, event.happened_on]
        elif event.kind in (EventKind.LEFT, EventKind.DIED):
            stays.append((current[0], current[1], event.happened_on))
            current = None
        elif event.kind == EventKind.REJOINED:
            current = [event.org_unit_id, event.happened_on]
    if current:
        stays.append((current[0], current[1], None))
    return stays


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_kept_state_equals_the_state_rebuilt_from_events(tree, actions):
    try:
        with transaction.atomic():
            units = [tree.A1, tree.B1]
            with unit_scope(tree.P):
                units.append(orgunit_create(parent=tree.A, name="Hội NCT xã A9", level=UnitLevel.COMMUNE,
                                            area=None, actor=None))  # fmt: skip
                membership, _w = member_admit(
                    unit=tree.A1, person=PersonInput(full_name="Hoàng Văn Thử", birth=PartialDate(1930)),
                    membership=MembershipInput(joined=PartialDate.from_date(START)), actor=None,
                )  # fmt: skip
                day = START
                for action, gap, unit_index in actions:
                    day += timedelta(days=gap)
                    if day > date.today():
                        break
                    try:
                        if action == "transfer":
                            member_transfer(
                                membership=membership, to_unit=units[unit_index], on=day, actor=None
                            )
                        elif action == "leave":
                            member_leave(membership=membership, on=day, reason="Lý do", actor=None)
                        elif action == "rejoin":
                            member_rejoin(membership=membership, on=day, unit=units[unit_index], actor=None)
                        elif action == "honorary":
                            member_make_honorary(membership=membership, on=day, actor=None)
                        else:
                            member_record_death(membership=membership, on=day, actor=None)
                    except DomainError:
                        pass  # refused actions change nothing; the property must still hold
                kept = Membership.unscoped.get(pk=membership.pk)
                rebuild_state(kept)
                rebuilt = Membership.unscoped.get(pk=membership.pk)
                assert (rebuilt.org_unit_id, rebuilt.unit_since, rebuilt.status, rebuilt.ended_on,
                        rebuilt.is_honorary) == (kept.org_unit_id, kept.unit_since, kept.status, kept.ended_on,
                                                 kept.is_honorary)  # fmt: skip
                events = list(
                    MembershipEvent.unscoped.filter(membership=membership).order_by("happened_on", "id")
                )
                stays = _stays_from_events(events)
                probe_days = {START - timedelta(days=1), date.today()} | {
                    d for _u, s, e in stays for d in (s, s - timedelta(days=1), e or s)
                }
                for unit in units:
                    for probe in probe_days:
                        expected = any(
                            u == unit.pk and s <= probe and (e is None or probe < e) for u, s, e in stays
                        )
                        found = members_on(unit=unit, day=probe).filter(pk=membership.pk).exists()
                        assert found == expected, (unit.name, probe, stays)
            raise Rollback
    except Rollback:
        pass
