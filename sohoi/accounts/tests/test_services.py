"""Services of accounts: who may grant what where, and the API tokens."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from conftest import PASSWORD
from sohoi.accounts.models import ApiToken, Role, RoleGrant, User
from sohoi.accounts.permissions import perms_for, visible_unit_paths
from sohoi.accounts.services import (
    grant_create,
    grant_revoke,
    system_grant_area,
    token_create,
    token_revoke,
    user_create,
    user_for_token,
)
from sohoi.core.errors import DomainError, NotFoundError, PermissionDeniedError
from sohoi.core.models import AuditEvent
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme, Association, UnitLevel
from sohoi.orgunits.services import orgunit_create


def grants_count() -> int:
    return RoleGrant.unscoped.count()


def test_an_admin_grants_a_role_inside_their_subtree_and_it_is_audited(chi, tree):
    newcomer = user_create(username="moi", full_name="Người Mới", password=PASSWORD, actor=None)
    grant = grant_create(user=newcomer, role=Role.EDITOR, unit=tree.A1, actor=chi)
    assert "members.change" in perms_for(newcomer, tree.A1)
    assert "members.change" not in perms_for(newcomer, tree.A)
    assert AuditEvent.unscoped.filter(action="grant.created", data__grant=grant.code, actor=chi).exists()


def test_an_editor_cannot_grant_anything(dung, tree):
    newcomer = user_create(username="moi", full_name="Người Mới", password=PASSWORD, actor=None)
    before = grants_count()
    with pytest.raises(PermissionDeniedError, match="không có quyền quản lý người dùng"):
        grant_create(user=newcomer, role=Role.VIEWER, unit=tree.A1, actor=dung)
    assert grants_count() == before


def test_an_admin_cannot_grant_on_a_sibling_unit(chi, tree):
    newcomer = user_create(username="moi", full_name="Người Mới", password=PASSWORD, actor=None)
    before = grants_count()
    with pytest.raises(NotFoundError):
        grant_create(user=newcomer, role=Role.VIEWER, unit=tree.B1, actor=chi)
    with pytest.raises(NotFoundError):
        grant_create(user=newcomer, role=Role.VIEWER, unit=tree.P, actor=chi)  # above their own grant
    assert grants_count() == before


def test_export_is_granted_only_by_someone_who_holds_it(tree):
    admin_without_export = user_create(
        username="khongxuat",
        full_name="Không Xuất",
        password=PASSWORD,
        actor=None,
        unit=tree.A,
        role=Role.ADMIN,
    )
    newcomer = user_create(username="moi", full_name="Người Mới", password=PASSWORD, actor=None)
    before = grants_count()
    with pytest.raises(PermissionDeniedError, match="xuất dữ liệu cá nhân"):
        grant_create(
            user=newcomer, role=Role.VIEWER, unit=tree.A1, actor=admin_without_export, can_export=True
        )
    assert grants_count() == before


def test_a_role_above_the_actors_own_is_refused(tree):
    # Someone holding users.manage below admin rank does not exist today; simulate an editor whose
    # grant carried users.manage to prove the rank rule holds on its own.
    from sohoi.accounts import permissions

    editor = user_create(username="bientap", full_name="Biên Tập", password=PASSWORD, actor=None, unit=tree.A,
                         role=Role.EDITOR)  # fmt: skip
    newcomer = user_create(username="moi", full_name="Người Mới", password=PASSWORD, actor=None)
    patched = dict(permissions.ROLE_PERMS)
    patched[Role.EDITOR] = permissions.ROLE_PERMS[Role.EDITOR] | {"users.manage"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(permissions, "ROLE_PERMS", patched)
        before = grants_count()
        with pytest.raises(PermissionDeniedError, match="cao hơn vai trò của chính bạn"):
            grant_create(user=newcomer, role=Role.ADMIN, unit=tree.A1, actor=editor)
        grant_create(user=newcomer, role=Role.EDITOR, unit=tree.A1, actor=editor)
    assert grants_count() == before + 1


def test_users_are_created_only_inside_the_actors_scope(chi, tree):
    before = User.objects.count()
    with pytest.raises(NotFoundError):
        user_create(
            username="ngoai", full_name="Ngoài", password=PASSWORD, actor=chi, unit=tree.B, role=Role.VIEWER
        )
    with pytest.raises(DomainError, match="cần được phân quyền"):
        user_create(username="ngoai", full_name="Ngoài", password=PASSWORD, actor=chi)
    with pytest.raises(PermissionDeniedError):
        user_create(
            username="ngoai", full_name="Ngoài", password=PASSWORD, actor=chi, is_superuser=True, unit=tree.A
        )
    assert User.objects.count() == before


def test_a_duplicate_or_bad_username_or_weak_password_is_refused(chi, tree):
    before = User.objects.count()
    with pytest.raises(DomainError, match="đã có người dùng"):
        user_create(username="CHI", full_name="Chi Khác", password=PASSWORD, actor=chi, unit=tree.A1)
    with pytest.raises(DomainError, match="không hợp lệ"):
        user_create(username="co dau cach", full_name="X", password=PASSWORD, actor=chi, unit=tree.A1)
    with pytest.raises(DomainError):
        user_create(username="yeu", full_name="Mật Khẩu Yếu", password="123", actor=chi, unit=tree.A1)
    assert User.objects.count() == before


def test_revoking_removes_the_access_and_is_audited(chi, binh, tree):
    grant = RoleGrant.unscoped.get(user=binh)
    assert perms_for(binh, tree.A1)
    grant_revoke(grant=grant, actor=chi)
    assert perms_for(binh, tree.A1) == frozenset()
    assert AuditEvent.unscoped.filter(action="grant.revoked", actor=chi).exists()


def test_an_area_grant_reaches_every_association_of_the_area_or_only_the_chosen_ones(tree, nct, staff):
    province = Area.objects.add_root(
        instance=Area(scheme=AreaScheme.FROM_2025, level=AreaLevel.PROVINCE, code="99", name="Tỉnh Thử")
    )
    ward = Area.objects.add_child(
        province,instance=Area(scheme=AreaScheme.FROM_2025, level=AreaLevel.COMMUNE, code="99999",
                                            name="Phường Thử", parent=province))  # fmt: skip
    khuyen_hoc = Association.objects.get(code="khuyen-hoc")
    from sohoi.orgunits.services import orgunit_create_root

    with scopes_disabled():  # setting the scene, as a fixture would
        kh_root = orgunit_create_root(
            association=khuyen_hoc, name="Hội Khuyến học Việt Nam", area=None, actor=None
        )
        nct_ward = orgunit_create(
            parent=tree.B, name="Hội NCT phường Thử", level=UnitLevel.COMMUNE, area=ward, actor=None
        )
        kh_ward = orgunit_create(
            parent=kh_root, name="Hội KH phường Thử", level=UnitLevel.COMMUNE, area=ward, actor=None
        )

    committee = user_create(username="ubnd", full_name="UBND Phường", password=PASSWORD, actor=None)
    system_grant_area(user=committee, role=Role.VIEWER, area=ward)
    assert visible_unit_paths(committee).paths == tuple(sorted([nct_ward.path, kh_ward.path]))
    assert "units.view" in perms_for(committee, kh_ward) and "units.manage" not in perms_for(
        committee, kh_ward
    )
    assert perms_for(committee, tree.B) == frozenset()

    department = user_create(username="phong", full_name="Phòng", password=PASSWORD, actor=None)
    system_grant_area(user=department, role=Role.VIEWER, area=ward, associations=[khuyen_hoc])
    assert visible_unit_paths(department).paths == (kh_ward.path,)
    assert perms_for(department, nct_ward) == frozenset()

    outsider = user_create(username="ngoai", full_name="Ngoài", password=PASSWORD, actor=None)
    with pytest.raises(PermissionDeniedError):
        grant_create(user=outsider, role=Role.VIEWER, area=ward, actor=committee)
    grant_create(user=outsider, role=Role.VIEWER, area=ward, actor=staff)
    assert visible_unit_paths(outsider)


def test_a_token_is_stored_hashed_works_until_revoked_and_only_by_its_owner(chi, binh):
    token, key = token_create(user=chi, name="Máy tính văn phòng")
    assert key not in token.key_hash and ApiToken.hash_key(key) == token.key_hash
    assert user_for_token(key) == chi and user_for_token(key + "x") is None
    with pytest.raises(NotFoundError):
        token_revoke(token=token, actor=binh)
    token_revoke(token=token, actor=chi)
    assert user_for_token(key) is None


def test_a_deactivated_users_token_stops_working(chi):
    token, key = token_create(user=chi, name="Điện thoại")
    User.objects.filter(pk=chi.pk).update(is_active=False)
    assert user_for_token(key) is None


def test_an_admin_cannot_take_over_a_stronger_account_in_their_subtree(chi, staff, tree):
    from sohoi.accounts.services import user_manageable_by, user_reset_password, user_set_active

    # A superuser who also holds a plain grant under A1 stays out of A's admin's reach.
    grant_create(user=staff, role=Role.VIEWER, unit=tree.A1, actor=staff)
    assert not user_manageable_by(actor=chi, user=staff, unit=tree.A)
    with pytest.raises(PermissionDeniedError):
        user_reset_password(user=staff, password="Mật-khẩu-mới-2026", actor=chi, unit=tree.A)
    with pytest.raises(PermissionDeniedError):
        user_set_active(user=staff, is_active=False, actor=chi, unit=tree.A)
    staff.refresh_from_db()
    assert staff.is_active and staff.check_password(PASSWORD)

    # An admin without the export right cannot take over an account that has it.
    admin_without_export = user_create(
        username="khongxuat",
        full_name="Không Xuất",
        password=PASSWORD,
        actor=None,
        unit=tree.A,
        role=Role.ADMIN,
    )
    exporter = user_create(username="xuat", full_name="Người Xuất", password=PASSWORD, actor=chi, unit=tree.A1,
                           role=Role.VIEWER, can_export=True)  # fmt: skip
    assert user_manageable_by(actor=chi, user=exporter, unit=tree.A)
    assert not user_manageable_by(actor=admin_without_export, user=exporter, unit=tree.A)

    # An account with no grant at all is nobody's to manage but a superuser's.
    loner = user_create(username="motminh", full_name="Một Mình", password=PASSWORD, actor=None)
    assert not user_manageable_by(actor=chi, user=loner, unit=tree.A)
    assert user_manageable_by(actor=staff, user=loner, unit=tree.A)
