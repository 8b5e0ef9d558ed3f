"""Read paths the API needs that the domain apps do not offer yet (STYLE.md §7.5).

Each function says where it belongs; when ``orgunits/selectors.py`` (or the accounts one) grows
the same read, the API should call it there and this module shrinks. Unit reads start from the
scoped managers; the two that must look past the active scope (a merge's successor, the caller's
own grants) say why and filter by what the caller may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from sohoi.accounts.models import RoleGrant
from sohoi.core.scoping import UnitPaths
from sohoi.orgunits.models import Area, AreaSuccession, Association, OrgUnit, UnitEventLink, UnitEventRole

if TYPE_CHECKING:
    from sohoi.accounts.models import User


# --- orgunits: catalogue (reference data, not unit-owned: read unscoped by nature) ---------------


def association_list() -> QuerySet[Association]:
    return Association.objects.all()


def association_get(*, code: str) -> Association | None:
    return Association.objects.filter(code=code).first()


def area_get(*, scheme: str, code: str) -> Area | None:
    return Area.objects.select_related("parent").filter(scheme=scheme, code=code).first()


def area_children(*, scheme: str, parent: Area | None) -> QuerySet[Area]:
    """The provinces of a scheme (no parent), or the areas right below ``parent``; tree order."""
    areas = Area.objects.select_related("parent").filter(scheme=scheme)
    return areas.filter(parent=parent) if parent is not None else areas.filter(parent__isnull=True)


@dataclass(frozen=True)
class AreaLink:
    scheme: str
    code: str
    name: str
    is_partial: bool


def area_lineage(*, area: Area) -> tuple[list[AreaLink], list[AreaLink]]:
    """(successors, predecessors) of an area across the 2025 reorganisation (1 query)."""
    rows = (
        AreaSuccession.objects.filter(Q(old_area=area) | Q(new_area=area))
        .select_related("old_area", "new_area")
        .order_by("old_area__path", "new_area__path")
    )
    successors, predecessors = [], []
    for row in rows:
        if row.old_area_id == area.pk:
            successors.append(
                AreaLink(row.new_area.scheme, row.new_area.code, row.new_area.name, row.is_partial)
            )
        else:
            predecessors.append(
                AreaLink(row.old_area.scheme, row.old_area.code, row.old_area.name, row.is_partial)
            )
    return successors, predecessors


# --- orgunits: the unit tree (scoped) --------------------------------------------------------------


def _units() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.select_related("association", "area", "parent")


def unit_children(*, unit: OrgUnit, include_closed: bool) -> QuerySet[OrgUnit]:
    units = _units().filter(parent=unit)
    return units if include_closed else units.filter(closed_on__isnull=True)


def unit_subtree(*, unit: OrgUnit, include_closed: bool) -> QuerySet[OrgUnit]:
    """Every unit below ``unit`` (not itself): one range condition on the path index."""
    units = _units().filter(path__within=unit.path, path__gt=unit.path)
    return units if include_closed else units.filter(closed_on__isnull=True)


def unit_lineage(*, unit: OrgUnit, visible: UnitPaths) -> tuple[list[str], list[str]]:
    """Codes of the units that took over ``unit`` (merge/split successors) and of those it took over.

    A merge's successor is usually a sibling, outside the active subtree, so this reads the links
    unscoped and keeps only the units the caller may open (``visible``): 1 query.
    """
    mine = UnitEventLink.unscoped.filter(org_unit=unit)
    links = (
        UnitEventLink.unscoped.filter(
            Q(role=UnitEventRole.TARGET, event__in=mine.filter(role=UnitEventRole.SOURCE).values("event"))
            | Q(role=UnitEventRole.SOURCE, event__in=mine.filter(role=UnitEventRole.TARGET).values("event"))
        )
        .exclude(org_unit=unit)
        .values_list("role", "org_unit__code", "org_unit__path")
        .order_by("org_unit__path")
        .distinct()
    )
    successors, predecessors = [], []
    for role, code, path in links:
        if visible.covers(path):
            (successors if role == UnitEventRole.TARGET else predecessors).append(code)
    return successors, predecessors


# --- accounts ---------------------------------------------------------------------------------------


def grants_of_user(*, user: User) -> QuerySet[RoleGrant]:
    """The caller's own active grants, unit and area ones (area grants have no unit to scope by)."""
    return (
        RoleGrant.unscoped.filter(user=user, revoked_at__isnull=True)
        .select_related("org_unit", "org_unit__association", "area")
        .prefetch_related("associations")
        .order_by("created_at", "id")
    )
