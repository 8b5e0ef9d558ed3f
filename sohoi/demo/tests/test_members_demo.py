"""Demo members: drawn from the seed, realistic, with a past, and consistent with their events."""

from __future__ import annotations

import random
import unicodedata

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from sohoi.core.scoping import unit_scope
from sohoi.demo.members import FAMILY_NAMES, plan_members
from sohoi.demo.seeding import DEFAULT_SEED, seeded_code
from sohoi.imports.values import cccd_consistency
from sohoi.members.models import EventKind, Membership, MembershipEvent, MembershipStatus, MembershipStay
from sohoi.members.person_data import age_on, partial_date
from sohoi.members.services import rebuild_state
from sohoi.orgunits.area_loader import load_areas

from .conftest import area_subset

MEMBERS = 300
TONES = {"\u0300": "huyền", "\u0309": "hỏi", "\u0303": "ngã", "\u0301": "sắc", "\u0323": "nặng"}


@pytest.fixture(scope="module")
def shared_member_demo(django_db_setup, django_db_blocker):
    """One demo with members for the module, rolled back at its end (see conftest.shared_demo)."""
    from sohoi.demo.build import build_demo

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        load_areas(area_subset())
        build = build_demo(seed=DEFAULT_SEED, members=MEMBERS)
        yield build
        transaction.set_rollback(True)


@pytest.fixture
def demo(shared_member_demo, db):
    return shared_member_demo


@pytest.fixture
def memberships(demo):
    # Returned, not yielded inside the scope: a scope held across a fixture's yield is restored
    # at teardown into whatever state the fixture started in, and leaks into the next test.
    with unit_scope([u for u in demo.units.values() if u.parent_id is None]):
        return list(Membership.objects.select_related("person", "org_unit", "association").order_by("id"))


def test_the_same_seed_plans_the_same_members_and_the_database_holds_that_plan(demo, memberships):
    first, second = plan_members(demo, MEMBERS), plan_members(demo, MEMBERS)
    other_seed = type(demo)(seed=DEFAULT_SEED + 1, rng=random.Random(0), units=demo.units)

    assert first == second
    assert [p.person.full_name for p in plan_members(other_seed, MEMBERS)] != [
        p.person.full_name for p in first
    ]
    by_code = {m.code: m for m in memberships}
    for index, plan in enumerate(first):
        membership = by_code[seeded_code(DEFAULT_SEED, f"member:{index}")]
        assert membership.person.full_name == plan.person.full_name
        assert membership.association.code == demo.units[plan.place].association.code
    assert len(memberships) >= MEMBERS


def test_ages_are_55_to_104_mostly_60_to_75_and_the_under_60s_joined_by_exception(demo, memberships):
    today = timezone.localdate()
    people = {m.person_id: m.person for m in memberships}
    ages = [today.year - p.birth_year for p in people.values()]
    exact = [age_on(partial_date(p.birth_date, p.birth_precision), today) for p in people.values()]

    assert min(ages) >= 55 and max(ages) <= 104 and ages == exact
    assert sum(60 <= a <= 75 for a in ages) > len(ages) / 2
    assert 0 < sum(a > 90 for a in ages) < len(ages) / 10
    assert {p.birth_precision for p in people.values()} == {"day", "month", "year"}
    reasons = dict(
        MembershipEvent.unscoped.filter(kind=EventKind.JOINED, membership__in=memberships).values_list(
            "membership_id", "reason"
        )
    )
    for membership in memberships:
        birth = partial_date(membership.person.birth_date, membership.person.birth_precision)
        joined_age = age_on(birth, membership.joined_on)
        assert joined_age >= 55
        if joined_age < 60:
            assert reasons[membership.pk], membership.person.full_name
    assert any(reasons.values())


def test_names_carry_every_tone_and_vietnamese_letter_with_gender_consistent_middle_names(demo, memberships):
    names = [m.person.full_name for m in memberships]
    marks = {mark for name in names for mark in unicodedata.normalize("NFD", name.lower())}
    letters = set("".join(names).lower())

    assert {TONES[m] for m in marks if m in TONES} == set(TONES.values())
    assert set("ăâđêôơư") <= letters
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    assert {"Tôn Thất", "Âu Dương", "Nguyễn Phúc"} <= {name for name, _weight in FAMILY_NAMES}
    middles = {(m.person.gender, m.person.middle_name) for m in memberships}
    assert ("male", "Thị") not in middles and ("female", "Văn") not in middles
    assert ("male", "Văn") in middles and ("female", "Thị") in middles
    assert any(g == "male" and mid not in ("Văn", "") for g, mid in middles)


def test_ids_agree_with_birth_and_gender_and_about_half_have_a_phone(demo, memberships):
    people = {m.person_id: m.person for m in memberships}.values()
    cccd = [p for p in people if p.id_type == "cccd"]

    assert all(cccd_consistency(p.id_number, p.gender, p.birth_year) is None for p in cccd)
    assert len(cccd) > len(people) * 0.6 and any(p.id_type == "cmnd" for p in people)
    assert any(not p.id_number for p in people)
    with_phone = [p for p in people if p.phone]
    assert 0.35 < len(with_phone) / len(people) < 0.65
    assert all(p.phone.startswith("+84") and len(p.phone) == 12 for p in with_phone)
    assert all(p.hamlet_id or p.area_id for p in people)


def test_members_have_a_past_of_transfers_departures_and_deaths_consistent_with_their_events(
    demo, memberships
):
    statuses = {m.status for m in memberships}
    kinds = set(MembershipEvent.unscoped.filter(membership__in=memberships).values_list("kind", flat=True))

    assert statuses == {MembershipStatus.ACTIVE, MembershipStatus.LEFT, MembershipStatus.DECEASED}
    assert {EventKind.JOINED, EventKind.TRANSFERRED, EventKind.LEFT, EventKind.DIED} <= kinds
    assert all(m.person.died_on == m.ended_on for m in memberships if m.status == MembershipStatus.DECEASED)
    assert len({m.org_unit_id for m in memberships}) > 30
    years = {m.joined_on.year for m in memberships}
    assert min(years) < 2010 and max(years) >= timezone.localdate().year - 1
    for membership in memberships:
        kept = (membership.org_unit_id, membership.unit_since, membership.status, membership.ended_on,
                sorted(MembershipStay.unscoped.filter(membership=membership).values_list(
                    "org_unit_id", "started_on", "ended_on")))  # fmt: skip
        rebuild_state(membership)
        fresh = Membership.unscoped.get(pk=membership.pk)
        rebuilt = (fresh.org_unit_id, fresh.unit_since, fresh.status, fresh.ended_on,
                   sorted(MembershipStay.unscoped.filter(membership=membership).values_list(
                       "org_unit_id", "started_on", "ended_on")))  # fmt: skip
        assert rebuilt == kept, membership.code
