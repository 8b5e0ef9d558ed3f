"""Write paths of accounts: users, grants and API tokens.

A user creates users and grants only inside their own scope and never above their own role;
exporting personal data is granted only by someone who holds it.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoi.core.audit import audit
from sohoi.core.errors import DomainError, NotFoundError, PermissionDeniedError, UnitNotFoundError
from sohoi.core.text import nfc
from sohoi.orgunits.models import Area, Association, OrgUnit

from .models import ROLE_RANK, ApiToken, Role, RoleGrant, User
from .permissions import can_export_on, grants_covering, perms_for, role_rank_on

USERNAME_MAX_LENGTH = 150


def _ensure_can_grant(*, actor: User, unit: OrgUnit, role: str, can_export: bool) -> None:
    if role not in Role.values:
        raise DomainError(_("Vai trò không hợp lệ."), field="role")
    perms = perms_for(actor, unit)
    if not perms:
        raise UnitNotFoundError()
    if "users.manage" not in perms:
        raise PermissionDeniedError(_("Bạn không có quyền quản lý người dùng ở đơn vị này."))
    if ROLE_RANK[Role(role)] > role_rank_on(actor, unit):
        raise PermissionDeniedError(_("Không thể cấp vai trò cao hơn vai trò của chính bạn."), field="role")
    if can_export and not can_export_on(actor, unit):
        raise PermissionDeniedError(
            _("Không thể cấp quyền xuất dữ liệu cá nhân khi chính bạn không có quyền này."),
            field="can_export",
        )


def _ensure_can_grant_area(
    *, actor: User, area: Area, associations: list[Association], can_export: bool
) -> None:
    """Area grants (a People's Committee's view) are given by a superuser or by an area admin above it."""
    if actor.is_superuser:
        return
    covering = RoleGrant.unscoped.filter(
        user=actor, revoked_at__isnull=True, role=Role.ADMIN, area__path__in=area.ancestor_paths()
    ).prefetch_related("associations")
    for grant in covering:
        limited = {a.pk for a in grant.associations.all()}
        if limited and (not associations or not {a.pk for a in associations} <= limited):
            continue
        if can_export and not grant.can_export:
            continue
        return
    raise PermissionDeniedError(_("Bạn không có quyền cấp quyền theo địa bàn này."))


@transaction.atomic
def grant_create(
    *,
    user: User,
    role: str,
    actor: User,
    unit: OrgUnit | None = None,
    area: Area | None = None,
    associations: list[Association] | None = None,
    can_export: bool = False,
) -> RoleGrant:
    """Give ``user`` a role on a unit subtree, or on an area subtree (optionally some associations only)."""
    associations = list(associations or [])
    if (unit is None) == (area is None):
        raise DomainError(_("Chọn một đơn vị hoặc một địa bàn."), field="unit")
    if unit is not None:
        _ensure_can_grant(actor=actor, unit=unit, role=role, can_export=can_export)
    else:
        if role not in Role.values:
            raise DomainError(_("Vai trò không hợp lệ."), field="role")
        _ensure_can_grant_area(actor=actor, area=area, associations=associations, can_export=can_export)
    grant = RoleGrant.unscoped.create(
        user=user, role=role, org_unit=unit, area=area, can_export=can_export, granted_by=actor
    )
    if associations:
        grant.associations.set(associations)
    audit(
        action="grant.created",
        actor=actor,
        unit=unit,
        target=user,
        grant=grant.code,
        role=role,
        area=area.code if area else None,
        associations=[a.code for a in associations],
        can_export=can_export,
    )
    return grant


@transaction.atomic
def grant_revoke(*, grant: RoleGrant, actor: User) -> RoleGrant:
    if grant.org_unit is not None:
        _ensure_can_grant(actor=actor, unit=grant.org_unit, role=Role.VIEWER, can_export=False)
        if ROLE_RANK[Role(grant.role)] > role_rank_on(actor, grant.org_unit):
            raise PermissionDeniedError(_("Không thể thu hồi vai trò cao hơn vai trò của chính bạn."))
    else:
        _ensure_can_grant_area(
            actor=actor, area=grant.area, associations=list(grant.associations.all()), can_export=False
        )
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at", "updated_at"])
        audit(action="grant.revoked", actor=actor, unit=grant.org_unit, target=grant.user, grant=grant.code)
    return grant


@transaction.atomic
def user_create(
    *,
    username: str,
    full_name: str,
    password: str,
    actor: User | None,
    unit: OrgUnit | None = None,
    role: str = Role.VIEWER,
    can_export: bool = False,
    phone: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a user with a first grant on ``unit``: an admin can only create users inside their scope.

    ``actor=None`` is the system (demo, setup commands); it may create superusers.
    """
    username = nfc(username).lower()
    if not username:
        raise DomainError(_("Tên đăng nhập không được để trống."), field="username")
    if len(username) > USERNAME_MAX_LENGTH or any(c.isspace() for c in username):
        raise DomainError(
            _("Tên đăng nhập không hợp lệ (không có khoảng trắng, tối đa 150 ký tự)."), field="username"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            _("Tên đăng nhập “%(u)s” đã có người dùng.") % {"u": username}, code="duplicate", field="username"
        )
    if actor is not None:
        if is_superuser and not actor.is_superuser:
            raise PermissionDeniedError(_("Bạn không thể tạo quản trị hệ thống."))
        if unit is None and not actor.is_superuser:
            raise DomainError(_("Người dùng mới cần được phân quyền ở một đơn vị."), field="unit")
        if unit is not None:
            _ensure_can_grant(actor=actor, unit=unit, role=role, can_export=can_export)
    user = User(
        username=username,
        full_name=nfc(full_name),
        phone=nfc(phone),
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    audit(action="user.created", actor=actor, unit=unit, target=user, username=username)
    if unit is not None and actor is not None:
        grant_create(user=user, role=role, unit=unit, can_export=can_export, actor=actor)
    elif unit is not None:
        _system_grant(user=user, role=role, unit=unit, can_export=can_export)
    return user


def _system_grant(*, user: User, role: str, unit: OrgUnit, can_export: bool) -> RoleGrant:
    grant = RoleGrant.unscoped.create(user=user, role=role, org_unit=unit, can_export=can_export)
    audit(action="grant.created", actor=None, unit=unit, target=user, grant=grant.code, role=role)
    return grant


def system_grant_area(
    *,
    user: User,
    role: str,
    area: Area,
    associations: list[Association] | None = None,
    can_export: bool = False,
) -> RoleGrant:
    """An area grant made by the system (demo, setup), not by a user."""
    grant = RoleGrant.unscoped.create(user=user, role=role, area=area, can_export=can_export)
    if associations:
        grant.associations.set(associations)
    audit(action="grant.created", actor=None, target=user, grant=grant.code, role=role, area=area.code)
    return grant


def user_manageable_by(*, actor: User, user: User, unit: OrgUnit) -> bool:
    """An admin manages (resets, deactivates) an account only if it is no stronger than their own:
    not a system administrator, with at least one grant, every grant inside the admin's subtree,
    no role above the admin's there, and no export right the admin does not hold."""
    if actor.is_superuser:
        return True
    if user.is_superuser or user.is_staff or "users.manage" not in perms_for(actor, unit):
        return False
    grants = list(RoleGrant.unscoped.filter(user=user, revoked_at__isnull=True).select_related("org_unit"))
    if not grants:
        return False
    for grant in grants:
        if grant.org_unit is None or not grant.org_unit.path.startswith(unit.path):
            return False
        if ROLE_RANK[Role(grant.role)] > role_rank_on(actor, grant.org_unit):
            return False
        if grant.can_export and not can_export_on(actor, grant.org_unit):
            return False
    return True


@transaction.atomic
def user_set_active(*, user: User, is_active: bool, actor: User, unit: OrgUnit) -> User:
    if not user_manageable_by(actor=actor, user=user, unit=unit) or user.pk == actor.pk:
        raise PermissionDeniedError(_("Bạn không thể thay đổi tài khoản này."))
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    audit(action="user.activated" if is_active else "user.deactivated", actor=actor, unit=unit, target=user)
    return user


@transaction.atomic
def user_reset_password(*, user: User, password: str, actor: User, unit: OrgUnit) -> User:
    if not user_manageable_by(actor=actor, user=user, unit=unit):
        raise PermissionDeniedError(_("Bạn không thể thay đổi tài khoản này."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit(action="user.password_reset", actor=actor, unit=unit, target=user)
    return user


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the key is returned once and only its hash is kept."""
    name = nfc(name)
    if not name:
        raise DomainError(_("Hãy đặt tên cho mã truy cập."), field="name")
    if len(name) > 80:
        raise DomainError(_("Tên dài quá 80 ký tự."), field="name")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(user=user, name=name, prefix=key[3:11], key_hash=ApiToken.hash_key(key))
    audit(action="token.created", actor=user, target=token, name=name)
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.user_id != actor.pk:
        raise NotFoundError(_("Không tìm thấy mã truy cập."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit(action="token.revoked", actor=actor, target=token)
    return token


def user_for_token(key: str) -> User | None:
    """The active user behind an API key, or None; marks the token used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


__all__ = [
    "grant_create",
    "grant_revoke",
    "user_create",
    "user_set_active",
    "user_reset_password",
    "token_create",
    "token_revoke",
    "user_for_token",
    "system_grant_area",
    "grants_covering",
]
