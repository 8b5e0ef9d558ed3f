from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django_scopes.exceptions import ScopeError

from conftest import PASSWORD
from sohoi.accounts import selectors
from sohoi.accounts.models import RoleGrant
from sohoi.accounts.services import token_create, user_create
from sohoi.core.audit import audit
from sohoi.core.scoping import unit_scope
from sohoi.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_users_with_grants_fails_closed_without_a_scope(chi):
    with pytest.raises(ScopeError):
        selectors.users_with_grants()


def test_users_with_grants_sees_the_subtree_only(chi, binh, dung, an, tree):
    with unit_scope(tree.A):
        names = [row.user.username for row in selectors.users_with_grants()]
    assert sorted(names) == ["binh", "chi", "dung"]
    with unit_scope(tree.B):
        names = [row.user.username for row in selectors.users_with_grants()]
    assert names == ["an"]


def test_users_are_sorted_in_vietnamese_order(tree):
    for username, name in [("d2", "Đào"), ("d1", "Dương"), ("a1", "Ấn"), ("a2", "An")]:
        user_create(
            username=username, full_name=name, password=PASSWORD, actor=None, unit=tree.A1, role="viewer"
        )
    with unit_scope(tree.A1):
        names = [row.user.full_name for row in selectors.users_with_grants()]
    assert names == ["An", "Ấn", "Dương", "Đào"]


def test_a_users_grants_are_grouped_and_limited_to_the_scope(chi, tree):
    multi = user_create(
        username="multi", full_name="Đa", password=PASSWORD, actor=None, unit=tree.A, role="viewer"
    )
    RoleGrant.unscoped.create(user=multi, org_unit=tree.A1, role="editor")
    RoleGrant.unscoped.create(user=multi, org_unit=tree.B1, role="editor")
    with unit_scope(tree.A):
        row = selectors.user_grants_get(code=multi.code)
    assert row is not None
    assert [g.org_unit_id for g in row.grants] == [tree.A.pk, tree.A1.pk]
    with unit_scope(tree.A1):
        assert [g.org_unit_id for g in selectors.user_grants_get(code=multi.code).grants] == [tree.A1.pk]


def test_user_without_grants_in_scope_is_none(an, tree):
    with unit_scope(tree.A):
        assert selectors.user_grants_get(code=an.code) is None
        assert selectors.user_grants_get(code="khongco") is None


def test_grant_get_only_returns_active_grants_of_that_user_in_scope(binh, dung, tree):
    grant = RoleGrant.unscoped.get(user=binh)
    with unit_scope(tree.A):
        assert selectors.grant_get(code=grant.code, user=binh) == grant
        assert selectors.grant_get(code=grant.code, user=dung) is None
    with unit_scope(tree.B):
        assert selectors.grant_get(code=grant.code, user=binh) is None


def test_grantable_units_are_the_open_units_of_the_subtree(tree):
    OrgUnit.unscoped.filter(pk=tree.A1.pk).update(closed_on=date(2025, 1, 1))
    with unit_scope(tree.P):
        codes = list(selectors.grantable_units().values_list("code", flat=True))
    assert codes == [tree.P.code, tree.A.code, tree.B.code, tree.B1.code]


def test_token_list_is_the_users_own(chi, binh):
    token_create(user=chi, name="của chi")
    mine, _ = token_create(user=binh, name="của bình")
    assert list(selectors.token_list(user=binh)) == [mine]
    assert selectors.token_get(user=chi, code=mine.code) is None


def test_audit_cursor_round_trips_exactly():
    cursor = selectors.AuditCursor(at=datetime(2026, 3, 4, 5, 6, 7, 123457, tzinfo=UTC), id=42)
    assert selectors.AuditCursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    "value", [None, "", "x", "1", "_", "a_b", "1_b", "9" * 41, "1e5_2", "99999999999999999999_1"]
)
def test_malformed_audit_cursor_means_the_first_page(value):
    assert selectors.AuditCursor.decode(value) is None


def test_audit_events_are_the_scopes_newest_first(chi, tree):
    audit(action="unit.updated", actor=chi, unit=tree.B)
    first = audit(action="unit.updated", actor=chi, unit=tree.A1)
    second = audit(action="unit.moved", actor=chi, unit=tree.A)
    with unit_scope(tree.A):
        page = selectors.audit_events(size=2)
        assert page.events == [second, first]
        rest = selectors.audit_events(after=selectors.AuditCursor.decode(page.next_cursor), size=50)
    assert all(e.org_unit_id in (tree.A.pk, tree.A1.pk) for e in rest.events)
    assert rest.next_cursor is None


def test_audit_events_fail_closed_without_a_scope(chi):
    with pytest.raises(ScopeError):
        selectors.audit_events()


def test_login_events_are_site_wide_logins_only(chi, tree):
    login = audit(action="auth.login", actor=chi, target=chi)
    audit(action="unit.updated", actor=chi, unit=tree.A)
    page = selectors.login_events_unscoped()
    assert page.events == [login]
