"""Reference data every signed-in user may read: associations and administrative areas."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from sohoi.core.errors import NotFoundError
from sohoi.orgunits import selectors
from sohoi.orgunits.models import Area

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
    rows, next_cursor = keyset_page(selectors.association_queryset(), key="code", params=page)
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
    parent_area = _area(scheme, parent, field="parent") if parent else None
    rows, next_cursor = keyset_page(
        selectors.area_list(area=parent_area, scheme=scheme), key="path", params=page
    )
    return AreaPage(items=[area_out(a) for a in rows], next_cursor=next_cursor)


@api_operation(router, "GET", "/areas/{scheme}/{code}", response=AreaDetailOut, summary="Một địa bàn")
def area_detail(request: HttpRequest, scheme: Scheme, code: str) -> AreaDetailOut:
    area = _area(scheme, code)
    return area_detail_out(area, selectors.area_lineage(area=area))


def _area(scheme: str, code: str, *, field: str | None = None) -> Area:
    try:
        return selectors.area_get(scheme=scheme, code=code)
    except NotFoundError:
        raise NotFoundError(_("Không tìm thấy địa bàn này."), field=field) from None
