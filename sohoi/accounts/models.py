"""Users, role grants (a role on a unit subtree or an area subtree) and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sohoi.core.models import BaseModel, new_code
from sohoi.core.scoping import unit_scoped_manager


class User(AbstractUser):
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    full_name = models.CharField(_("họ và tên"), max_length=120, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    """Ordered from least to most; a user never grants above their own role."""

    VIEWER = "viewer", _("Xem")
    EDITOR = "editor", _("Cập nhật dữ liệu")
    ADMIN = "admin", _("Quản trị")


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class RoleGrant(BaseModel):
    """A role on a unit and everything below it, or on an area and every association's units in it.

    An area grant may be limited to some associations (the People's Committee sees all of them,
    a department only its own).
    """

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    area = models.ForeignKey(
        "orgunits.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    associations = models.ManyToManyField("orgunits.Association", blank=True, related_name="+")
    can_export = models.BooleanField(_("được xuất dữ liệu cá nhân"), default=False)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Unit grants are managed inside a unit's subtree; area grants are read through `unscoped`.
    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        base_manager_name = "unscoped"
        constraints = [
            models.CheckConstraint(
                condition=Q(org_unit__isnull=False, area__isnull=True)
                | Q(org_unit__isnull=True, area__isnull=False),
                name="accounts_grant_unit_xor_area",
            ),
        ]
        indexes = [
            # perms_for(): the grants of one user, active ones only.
            models.Index(fields=["user", "revoked_at"], name="accounts_grant_user_idx"),
        ]
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiToken(BaseModel):
    """A personal API token. Only its hash is stored; the key is shown once, at creation."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=80)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "sh_" + secrets.token_urlsafe(32)
