from __future__ import annotations

from datetime import date

import pytest
from django_scopes import scopes_disabled

from sohoi.core.errors import DomainError, UnitNotFoundError
from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.models import (
    EventKind,
    Membership,
    MembershipEvent,
    MembershipStatus,
    MembershipStay,
    Person,
)
from sohoi.members.person_data import PersonInput
from sohoi.members.selectors import MemberFilters, member_page, members_on
from sohoi.members.services import (
    ConflictError,
    MembershipInput,
    WarningsNotConfirmed,
    member_admit,
    member_leave,
    member_make_honorary,
    member_record_death,
    member_rejoin,
    member_transfer,
    member_update,
    rebuild_state,
)
from sohoi.members.tests.factories import admit
from sohoi.orgunits.models import UnitLevel
from sohoi.orgunits.services import NewUnitSpec, orgunit_close, orgunit_create, orgunit_merge

pytestmark = pytest.mark.django_db


def test_admit_stores_the_name_nfc_with_its_parts_and_a_joined_event(tree, chi):
    decomposed = "Nguye\u0302\u0303n Va\u0306n Hu\u0300ng"
    membership = admit(tree.A1, name=decomposed, actor=chi)
    person = membership.person
    assert person.full_name == "Nguyễn Văn Hùng"
    assert (person.family_name, person.middle_name, person.given_name) == ("Nguyễn", "Văn", "Hùng")
    assert person.search_name == "nguyen van hung"
    assert person.birth_year == 1950 and person.birth_precision == "year"
    events = list(MembershipEvent.unscoped.filter(membership=membership))
    assert [(e.kind, e.happened_on, e.actor) for e in events] == [(EventKind.JOINED, date(2015, 3, 1), chi)]
    assert membership.status == MembershipStatus.ACTIVE
    assert person.history.count() == 1 and person.history.first().history_user == chi


def test_admit_outside_the_scope_is_refused_and_writes_nothing(tree):
    with unit_scope(tree.B), pytest.raises(UnitNotFoundError):
        member_admit(unit=tree.A1, person=PersonInput(full_name="Lê Thị Bé"),
                     membership=MembershipInput(joined=PartialDate(2020)), actor=None)  # fmt: skip
    assert Person.unscoped.count() == 0


def test_age_below_the_rule_needs_a_reason_then_a_confirmation(tree):
    data = dict(unit=tree.A1, membership=MembershipInput(joined=PartialDate(2020, 5, 1)), actor=None)
    with unit_scope(tree.A1):
        with pytest.raises(DomainError) as error:
            member_admit(person=PersonInput(full_name="Trần Văn Trẻ", birth=PartialDate(1963)), **data)
        assert error.value.code == "age_below_rule" and "57" in error.value.message
        with pytest.raises(WarningsNotConfirmed):
            member_admit(person=PersonInput(full_name="Trần Văn Trẻ", birth=PartialDate(1963)),
                         exception_reason="Được giao công tác Hội", **data)  # fmt: skip
        membership, warnings = member_admit(
            person=PersonInput(full_name="Trần Văn Trẻ", birth=PartialDate(1963)),
            exception_reason="Được giao công tác Hội", confirmed_warnings=True, **data,
        )  # fmt: skip
    assert len(warnings) == 1
    assert MembershipEvent.unscoped.get(membership=membership).reason == "Được giao công tác Hội"


def test_cccd_that_disagrees_with_birth_year_is_a_warning_not_an_error(tree):
    with unit_scope(tree.A1):
        with pytest.raises(WarningsNotConfirmed):
            member_admit(unit=tree.A1, membership=MembershipInput(joined=PartialDate(2020)), actor=None,
                         person=PersonInput(full_name="Lê Văn Tám", birth=PartialDate(1950), gender="male",
                                            id_number="001055012345"))  # fmt: skip
        membership, warnings = member_admit(
            unit=tree.A1, membership=MembershipInput(joined=PartialDate(2020)), actor=None, confirmed_warnings=True,
            person=PersonInput(full_name="Lê Văn Tám", birth=PartialDate(1950), gender="male", id_number="001055012345"),
        )  # fmt: skip
    assert warnings and membership.person.id_number == "001055012345"


def test_lifecycle_keeps_state_in_step_with_events_and_answers_any_past_day(tree):
    with scopes_disabled():
        A2 = orgunit_create(
            parent=tree.A, name="Hội NCT xã A2", level=UnitLevel.COMMUNE, area=None, actor=None
        )
    membership = admit(tree.A1, joined=date(2010, 1, 1))
    with unit_scope(tree.A):
        member_transfer(membership=membership, to_unit=A2, on=date(2015, 6, 1), actor=None)
        member_leave(membership=membership, on=date(2018, 1, 1), reason="Chuyển đi nơi khác", actor=None)
        member_rejoin(membership=membership, on=date(2019, 1, 1), actor=None)
        member_make_honorary(membership=membership, on=date(2020, 1, 1), actor=None)
        member_record_death(membership=membership, on=date(2024, 2, 1), actor=None)
        kept = Membership.unscoped.get(pk=membership.pk)
        assert (kept.org_unit_id, kept.status, kept.ended_on, kept.is_honorary) == (
            A2.pk, MembershipStatus.DECEASED, date(2024, 2, 1), True)  # fmt: skip
        stays = sorted(
            MembershipStay.unscoped.filter(membership=membership).values_list(
                "org_unit_id", "started_on", "ended_on"
            )
        )
        rebuild_state(kept)
        rebuilt = Membership.unscoped.get(pk=membership.pk)
        assert (rebuilt.org_unit_id, rebuilt.unit_since, rebuilt.status, rebuilt.ended_on) == (
            kept.org_unit_id, kept.unit_since, kept.status, kept.ended_on)  # fmt: skip
        assert sorted(MembershipStay.unscoped.filter(membership=membership).values_list(
            "org_unit_id", "started_on", "ended_on")) == stays  # fmt: skip

        def members(unit, day):
            return set(members_on(unit=unit, day=day).values_list("pk", flat=True))

        assert members(tree.A1, date(2012, 1, 1)) == {membership.pk}
        assert members(A2, date(2012, 1, 1)) == set()
        assert members(A2, date(2016, 1, 1)) == {membership.pk}
        assert members(tree.A1, date(2016, 1, 1)) == set()
        assert members(A2, date(2018, 6, 1)) == set()  # had left
        assert members(A2, date(2023, 1, 1)) == {membership.pk}
        assert members(A2, date(2024, 3, 1)) == set()  # died
        assert members(tree.A, date(2016, 1, 1)) == {membership.pk}
    assert Person.unscoped.get().died_on == date(2024, 2, 1)


def test_a_merge_moves_active_members_with_a_transfer_caused_by_it(tree):
    with scopes_disabled():
        A2 = orgunit_create(
            parent=tree.A, name="Hội NCT xã A2", level=UnitLevel.COMMUNE, area=None, actor=None
        )
    staying = admit(tree.A1, name="Phạm Thị Lan", joined=date(2010, 1, 1))
    gone = admit(tree.A1, name="Đỗ Văn Mạnh", joined=date(2010, 1, 1))
    with unit_scope(tree.A):
        member_leave(membership=gone, on=date(2012, 1, 1), reason="Thôi", actor=None)
        merged, _event = orgunit_merge(
            sources=[tree.A1, A2], into=NewUnitSpec(name="Hội NCT xã A mới", parent=tree.A, level=UnitLevel.COMMUNE),
            effective_on=date(2025, 7, 1), actor=None, decision_ref="QĐ 1",
        )  # fmt: skip
        moved = Membership.unscoped.get(pk=staying.pk)
        assert moved.org_unit_id == merged.pk and moved.unit_since == date(2025, 7, 1)
        transfer = MembershipEvent.unscoped.get(membership=moved, kind=EventKind.TRANSFERRED)
        assert transfer.cause is not None and transfer.from_unit_id == tree.A1.pk
        assert Membership.unscoped.get(pk=gone.pk).org_unit_id == tree.A1.pk
        assert set(members_on(unit=tree.A1, day=date(2020, 1, 1))) == {moved}


def test_a_unit_with_active_members_cannot_be_dissolved(tree):
    admit(tree.A1)
    with unit_scope(tree.A), pytest.raises(DomainError) as error:
        orgunit_close(unit=tree.A1, effective_on=date(2025, 7, 1), actor=None, decision_ref="QĐ 2")
    assert error.value.code == "not_empty"


def test_an_edit_over_a_newer_save_is_refused(tree):
    membership = admit(tree.A1)
    opened_at = membership.version
    with unit_scope(tree.A1):
        member_update(membership=membership, person_data=PersonInput(full_name="Nguyễn Văn Hùng", phone="0912345678"),
                      membership_data=MembershipInput(joined=PartialDate(2015, 3, 1)), expected_version=opened_at,
                      actor=None)  # fmt: skip
        with pytest.raises(ConflictError):
            member_update(membership=membership, person_data=PersonInput(full_name="Nguyễn Văn Hưng"),
                          membership_data=MembershipInput(joined=PartialDate(2015, 3, 1)),
                          expected_version=opened_at, actor=None)  # fmt: skip
    person = Person.unscoped.get()
    assert person.full_name == "Nguyễn Văn Hùng" and person.phone == "+84912345678"


@pytest.mark.parametrize("where", ["A1", "P"])  # a commune scans its rows; a province uses the word index
def test_search_folds_accents_unless_typed_and_sorts_the_vietnamese_way(tree, where):
    for name in [
        "Nguyễn Văn Hùng",
        "Nguyễn Văn Hưng",
        "Trần Thị Ánh",
        "Lê Văn An",
        "Đặng Thị Đào",
        "Vũ Thị Dung",
    ]:
        admit(tree.A1, name=name)
    unit = getattr(tree, where)
    with unit_scope(unit):

        def names(q=""):
            return [m.person.full_name for m in member_page(unit=unit, filters=MemberFilters(q=q)).rows]

        assert names() == [
            "Lê Văn An",
            "Trần Thị Ánh",
            "Vũ Thị Dung",
            "Đặng Thị Đào",
            "Nguyễn Văn Hùng",
            "Nguyễn Văn Hưng",
        ]
        assert names("nguyen van hung") == ["Nguyễn Văn Hùng", "Nguyễn Văn Hưng"]
        assert names("hùng") == ["Nguyễn Văn Hùng"]
        assert names("NGUYỄN hư") == ["Nguyễn Văn Hưng"]
        assert names("dao") == ["Đặng Thị Đào"]
        assert names("xyz") == []
    with unit_scope(tree.B):
        assert list(Membership.objects.all()) == [] and list(Person.objects.all()) == []


def test_the_word_index_follows_every_insert_update_and_delete(tree):
    """SQLite rebuilds a table to alter a column and drops its triggers: the word index must
    still follow the people table after every migration."""
    membership = admit(tree.A1, name="Lương Thị Xuân")
    with unit_scope(tree.P):

        def found(q):
            return [m.pk for m in member_page(unit=tree.P, filters=MemberFilters(q=q, status="")).rows]

        assert found("luong xuan") == [membership.pk]
        member_update(membership=membership, person_data=PersonInput(full_name="Lương Thị Thu"),
                      membership_data=MembershipInput(joined=PartialDate(2015, 3, 1)), expected_version=None,
                      actor=None)  # fmt: skip
        assert found("luong xuan") == [] and found("luong thu") == [membership.pk]


@pytest.mark.parametrize("where", ["A1", "P"])
def test_digits_find_a_member_by_phone_citizen_id_or_member_number(tree, where):
    hung = admit(tree.A1, name="Nguyễn Văn Hùng", phone="0912345678", id_number="024150001234")
    lan = admit(tree.A1, name="Trần Thị Lan", phone="+84 983 111 222")
    with unit_scope(tree.A1):
        Membership.objects.filter(pk=lan.pk).update(member_number="2024017")
    admit(tree.B1, name="Ngô Văn Khác", phone="0912345679", id_number="024150009999")
    unit = getattr(tree, where)
    with unit_scope(unit):

        def found(q):
            return [m.person.full_name for m in member_page(unit=unit, filters=MemberFilters(q=q)).rows]

        assert found("0912 345 678") == ["Nguyễn Văn Hùng"]
        assert found("+84912345678") == ["Nguyễn Văn Hùng"]
        assert found("0241500012") == ["Nguyễn Văn Hùng"]  # a CCCD prefix
        assert found("0983") == ["Trần Thị Lan"]  # a phone prefix
        assert found("2024017") == ["Trần Thị Lan"]
        assert found("99999") == []
    assert hung.pk


def test_a_row_written_without_history_gets_its_first_state_recorded_before_a_change(tree):
    membership = admit(tree.A1, name="Cao Văn Nhập", phone="0912345678")
    with unit_scope(tree.A1):
        person = Person.objects.get()
        person.history.all().delete()  # as an import writes it: no history row
        membership.history.all().delete()
        member_update(membership=membership, person_data=PersonInput(full_name="Cao Văn Nhập", phone="0987654321"),
                      membership_data=MembershipInput(joined=PartialDate(2015, 3, 1)), expected_version=None,
                      actor=None)  # fmt: skip
        versions = list(person.history.order_by("history_date", "history_id"))
    assert [(v.history_type, v.phone) for v in versions] == [("+", "+84912345678"), ("~", "+84987654321")]
    assert versions[0].history_date == person.created_at
