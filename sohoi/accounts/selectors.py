"""Read paths of accounts: tokens, the users and grants of a unit subtree, audit events.

Unit-related reads start from scoped managers, so they only ever see the active unit's subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from sohoi.core.models import AuditEvent
from sohoi.core.text import vi_sort_key
from sohoi.orgunits.models import OrgUnit

from .models import ApiToken, RoleGrant, User

if TYPE_CHECKING:
    from collections.abc import Iterable

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LOGIN_ACTIONS = ("auth.login", "auth.login_failed", "auth.logout")


def token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (revoked ones included, marked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_get(*, user: User, code: str) -> ApiToken | None:
    """One of the user's own tokens; another user's token is as absent as a missing one."""
    return ApiToken.objects.filter(user=user, code=code).first()


@dataclass
class UserGrants:
    """A user and their active grants inside the scope (for the users page)."""

    user: User
    grants: list[RoleGrant] = field(default_factory=list)


def _group_by_user(grants: Iterable[RoleGrant]) -> list[UserGrants]:
    rows: dict[int, UserGrants] = {}
    for grant in grants:
        rows.setdefault(grant.user_id, UserGrants(user=grant.user)).grants.append(grant)
    return sorted(rows.values(), key=lambda row: vi_sort_key(row.user.get_full_name()))


def _active_grants_in_scope() -> QuerySet[RoleGrant]:
    # The scoped manager keeps only grants on units inside the active subtree.
    return (
        RoleGrant.objects.filter(revoked_at__isnull=True)
        .select_related("user", "org_unit", "org_unit__association")
        .order_by("org_unit__path", "created_at", "id")
    )


def users_with_grants() -> list[UserGrants]:
    """Every user holding an active grant in the active scope, with those grants (1 query)."""
    return _group_by_user(_active_grants_in_scope())


def user_grants_get(*, code: str) -> UserGrants | None:
    """A user with their active grants in the active scope; None when they hold none there (1 query)."""
    grants = list(_active_grants_in_scope().filter(user__code=code))
    if not grants:
        return None
    return UserGrants(user=grants[0].user, grants=grants)


def grant_get(*, code: str, user: User) -> RoleGrant | None:
    """An active grant of ``user`` inside the active scope."""
    return _active_grants_in_scope().filter(code=code, user=user).first()


def grants_of_user(*, user: User) -> QuerySet[RoleGrant]:
    """The user's own active grants, unit and area ones, oldest first (the API's ``/me``).

    Read unscoped: area grants have no unit to scope by, and a user's own grants are theirs to
    see wherever they lie.
    """
    return (
        RoleGrant.unscoped.filter(user=user, revoked_at__isnull=True)
        .select_related("org_unit", "org_unit__association", "area")
        .prefetch_related("associations")
        .order_by("created_at", "id")
    )


def grantable_units() -> QuerySet[OrgUnit]:
    """Open units of the active subtree, in tree order: the choices of a new grant."""
    return OrgUnit.objects.filter(closed_on__isnull=True).order_by("path")


@dataclass(frozen=True)
class AuditCursor:
    """Keyset position in the newest-first audit log: the last row shown."""

    at: datetime
    id: int

    def encode(self) -> str:
        # Whole microseconds since the epoch: exact, unlike a float timestamp.
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}_{self.id}"

    @classmethod
    def decode(cls, value: str | None) -> AuditCursor | None:
        """Parse a cursor from the query string; anything malformed means the first page."""
        if not value or len(value) > 40:
            return None
        stamp, _, pk = value.partition("_")
        try:
            return cls(at=_EPOCH + timedelta(microseconds=int(stamp)), id=int(pk))
        except (ValueError, OverflowError):
            return None


@dataclass
class AuditPage:
    events: list[AuditEvent]
    next_cursor: str | None


def _audit_page(queryset: QuerySet[AuditEvent], *, after: AuditCursor | None, size: int) -> AuditPage:
    queryset = queryset.select_related("actor", "org_unit").order_by("-at", "-id")
    if after is not None:
        queryset = queryset.filter(Q(at__lt=after.at) | Q(at=after.at, id__lt=after.id))
    events = list(queryset[: size + 1])
    next_cursor = None
    if len(events) > size:
        events = events[:size]
        next_cursor = AuditCursor(at=events[-1].at, id=events[-1].pk).encode()
    return AuditPage(events=events, next_cursor=next_cursor)


def audit_events(*, after: AuditCursor | None = None, size: int = 50) -> AuditPage:
    """Audit events of the active subtree, newest first, one keyset page (1 query)."""
    return _audit_page(AuditEvent.objects.all(), after=after, size=size)


def login_events_unscoped(*, after: AuditCursor | None = None, size: int = 50) -> AuditPage:
    """Site-wide logins, logouts and failed logins; for superusers only (logins belong to no unit)."""
    return _audit_page(AuditEvent.unscoped.filter(action__in=LOGIN_ACTIONS), after=after, size=size)
