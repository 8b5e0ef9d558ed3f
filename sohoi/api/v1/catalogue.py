"""Reference data every signed-in user may read: associations and administrative areas."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from sohoi.core.errors import NotFoundError

from .. import selectors
from ..pagination import PageParams, keyset_page
from ..permissions import api_operation
from .schemas import (
    AreaDetailOut,
    AreaPage,
    AssociationOut,
    AssociationPage,
    area_detail_out,
    area_out,
    association_out,
)

router = Router(tags=["Danh mục"])

Scheme = Literal["2025", "pre2025"]


@api_operation(router, "GET", "/associations", response=AssociationPage, summary="Các hội")
def association_list(request: HttpRequest, page: Query[PageParams]) -> AssociationPage:
    """Every association of the catalogue, by code."""
    rows, next_cursor = keyset_page(selectors.association_list(), key="code", params=page)
    return AssociationPage(items=[association_out(a) for a in rows], next_cursor=next_cursor)


@api_operation(router, "GET", "/associations/{code}", response=AssociationOut, summary="Một hội")
def association_detail(request: HttpRequest, code: str) -> AssociationOut:
    association = selectors.association_get(code=code)
    if association is None:
        raise NotFoundError(_("Không tìm thấy hội này."))
    return association_out(association)


@api_operation(router, "GET", "/areas", response=AreaPage, summary="Các địa bàn cấp dưới")
def area_list(
    request: HttpRequest, page: Query[PageParams], scheme: Scheme = "2025", parent: str | None = None
) -> AreaPage:
    """The provinces of ``scheme``, or the areas right below the area ``parent`` (a code in that
    scheme), in the official order."""
    parent_area = None
    if parent:
        parent_area = selectors.area_get(scheme=scheme, code=parent)
        if parent_area is None:
            raise NotFoundError(_("Không tìm thấy địa bàn này."), field="parent")
    rows, next_cursor = keyset_page(
        selectors.area_children(scheme=scheme, parent=parent_area), key="path", params=page
    )
    return AreaPage(items=[area_out(a) for a in rows], next_cursor=next_cursor)


@api_operation(router, "GET", "/areas/{scheme}/{code}", response=AreaDetailOut, summary="Một địa bàn")
def area_detail(request: HttpRequest, scheme: Scheme, code: str) -> AreaDetailOut:
    area = selectors.area_get(scheme=scheme, code=code)
    if area is None:
        raise NotFoundError(_("Không tìm thấy địa bàn này."))
    successors, predecessors = selectors.area_lineage(area=area)
    return area_detail_out(area, successors, predecessors)
