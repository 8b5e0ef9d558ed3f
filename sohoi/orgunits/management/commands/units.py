"""``sohoi units [--json] [--unit CODE]``: every unit, ordered by path, as JSON or an indented tree.

One query (association, area and parent joined), streamed with ``iterator()`` so a national
tree of 100,000 units prints in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from json import dumps
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoi.core.scoping import unit_scope
from sohoi.orgunits.models import OrgUnit

CHUNK_SIZE = 2000
CODE_MAX_LENGTH = OrgUnit._meta.get_field("code").max_length


def unit_row(unit: OrgUnit) -> dict[str, Any]:
    """The documented JSON shape of one unit (README: ``sohoi units --json``)."""
    return {
        "code": unit.code,
        "name": unit.name,
        "association": unit.association.code,
        "level": unit.level,
        "path": unit.path,
        "area_code": unit.area.code if unit.area_id else None,
        "area_scheme": unit.area.scheme if unit.area_id else None,
        "is_open": unit.is_open,
        "closed_on": unit.closed_on.isoformat() if unit.closed_on else None,
        "parent_code": unit.parent.code if unit.parent_id else None,
    }


def _rows(queryset: QuerySet[OrgUnit]) -> Iterator[OrgUnit]:
    return (
        queryset.select_related("association", "area", "parent")
        .order_by("path")
        .iterator(chunk_size=CHUNK_SIZE)
    )


class Command(BaseCommand):
    help = gettext_lazy("In mọi đơn vị theo thứ tự cây (path): dạng cây thụt lề, hoặc JSON với --json.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help=gettext_lazy("In một mảng JSON."))
        parser.add_argument(
            "--unit", metavar="MÃ", help=gettext_lazy("Chỉ in đơn vị này và các đơn vị cấp dưới.")
        )

    def handle(self, *args: Any, json: bool = False, unit: str | None = None, **options: Any) -> None:
        as_json = json
        if unit is None:
            # Operator command on the server, no user behind it: the whole tree, every
            # association, so it reads through the unscoped manager (system code, STYLE.md §7.6).
            self._write(_rows(OrgUnit.unscoped.all()), as_json)
            return
        code = unit.strip()
        # Load the named unit unscoped (as ActiveUnitMiddleware does), then read its subtree
        # inside its scope, so --unit can never print a unit beside it.
        top = OrgUnit.unscoped.filter(code=code).first() if 0 < len(code) <= CODE_MAX_LENGTH else None
        if top is None:
            raise CommandError(
                _("Không tìm thấy đơn vị có mã “%(code)s”.") % {"code": code[:CODE_MAX_LENGTH]}
            )
        with unit_scope(top):
            self._write(_rows(OrgUnit.objects.all()), as_json)

    def _write(self, units: Iterator[OrgUnit], as_json: bool) -> None:
        if as_json:
            self._write_json(units)
        else:
            self._write_tree(units)

    def _write_json(self, units: Iterator[OrgUnit]) -> None:
        first = True
        self.stdout.write("[", ending="")
        for unit in units:
            self.stdout.write(
                ("\n" if first else ",\n") + dumps(unit_row(unit), ensure_ascii=False), ending=""
            )
            first = False
        self.stdout.write("\n]" if not first else "]")

    def _write_tree(self, units: Iterator[OrgUnit]) -> None:
        top_depth = None
        empty = True
        for unit in units:
            empty = False
            if top_depth is None:
                top_depth = unit.depth
            indent = "  " * max(unit.depth - top_depth, 0)
            details = [str(unit.get_level_display()), unit.association.code]
            if unit.area_id:
                details.append(
                    _("địa bàn %(code)s (%(scheme)s)") % {"code": unit.area.code, "scheme": unit.area.scheme}
                )
            if unit.closed_on:
                details.append(_("đã đóng %(day)s") % {"day": unit.closed_on.strftime("%d/%m/%Y")})
            self.stdout.write(f"{indent}{unit.name} [{unit.code}] — {', '.join(details)}")
        if empty:
            self.stdout.write(_("Chưa có đơn vị nào."))
