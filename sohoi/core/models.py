from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import unit_scoped_manager

_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_code(length: int = 10) -> str:
    """A short random public code for URLs; sequential ids are never shown."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Append-only log of who did what: logins, failed logins, user, grant and unit changes.

    Events about a unit carry it, so the log of a subtree is scoped like any unit-owned row;
    events about no unit (a login) are read through ``AuditEvent.unscoped``.
    """

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("hành động"), max_length=64)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    target_type = models.CharField(max_length=64, blank=True)
    target_code = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = unit_scoped_manager("org_unit__path")
    unscoped = models.Manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The audit page of a unit: newest first within one unit.
            models.Index(fields=["org_unit", "-at"], name="core_audit_unit_at_idx"),
            # The audit trail of one user account.
            models.Index(fields=["target_type", "target_code"], name="core_audit_target_idx"),
        ]
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
