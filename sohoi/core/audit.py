"""Write an audit event in the caller's transaction (services call this, never views)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import AuditEvent

if TYPE_CHECKING:
    from sohoi.accounts.models import User
    from sohoi.orgunits.models import OrgUnit


def audit(
    *,
    action: str,
    actor: User | None,
    unit: OrgUnit | None = None,
    target: Any = None,
    ip_address: str | None = None,
    **data: Any,
) -> AuditEvent:
    target_type = target._meta.label_lower if target is not None else ""
    target_code = str(getattr(target, "code", "") or getattr(target, "pk", "")) if target is not None else ""
    return AuditEvent.unscoped.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        org_unit=unit,
        target_type=target_type,
        target_code=target_code,
        ip_address=ip_address,
        data=data,
    )
