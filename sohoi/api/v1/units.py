"""The unit tree: the units a caller may open, and one unit's detail, children and subtree.

Everything under ``/u/{unit_code}/`` runs through ``unit_operation``: the unit's scope is active
and ``request.unit`` / ``request.perms`` are set.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from sohoi.accounts.permissions import reachable_units, visible_unit_paths
from sohoi.core.errors import DomainError, NotFoundError
from sohoi.core.http import AuthenticatedRequest, UnitRequest
from sohoi.core.scoping import UnitPaths
from sohoi.orgunits import selectors
from sohoi.orgunits.services import orgunit_create

from ..pagination import PageParams, keyset_page, list_page
from ..permissions import api_operation, unit_operation
from .schemas import UnitCreateIn, UnitDetailOut, UnitOut, UnitPage, unit_out, unit_page

router = Router(tags=["Đơn vị"])


@api_operation(router, "GET", "/units", response=UnitPage, summary="Các đơn vị tôi được mở")
def unit_list(request: AuthenticatedRequest, page: Query[PageParams]) -> UnitPage:
    """The top-most units the caller may open (their grants), in tree order; everything below
    them is reached through ``/u/{unit_code}/children`` and ``/subtree``."""
    units = reachable_units(request.user)
    visible = UnitPaths.of(u.path for u in units)
    rows, next_cursor = list_page(units, key=lambda u: u.path, params=page)
    return unit_page(rows, next_cursor, visible=visible)


@unit_operation(
    router, "GET", "/u/{unit_code}", permission="units.view", response=UnitDetailOut, summary="Một đơn vị"
)
def unit_detail(request: UnitRequest, unit_code: str) -> UnitDetailOut:
    unit = request.unit
    visible = visible_unit_paths(request.user)
    # The other units of a merge or split usually lie outside the caller's reach: name only those
    # they may open.
    lineage = selectors.unit_lineage(unit=unit)
    return UnitDetailOut(
        **unit_out(unit, visible=visible).model_dump(),
        perms=sorted(request.perms),
        successors=[u.code for u in lineage.successors() if visible.covers(u.path)],
        predecessors=[u.code for u in lineage.predecessors() if visible.covers(u.path)],
    )


@unit_operation(
    router,
    "GET",
    "/u/{unit_code}/children",
    permission="units.view",
    response=UnitPage,
    summary="Các đơn vị trực thuộc",
)
def unit_children(
    request: UnitRequest, unit_code: str, page: Query[PageParams], include_closed: bool = False
) -> UnitPage:
    """The units right below, in tree order; closed (merged, dissolved) ones only on request."""
    units = selectors.unit_list(unit=request.unit, children_only=True, include_closed=include_closed)
    return unit_page(*keyset_page(units, key="path", params=page))


@unit_operation(
    router,
    "GET",
    "/u/{unit_code}/subtree",
    permission="units.view",
    response=UnitPage,
    summary="Mọi đơn vị bên dưới",
)
def unit_subtree(
    request: UnitRequest, unit_code: str, page: Query[PageParams], include_closed: bool = False
) -> UnitPage:
    """Every unit below (not the unit itself), ordered by path: a parent comes before its children."""
    units = selectors.unit_list(unit=request.unit, children_only=False, include_closed=include_closed)
    return unit_page(*keyset_page(units, key="path", params=page))


@unit_operation(
    router,
    "POST",
    "/u/{unit_code}/children",
    permission="units.manage",
    response=UnitOut,
    status=201,
    summary="Thành lập đơn vị trực thuộc",
)
def unit_child_create(request: UnitRequest, unit_code: str, payload: UnitCreateIn) -> UnitOut:
    area = None
    if payload.area_code:
        try:
            area = selectors.area_get(scheme=payload.area_scheme, code=payload.area_code)
        except NotFoundError:
            raise DomainError(
                _("Không tìm thấy địa bàn mã “%(code)s”.") % {"code": payload.area_code},
                code="unknown_area",
                field="area_code",
            ) from None
    unit = orgunit_create(
        parent=request.unit,
        name=payload.name,
        level=payload.level,
        area=area,
        actor=request.user,
        opened_on=payload.opened_on,
        decision_ref=payload.decision_ref,
    )
    return unit_out(unit)
