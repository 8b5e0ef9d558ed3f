from __future__ import annotations

from datetime import date

import pytest

from sohoi.core.errors import DomainError, NotFoundError, UnitNotFoundError
from sohoi.core.models import AuditEvent
from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.models import Consent, EventKind, Membership, MembershipEvent, MembershipStatus, Person
from sohoi.members.person_data import PersonInput
from sohoi.members.selectors import members_on
from sohoi.members.services import (
    ConflictError,
    MembershipInput,
    consent_record,
    consent_withdraw,
    member_admit,
    member_leave,
    member_transfer,
    member_update,
    person_merge,
    person_restore,
)
from sohoi.members.tests.factories import admit
from sohoi.orgunits.models import Association, UnitLevel
from sohoi.orgunits.services import orgunit_create, orgunit_create_root

pytestmark = pytest.mark.django_db


def fresh(membership):
    return Membership.unscoped.select_related("person", "org_unit").get(pk=membership.pk)


def test_merge_combines_two_memberships_of_one_association_and_fills_blank_fields(tree, dung):
    keep = admit(tree.A, phone="0912345678")
    drop = admit(
        tree.A1, joined=date(2010, 5, 1), id_number="001050012345", gender="male", address="Thôn Đông"
    )
    with unit_scope(tree.A):
        member_transfer(membership=drop, to_unit=tree.A, on=date(2012, 1, 1), actor=None)
        kept = person_merge(keep=keep, drop=drop, actor=dung)
    kept.refresh_from_db()
    assert kept.phone == "+84912345678" and kept.id_number == "001050012345" and kept.address == "Thôn Đông"
    assert not Membership.unscoped.filter(pk=drop.pk).exists()
    keep = fresh(keep)
    assert keep.joined_on == date(2010, 5, 1) and keep.status == MembershipStatus.ACTIVE
    kinds = list(MembershipEvent.unscoped.filter(membership=keep).values_list("kind", flat=True))
    assert kinds.count(EventKind.JOINED) == 2 and EventKind.TRANSFERRED in kinds
    dropped = Person.unscoped.get(pk=drop.person_id)
    assert dropped.merged_into == kept
    assert drop.history.filter(history_type="-").exists()
    assert AuditEvent.unscoped.filter(action="member.merged").count() == 1


def test_merge_moves_a_membership_of_another_association_to_the_kept_person(tree):
    other = Association.objects.get(code="khuyen-hoc")
    root = orgunit_create_root(association=other, name="Hội KH", area=None, actor=None)
    with unit_scope(root):
        kh = orgunit_create(parent=root, name="Chi hội KH", level=UnitLevel.PROVINCE, area=None, actor=None)
    keep = admit(tree.A1)
    drop = admit(kh)
    with unit_scope([tree.A1, kh]):
        kept = person_merge(keep=keep, drop=drop, actor=None)
    assert fresh(drop).person_id == kept.pk
    assert set(Membership.unscoped.filter(person=kept).values_list("pk", flat=True)) == {keep.pk, drop.pk}


def test_merge_refuses_the_same_person_and_a_unit_outside_the_scope(tree):
    keep = admit(tree.A1)
    other = admit(tree.B1)
    with unit_scope(tree.A), pytest.raises(DomainError) as error:
        person_merge(keep=keep, drop=keep, actor=None)
    assert error.value.code == "same_person"
    with unit_scope(tree.A), pytest.raises(UnitNotFoundError):
        person_merge(keep=keep, drop=other, actor=None)
    assert Person.unscoped.filter(merged_into__isnull=False).count() == 0


def test_restore_brings_back_an_old_version_as_a_new_change(tree, dung):
    membership = admit(tree.A1, phone="0912345678")
    first = membership.person.history.earliest("history_date")
    with unit_scope(tree.A1):
        member_update(
            membership=membership,
            person_data=PersonInput(full_name="Nguyễn Văn Hưng", birth=PartialDate(1951), phone="0987654321"),
            membership_data=MembershipInput(joined=PartialDate(2015, 3, 1)),
            expected_version=membership.version,
            actor=None,
        )
        current = fresh(membership)
        with pytest.raises(ConflictError):
            person_restore(membership=current, history_id=first.history_id, actor=dung, expected_version=1)
        person = person_restore(
            membership=current, history_id=first.history_id, actor=dung, expected_version=current.version
        )
    assert (
        person.full_name == "Nguyễn Văn Hùng" and person.birth_year == 1950 and person.phone == "+84912345678"
    )
    assert person.search_name == "nguyen van hung"
    assert person.history.count() == 3 and person.history.first().history_user == dung
    assert fresh(membership).version == current.version + 1
    assert AuditEvent.unscoped.filter(action="member.restored").count() == 1


def test_restore_of_an_unknown_version_is_not_found(tree):
    membership = admit(tree.A1)
    other = admit(tree.A1, name="Lê Thị Lan")
    foreign = other.person.history.first()
    with unit_scope(tree.A1), pytest.raises(NotFoundError):
        person_restore(
            membership=membership, history_id=foreign.history_id, actor=None, expected_version=None
        )


def test_consent_allows_sensitive_data_and_withdrawing_it_clears_them(tree, dung):
    membership = admit(tree.A1)
    with unit_scope(tree.A1):
        consent = consent_record(membership=membership, purposes="Chăm sóc sức khỏe", method="thumbprint",
                                 given_on=date(2025, 1, 2), actor=dung, notice_version="TB-01")  # fmt: skip
        member_update(
            membership=membership,
            person_data=PersonInput(full_name="Nguyễn Văn Hùng", birth=PartialDate(1950), religion="Phật giáo",
                                    health_note="Huyết áp cao"),
            membership_data=MembershipInput(joined=PartialDate(2015, 3, 1)),
            expected_version=None,
            actor=None,
        )  # fmt: skip
        with_data = membership.person.history.first()
        consent_withdraw(consent=consent, on=date(2025, 6, 1), actor=dung)
        person = Person.unscoped.get(pk=membership.person_id)
        assert (person.religion, person.health_note) == ("", "")
        # Restoring a version from before the withdrawal does not bring them back.
        with pytest.raises(DomainError) as error:
            person_restore(membership=fresh(membership), history_id=with_data.history_id, actor=None,
                           expected_version=None)  # fmt: skip
        assert error.value.code == "unchanged"
    person.refresh_from_db()
    assert person.religion == "" and Consent.unscoped.get().withdrawn_on == date(2025, 6, 1)
    # Withdrawal erases them from the kept versions too: no page or restore can show them again.
    assert not person.history.filter(religion="Phật giáo").exists()
    assert person.history.count() >= 2


def test_consent_needs_purposes_a_method_and_a_representative_when_one_signs(tree):
    membership = admit(tree.A1)
    base = dict(membership=membership, given_on=date(2025, 1, 2), actor=None)
    with unit_scope(tree.A1):
        with pytest.raises(DomainError) as error:
            consent_record(purposes=" ", method="signature", **base)
        assert error.value.field == "purposes"
        with pytest.raises(DomainError) as error:
            consent_record(purposes="Y tế", method="wink", **base)
        assert error.value.field == "method"
        with pytest.raises(DomainError) as error:
            consent_record(purposes="Y tế", method="representative", **base)
        assert error.value.field == "representative"
    assert Consent.unscoped.count() == 0


def test_withdrawing_twice_or_before_the_consent_is_refused(tree):
    membership = admit(tree.A1)
    with unit_scope(tree.A1):
        consent = consent_record(membership=membership, purposes="Y tế", method="signature",
                                 given_on=date(2025, 1, 2), actor=None)  # fmt: skip
        with pytest.raises(DomainError):
            consent_withdraw(consent=consent, on=date(2024, 1, 1), actor=None)
        consent_withdraw(consent=consent, on=date(2025, 2, 1), actor=None)
        with pytest.raises(DomainError):
            consent_withdraw(consent=consent, on=date(2025, 3, 1), actor=None)


def test_merge_after_a_leave_keeps_the_state_the_events_give(tree):
    """An active record and an older one that had left: one membership, joined 2014, left 2015,
    back from 2016 (the second admission reads as a re-join), active in keep's unit."""
    with unit_scope(tree.A):
        A2 = orgunit_create(parent=tree.A, name="Hội NCT xã A2", level="commune", area=None, actor=None)
    keep = admit(A2, joined=date(2016, 1, 1))
    drop = admit(tree.A1, joined=date(2014, 1, 1), confirmed_warnings=True)
    with unit_scope(tree.A):
        member_leave(membership=drop, on=date(2015, 1, 1), reason="Chuyển đi nơi khác", actor=None)
        person_merge(keep=keep, drop=drop, actor=None)
        keep = fresh(keep)
        assert (keep.joined_on, keep.status, keep.org_unit_id, keep.unit_since) == (
            date(2014, 1, 1), MembershipStatus.ACTIVE, A2.pk, date(2016, 1, 1))  # fmt: skip
        assert set(members_on(unit=tree.A1, day=date(2014, 6, 1))) == {keep}
        assert set(members_on(unit=tree.A, day=date(2015, 6, 1))) == set()
        assert set(members_on(unit=A2, day=date(2020, 1, 1))) == {keep}


def test_merge_of_two_active_records_keeps_the_later_unit_and_both_stays(tree):
    with unit_scope(tree.A):
        A2 = orgunit_create(parent=tree.A, name="Hội NCT xã A2", level="commune", area=None, actor=None)
    keep = admit(A2, joined=date(2020, 1, 1))
    drop = admit(tree.A1, joined=date(2010, 1, 1), confirmed_warnings=True)
    with unit_scope(tree.A):
        person_merge(keep=keep, drop=drop, actor=None)
        keep = fresh(keep)
        assert (keep.status, keep.org_unit_id, keep.unit_since) == (
            MembershipStatus.ACTIVE,
            A2.pk,
            date(2020, 1, 1),
        )
        assert set(members_on(unit=tree.A1, day=date(2015, 1, 1))) == {keep}
        assert set(members_on(unit=A2, day=date(2021, 1, 1))) == {keep}


def test_merge_refuses_when_the_other_record_has_a_membership_outside_the_scope(tree):
    khuyen_hoc = Association.objects.get(code="khuyen-hoc")
    kh_root = orgunit_create_root(association=khuyen_hoc, name="Hội Khuyến học xã Thử", area=None, actor=None)
    keep = admit(tree.A1)
    drop = admit(tree.A1, confirmed_warnings=True, id_number="001050099999")
    with unit_scope(kh_root):
        member_admit(unit=kh_root, person=Person.unscoped.get(pk=drop.person_id),
                     membership=MembershipInput(joined=PartialDate(2018)), actor=None)  # fmt: skip
    with unit_scope(tree.A), pytest.raises(DomainError):
        person_merge(keep=keep, drop=drop, actor=None)
    assert Person.unscoped.get(pk=drop.person_id).merged_into_id is None
