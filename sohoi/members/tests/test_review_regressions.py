"""Defects a review found, each pinned by the test that showed it."""

from __future__ import annotations

from datetime import date

import pytest

from sohoi.core.errors import DomainError
from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.models import Membership, Person
from sohoi.members.person_data import PersonInput
from sohoi.members.services import (
    ConflictError,
    MembershipInput,
    WarningsNotConfirmed,
    consent_record,
    member_admit,
    member_make_honorary,
    member_update,
)
from sohoi.members.tests.factories import admit
from sohoi.orgunits.models import Association
from sohoi.orgunits.services import orgunit_create_root

pytestmark = pytest.mark.django_db


def test_an_edit_that_does_not_show_the_sensitive_fields_keeps_them(tree):
    membership = admit(tree.A1)
    with unit_scope(tree.A1):
        consent_record(membership=membership, purposes="Chăm sóc sức khỏe", method="signature",
                       given_on=date(2024, 1, 1), actor=None)  # fmt: skip
        member_update(membership=membership, membership_data=MembershipInput(joined=PartialDate(2015, 3, 1)),
                      person_data=PersonInput(full_name="Nguyễn Văn Hùng", birth=PartialDate(1950),
                                              health_note="Cao huyết áp"),
                      expected_version=None, actor=None)  # fmt: skip
        # A later form without those fields (no consent in the editor's view) changes the address.
        member_update(membership=Membership.objects.get(pk=membership.pk),
                      membership_data=MembershipInput(joined=PartialDate(2015, 3, 1)),
                      person_data=PersonInput(full_name="Nguyễn Văn Hùng", birth=PartialDate(1950), address="Tổ 5"),
                      expected_version=None, actor=None)  # fmt: skip
    person = Person.unscoped.get()
    assert (person.address, person.health_note) == ("Tổ 5", "Cao huyết áp")


def test_a_stale_form_opened_on_the_other_membership_cannot_overwrite_the_person(tree):
    khuyen_hoc = Association.objects.get(code="khuyen-hoc")
    kh_root = orgunit_create_root(association=khuyen_hoc, name="Hội KH xã Thử", area=None, actor=None)
    nct = admit(tree.A1)
    with unit_scope(kh_root):
        kh, _w = member_admit(unit=kh_root, person=Person.unscoped.get(), actor=None,
                              membership=MembershipInput(joined=PartialDate(2019)))  # fmt: skip
    opened_at = kh.version
    with unit_scope(tree.A1):
        member_update(membership=nct, membership_data=MembershipInput(joined=PartialDate(2015, 3, 1)),
                      person_data=PersonInput(full_name="Nguyễn Văn Hưng", birth=PartialDate(1950),
                                              phone="0912345678"),
                      expected_version=nct.version, actor=None)  # fmt: skip
    with unit_scope(kh_root), pytest.raises(ConflictError):
        member_update(membership=kh, membership_data=MembershipInput(joined=PartialDate(2019)),
                      person_data=PersonInput(full_name="Nguyễn Văn Hùng", birth=PartialDate(1950)),
                      expected_version=opened_at, actor=None)  # fmt: skip
    person = Person.unscoped.get()
    assert (person.full_name, person.phone) == ("Nguyễn Văn Hưng", "+84912345678")
    # Both lists sort the person under the new name.
    assert len({m.sort_key for m in Membership.unscoped.all()}) == 1


def test_the_same_citizen_id_is_never_admitted_twice(tree):
    admit(tree.A1, id_number="001050012345", gender="male")
    with pytest.raises(DomainError) as error:
        admit(
            tree.A1, name="Nguyễn Văn Hùng", id_number="001050012345", gender="male", confirmed_warnings=True
        )
    assert error.value.code == "duplicate_person"
    assert Person.unscoped.count() == 1


def test_the_same_name_and_birth_year_in_the_unit_is_a_warning_to_confirm(tree):
    admit(tree.A1)
    with pytest.raises(WarningsNotConfirmed) as warning:
        admit(tree.A1)
    assert "có thể là cùng một người" in warning.value.message
    admit(tree.A1, confirmed_warnings=True)
    admit(tree.A1, name="Nguyễn Văn Hưng")  # another name (accents count): no warning
    assert Person.unscoped.count() == 3


def test_honorary_cannot_be_dated_before_the_member_joined(tree):
    membership = admit(tree.A1, joined=date(2015, 3, 1))
    with unit_scope(tree.A1), pytest.raises(DomainError):
        member_make_honorary(membership=membership, on=date(2014, 1, 1), actor=None)
