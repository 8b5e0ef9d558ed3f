"""Keyset pagination for every list of the API (BASELINES.md: lists page by keyset, never OFFSET).

A list takes ``?limit=`` (1–200, default 50) and ``?cursor=`` and answers
``{"items": [...], "next_cursor": "<opaque>" | null}``. To read the next page, send the same query
with ``cursor=<next_cursor>``; ``null`` means the last page. The cursor is an opaque string
(today the url-safe base64 of the last row's sort key): clients must not build or parse it.
There is no total count: counting a big subtree costs more than the page (BASELINES.md §4).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from sohoi.core.errors import DomainError

MAX_LIMIT = 200
CURSOR_MAX_LENGTH = 1024


class PageParams(Schema):
    limit: int = Field(
        getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50),
        ge=1,
        le=MAX_LIMIT,
        description=f"Số dòng mỗi trang (1–{MAX_LIMIT}).",
    )
    cursor: str | None = Field(
        None,
        max_length=CURSOR_MAX_LENGTH,
        description="Giá trị next_cursor của trang trước; bỏ trống cho trang đầu.",
    )


def encode_cursor(key: str) -> str:
    raw = json.dumps([key], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)) or "\x00" in value[0]:
        raise DomainError(_("Con trỏ phân trang không hợp lệ."), code="invalid_cursor", field="cursor")
    return value[0]


def keyset_page[M: Model](
    queryset: QuerySet[M], *, key: str, params: PageParams
) -> tuple[list[M], str | None]:
    """One page of ``queryset`` ordered by the unique text column ``key`` (one query)."""
    after = decode_cursor(params.cursor)
    if after is not None:
        queryset = queryset.filter(**{f"{key}__gt": after})
    rows = list(queryset.order_by(key)[: params.limit + 1])
    return _cut(rows, params.limit, lambda row: getattr(row, key))


def list_page[T](
    items: Iterable[T], *, key: Callable[[T], str], params: PageParams
) -> tuple[list[T], str | None]:
    """The same paging over a short list already in memory (the units a user may open)."""
    after = decode_cursor(params.cursor)
    rows = sorted((item for item in items if after is None or key(item) > after), key=key)
    return _cut(rows[: params.limit + 1], params.limit, key)


def _cut(rows: list[Any], limit: int, key: Callable[[Any], str]) -> tuple[list[Any], str | None]:
    if len(rows) > limit:
        return rows[:limit], encode_cursor(key(rows[limit - 1]))
    return rows, None
