"""Read paths of the unit tree and of the area catalogue.

Unit reads start from the scoped managers (``OrgUnit.objects``, ``UnitEvent.objects``,
``UnitEventLink.objects``), so they see only the active scope and raise without one. Two kinds
of rows are read unscoped, only to *name* units next to one that is in scope: the ancestors
(:func:`unit_ancestors`, breadcrumbs) and the other units of a unit's own merges and splits
(:func:`unit_lineage`, :func:`unit_events`). Whether the user may open them is decided from the
user's grants by the caller. Areas are reference data, read unscoped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from sohoi.core.errors import NotFoundError, UnitNotFoundError
from sohoi.core.scoping import ensure_in_scope
from sohoi.core.text import vi_sort_key

from .models import (
    Area,
    AreaScheme,
    AreaSuccession,
    Association,
    OrgUnit,
    UnitEvent,
    UnitEventKind,
    UnitEventLink,
    UnitEventRole,
)

# A picker never lists more than this many units; bigger subtrees are handled from a lower unit.
PICKER_LIMIT = 1000


def _not_found() -> NotFoundError:
    return UnitNotFoundError()


# ---------- Units ----------


def unit_get(*, code: str) -> OrgUnit:
    """One unit of the active scope by its public code; absent and out of scope look the same."""
    unit = OrgUnit.objects.select_related("association", "area", "parent").filter(code=code).first()
    if unit is None:
        raise _not_found()
    return unit


def unit_list(*, unit: OrgUnit, children_only: bool, include_closed: bool) -> QuerySet[OrgUnit]:
    """The units below ``unit`` (never itself): its direct children, or its whole subtree.

    Unordered, with association, area and parent: callers page it by path (the API's keyset
    pages), where a parent comes before its children. The subtree is one range condition on the
    path index. Closed (merged, dissolved) units only when ``include_closed``.
    """
    units = OrgUnit.objects.select_related("association", "area", "parent")
    if children_only:
        units = units.filter(parent=unit)
    else:
        units = units.filter(path__within=unit.path, path__gt=unit.path)
    return units if include_closed else units.filter(closed_on__isnull=True)


def _open_first_by_name(units: list[OrgUnit]) -> list[OrgUnit]:
    return sorted(units, key=lambda u: (not u.is_open, vi_sort_key(u.name), u.path))


def unit_children(*, unit: OrgUnit) -> list[OrgUnit]:
    """The direct children of ``unit`` (open first, then closed; each group in Vietnamese name order).

    One query whatever their number. Each row gets ``has_children`` from treebeard's ``numchild``,
    so the tree page shows a toggle without counting grandchildren. ``numchild`` counts closed
    children too: a toggle may open onto closed units only, which the page says.
    """
    children = list(
        OrgUnit.objects.filter(parent=unit).select_related("area").order_by()  # sorted below, in Python
    )
    for child in children:
        child.has_children = child.numchild > 0  # type: ignore[attr-defined]
    return _open_first_by_name(children)


def unit_ancestors(*, unit: OrgUnit) -> list[OrgUnit]:
    """The ancestors of ``unit``, root first, for breadcrumbs (one query on the indexed path).

    On a /u/<code>/ page the active scope is the URL unit's subtree, so every ancestor lies
    above it: they are read with ``OrgUnit.unscoped`` *only to show their names*. Which of them
    the user may open is decided by the caller from the user's grants (accounts.permissions),
    never from this list.
    """
    ensure_in_scope(unit)
    paths = unit.ancestor_paths()[:-1]
    if not paths:
        return []
    return list(
        OrgUnit.unscoped.filter(path__in=paths).only("code", "name", "path", "depth").order_by("depth")
    )


class UnitChoices(NamedTuple):
    units: list[OrgUnit]
    truncated: bool


def units_in_scope(*, unit: OrgUnit, include_self: bool = True, limit: int = PICKER_LIMIT) -> UnitChoices:
    """Open units of ``unit``'s association in its subtree (and the active scope), in tree order.

    For pickers (move targets, merge sources, successors). At most ``limit`` units: ``truncated``
    says when there were more, so the page can suggest working from a lower unit.
    """
    units = (
        OrgUnit.objects.filter(
            path__within=unit.path, association_id=unit.association_id, closed_on__isnull=True
        )
        .only(
            "code", "name", "path", "depth", "level", "parent_id", "association_id", "closed_on", "numchild"
        )
        .order_by("path")
    )
    if not include_self:
        units = units.exclude(pk=unit.pk)
    rows = list(units[: limit + 1])
    return UnitChoices(rows[:limit], len(rows) > limit)


def units_open_children(*, units: list[OrgUnit]) -> dict[int, list[OrgUnit]]:
    """The open children of each given unit (parent id → children by name), in one query.

    Used by the merge and split confirmations: these are the units that will move.
    """
    result: dict[int, list[OrgUnit]] = {u.pk: [] for u in units}
    if not units:
        return result
    for child in OrgUnit.objects.filter(parent__in=units, closed_on__isnull=True).order_by():
        result[child.parent_id].append(child)
    return {pk: _open_first_by_name(children) for pk, children in result.items()}


@dataclass
class LineageEntry:
    """A merge or split the unit took part in, with its other units on the opposite side."""

    event: UnitEvent
    role: str  # the unit's own role: source (closed by it) or target (formed or enlarged by it)
    partners: list[OrgUnit] = field(default_factory=list)

    @property
    def is_merge(self) -> bool:
        return self.event.kind == UnitEventKind.MERGED


@dataclass
class Lineage:
    """Where a closed unit went (``closed_by``) and where a successor came from (``formed_from``)."""

    closed_by: list[LineageEntry] = field(default_factory=list)
    formed_from: list[LineageEntry] = field(default_factory=list)

    def successors(self) -> list[OrgUnit]:
        """The units that took over this one in its merges and splits, each once, in tree order."""
        return _by_path(partner for entry in self.closed_by for partner in entry.partners)

    def predecessors(self) -> list[OrgUnit]:
        """The units this one took over in its merges and splits, each once, in tree order."""
        return _by_path(partner for entry in self.formed_from for partner in entry.partners)


def _by_path(units: Iterable[OrgUnit]) -> list[OrgUnit]:
    return sorted({unit.pk: unit for unit in units}.values(), key=lambda unit: unit.path)


def unit_lineage(*, unit: OrgUnit) -> Lineage:
    """The merges and splits ``unit`` took part in, with its successors or predecessors (one query).

    The other units of a merge or split almost never lie in the active scope (a unit's successor
    is not below it), yet naming them is the point of the notice. So, like the breadcrumbs, the
    links are read unscoped *only after* checking that ``unit`` itself is in scope, and only for
    events ``unit`` took part in; whether the user may open a partner is decided by the caller
    from the user's grants.
    """
    ensure_in_scope(unit)
    links = (
        UnitEventLink.unscoped.filter(
            event__links__org_unit=unit,
            event__kind__in=[UnitEventKind.MERGED, UnitEventKind.SPLIT],
        )
        .select_related("event", "org_unit")
        .order_by("event__effective_on", "event_id", "org_unit__path")
    )
    entries: dict[int, LineageEntry] = {}
    partners: dict[int, list[tuple[str, OrgUnit]]] = {}
    for link in links:
        if link.org_unit_id == unit.pk:
            entries[link.event_id] = LineageEntry(event=link.event, role=link.role)
        else:
            partners.setdefault(link.event_id, []).append((link.role, link.org_unit))
    lineage = Lineage()
    for event_id, entry in entries.items():
        # A closed source looks for the targets; a target for the sources.
        wanted = UnitEventRole.TARGET if entry.role == UnitEventRole.SOURCE else UnitEventRole.SOURCE
        entry.partners = [u for role, u in partners.get(event_id, []) if role == wanted]
        (lineage.closed_by if entry.role == UnitEventRole.SOURCE else lineage.formed_from).append(entry)
    return lineage


def unit_events(*, unit: OrgUnit) -> list[UnitEvent]:
    """The history of ``unit``, newest first: events about it and the merges/splits it took part in.

    Events are found through scoped rows (the unit's own events and its own link rows, so a
    merge into a unit of another subtree is listed too). Each event has ``links`` prefetched with
    their units: those are read unscoped, for the same reason as in :func:`unit_lineage` (they
    name the other units of the unit's own merges and splits). Three queries whatever the number
    of events.
    """
    ensure_in_scope(unit)
    own = UnitEvent.objects.filter(org_unit=unit).select_related("actor", "cause")
    linked = UnitEventLink.objects.filter(org_unit=unit).select_related("event__actor", "event__cause")
    events = {event.pk: event for event in own}
    for link in linked:
        events.setdefault(link.event_id, link.event)
    ordered = sorted(events.values(), key=lambda e: (e.effective_on, e.pk), reverse=True)
    prefetch_related_objects(
        ordered,
        Prefetch(
            "links",
            queryset=UnitEventLink.unscoped.select_related("org_unit").order_by("role", "org_unit__path"),
        ),
    )
    return ordered


# ---------- Associations ----------


def association_queryset() -> QuerySet[Association]:
    """Every association of the catalogue, unordered (the API pages it by code)."""
    return Association.objects.all()


def association_list() -> list[Association]:
    """Every association of the catalogue, in Vietnamese name order."""
    return sorted(association_queryset(), key=lambda a: vi_sort_key(a.name))


def association_get(*, code: str) -> Association | None:
    """One association by its code; None when there is none."""
    return Association.objects.filter(code=code).first()


# ---------- Areas (reference data, unscoped) ----------


def _with_has_children(areas: list[Area]) -> list[Area]:
    for area in areas:
        area.has_children = area.numchild > 0  # type: ignore[attr-defined]
    return sorted(areas, key=lambda a: (vi_sort_key(a.name), a.code))


def area_list(*, area: Area | None, scheme: str) -> QuerySet[Area]:
    """The children of ``area`` (the provinces of ``scheme`` when None), unordered, with their parent.

    The API pages it by path (the official order); :func:`area_children` sorts it by name.
    """
    if scheme not in AreaScheme.values:
        raise NotFoundError(_("Không tìm thấy địa bàn."))
    areas = Area.objects.select_related("parent").filter(scheme=scheme)
    return areas.filter(parent=area) if area is not None else areas.filter(depth=1)


def area_children(*, area: Area | None, scheme: str, with_successions: bool = False) -> list[Area]:
    """The children of ``area`` (the provinces of ``scheme`` when None), in Vietnamese name order.

    One query (three with ``with_successions``: each row then has ``successions`` → the 2025
    areas an old one became, and ``predecessions`` → the old areas a 2025 one came from).
    """
    areas = area_list(area=area, scheme=scheme)
    if with_successions:
        areas = areas.prefetch_related(
            Prefetch("successions", queryset=AreaSuccession.objects.select_related("new_area")),
            Prefetch("predecessions", queryset=AreaSuccession.objects.select_related("old_area")),
        )
    return _with_has_children(list(areas.order_by()))


def area_get(*, scheme: str, code: str) -> Area:
    """One area by scheme and official code (a hamlet by its generated code); raises NotFoundError."""
    area = Area.objects.filter(scheme=scheme, code=code).select_related("parent").first()
    if area is None:
        raise NotFoundError(_("Không tìm thấy địa bàn."))
    return area


def area_ancestors(*, area: Area) -> list[Area]:
    """The areas above ``area``, root first (one query)."""
    paths = area.ancestor_paths()[:-1]
    if not paths:
        return []
    return list(Area.objects.filter(path__in=paths).order_by("depth"))


@dataclass
class AreaLineage:
    successors: list[AreaSuccession] = field(default_factory=list)  # .new_area, .is_partial
    predecessors: list[AreaSuccession] = field(default_factory=list)  # .old_area, .is_partial


def area_lineage(*, area: Area) -> AreaLineage:
    """The 2025 areas an old area became, and the old areas a 2025 area came from (two queries)."""
    successors = AreaSuccession.objects.filter(old_area=area).select_related("new_area")
    predecessors = AreaSuccession.objects.filter(new_area=area).select_related("old_area")
    return AreaLineage(
        successors=sorted(successors, key=lambda s: vi_sort_key(s.new_area.name)),
        predecessors=sorted(predecessors, key=lambda s: vi_sort_key(s.old_area.name)),
    )


def area_choices_for_unit(*, parent: OrgUnit | None, current: Area | None = None) -> list[Area]:
    """Areas a unit under ``parent`` may sit in: the parent's area and its children (communes,
    or thôn / tổ dân phố under a commune); the 2025 provinces when the parent has no area.
    The unit's ``current`` area is kept in the list so editing never loses it. One query.
    """
    base = parent.area if parent is not None else None
    if base is not None:
        areas = list(Area.objects.filter(parent=base).order_by())
        ordered = [base, *sorted(areas, key=lambda a: (vi_sort_key(a.name), a.code))]
    else:
        areas = list(Area.objects.filter(scheme=AreaScheme.FROM_2025, depth=1).order_by())
        ordered = sorted(areas, key=lambda a: (vi_sort_key(a.name), a.code))
    if current is not None and all(a.pk != current.pk for a in ordered):
        ordered.insert(0, current)
    return ordered
