"""Who may do what where: the one place that turns a user into units and permissions.

Every selector of unit-owned data starts from the scope computed here (STYLE.md §7.6).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from sohoi.core.scoping import UnitPaths, scopes_disabled

from .models import ROLE_RANK, Role, RoleGrant

if TYPE_CHECKING:
    from sohoi.orgunits.models import OrgUnit

    from .models import User

VIEW_PERMS = frozenset({"units.view", "members.view", "reports.view"})
# members.view_ids: whole citizen ID and phone numbers; viewers see them masked (DOMAIN.md §6.5).
EDIT_PERMS = VIEW_PERMS | {"members.change", "members.view_ids", "reports.change"}
ADMIN_PERMS = EDIT_PERMS | {"units.manage", "users.manage", "audit.view"}
EXPORT_PERM = "members.export"

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.VIEWER: VIEW_PERMS,
    Role.EDITOR: EDIT_PERMS,
    Role.ADMIN: ADMIN_PERMS,
}
ALL_PERMS = ADMIN_PERMS | {EXPORT_PERM}


def _active_grants(user: User):  # noqa: ANN202 - a RoleGrant queryset
    return RoleGrant.unscoped.filter(user=user, revoked_at__isnull=True)


def grants_covering(user: User, unit: OrgUnit) -> list[RoleGrant]:
    """The user's active grants that reach ``unit``: on it or an ancestor, or on an area containing it."""
    if not user.is_authenticated:
        return []
    unit_condition = Q(org_unit__path__in=unit.ancestor_paths())
    if unit.area_id is not None:
        area_condition = Q(area__path__in=unit.area.ancestor_paths()) & (
            Q(associations__isnull=True) | Q(associations=unit.association_id)
        )
        condition = unit_condition | area_condition
    else:
        condition = unit_condition
    return list(_active_grants(user).filter(condition).distinct())


def perms_for(user: User, unit: OrgUnit) -> frozenset[str]:
    """Permissions of ``user`` on ``unit``: the union over every grant that reaches it (1 query)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(ALL_PERMS)
    perms: set[str] = set()
    for grant in grants_covering(user, unit):
        perms |= ROLE_PERMS[grant.role]
        if grant.can_export:
            perms.add(EXPORT_PERM)
    return frozenset(perms)


@dataclass(frozen=True)
class Reach:
    """Which units outside a page's scope the user may open (ancestors, partners of a merge).

    Same rule as ``perms_for``: a unit grant reaches its unit and everything below. Built by
    :func:`reach_from` from the grants that reach the page's unit; area grants are left out, so a
    unit reachable only through an area grant is shown as plain text: never a link to a 404.
    """

    is_superuser: bool
    granted: tuple[tuple[str, frozenset[str]], ...]  # (path of the granted unit, its permissions)

    def perms_on(self, unit: OrgUnit) -> frozenset[str]:
        if self.is_superuser:
            return frozenset(ALL_PERMS)
        perms: set[str] = set()
        for path, granted in self.granted:
            if unit.path.startswith(path):
                perms |= granted
        return frozenset(perms)

    def can_open(self, unit: OrgUnit) -> bool:
        return "units.view" in self.perms_on(unit)

    def openable(self, units: Iterable[OrgUnit]) -> set[int]:
        """The ids of those ``units`` the user may open."""
        return {unit.pk for unit in units if self.can_open(unit)}


def reach_from(user: User, unit: OrgUnit, ancestors: Iterable[OrgUnit]) -> Reach:
    """The reach of ``user`` seen from ``unit`` (whose ``ancestors`` are given): one query."""
    if user.is_superuser:
        return Reach(is_superuser=True, granted=())
    # The grants reaching the unit sit on it or on one of its ancestors: their paths are known.
    paths = {u.pk: u.path for u in [*ancestors, unit]}
    granted: dict[str, set[str]] = {}
    for grant in grants_covering(user, unit):
        if grant.org_unit_id in paths:
            perms = granted.setdefault(paths[grant.org_unit_id], set())
            perms |= ROLE_PERMS[grant.role]
            if grant.can_export:
                perms.add(EXPORT_PERM)
    return Reach(is_superuser=False, granted=tuple((p, frozenset(v)) for p, v in granted.items()))


def load_unit_with_perms(user: User, code: str) -> tuple[OrgUnit | None, frozenset[str]]:
    """The unit a URL names and the user's permissions on it (1 query + 1 for the grants).

    Loaded unscoped: this is what decides the scope. Empty permissions mean "not found" to the caller,
    whether the unit is absent or not theirs.
    """
    from sohoi.orgunits.models import OrgUnit

    unit = OrgUnit.unscoped.select_related("association", "area", "parent").filter(code=code).first()
    return unit, (perms_for(user, unit) if unit is not None else frozenset())


def role_rank_on(user: User, unit: OrgUnit) -> int:
    """The user's highest role on ``unit`` as a rank (0 = none)."""
    if user.is_superuser:
        return max(ROLE_RANK.values())
    return max((ROLE_RANK[Role(g.role)] for g in grants_covering(user, unit)), default=0)


def can_export_on(user: User, unit: OrgUnit) -> bool:
    return EXPORT_PERM in perms_for(user, unit)


def visible_unit_paths(user: User) -> UnitPaths:
    """Every subtree the user may see: their unit grants plus the units of their area grants."""
    from sohoi.orgunits.models import OrgUnit

    if not user.is_authenticated or not user.is_active:
        return UnitPaths(())
    with scopes_disabled():
        if user.is_superuser:
            return UnitPaths.of(OrgUnit.unscoped.filter(depth=1).values_list("path", flat=True))
        paths: list[str] = []
        area_grants = []
        for grant in _active_grants(user).select_related("org_unit", "area").prefetch_related("associations"):
            if grant.org_unit_id:
                paths.append(grant.org_unit.path)
            else:
                area_grants.append(grant)
        for grant in area_grants:
            units = OrgUnit.unscoped.filter(area__path__within=grant.area.path)
            association_ids = [a.pk for a in grant.associations.all()]
            if association_ids:
                units = units.filter(association_id__in=association_ids)
            paths.extend(units.values_list("path", flat=True))
        return UnitPaths.of(paths)


def reachable_units(user: User) -> Iterable[OrgUnit]:
    """The top-most units the user may open, with association and area, for the home page."""
    from sohoi.orgunits.models import OrgUnit

    paths = visible_unit_paths(user)
    if not paths:
        return []
    return list(
        OrgUnit.unscoped.filter(path__in=paths.paths).select_related("association", "area").order_by("path")
    )


def can_manage_area(user: User, area) -> bool:  # noqa: ANN001 - an orgunits.Area
    """May add thôn / tổ dân phố under ``area``: a superuser, an area admin above it, or the admin
    of a unit whose area contains it (a commune Hội admin for its own commune)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    area_paths = area.ancestor_paths()
    grants = _active_grants(user).filter(role=Role.ADMIN)
    return grants.filter(Q(area__path__in=area_paths) | Q(org_unit__area__path__in=area_paths)).exists()
