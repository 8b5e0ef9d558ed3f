"""``sohoi load_areas``: load or refresh the administrative areas (reference data, no scope)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoi.orgunits.area_loader import Counts, load_areas


def _n(value: int) -> str:
    """Vietnamese digit grouping: 10.810."""
    return f"{value:,}".replace(",", ".")


def summary(counts: Counts) -> str:
    old, new, links = counts["pre2025"], counts["2025"], counts["successions"]
    line = _(
        "Địa bàn trước 1/7/2025: thêm %(old_created)s, cập nhật %(old_updated)s; "
        "từ 1/7/2025: thêm %(new_created)s, cập nhật %(new_updated)s; "
        "liên kết cũ–mới: thêm %(links_created)s, cập nhật %(links_updated)s."
    ) % {
        "old_created": _n(old["created"]),
        "old_updated": _n(old["updated"] + old["moved"]),
        "new_created": _n(new["created"]),
        "new_updated": _n(new["updated"] + new["moved"]),
        "links_created": _n(links["created"]),
        "links_updated": _n(links["updated"]),
    }
    return line


class Command(BaseCommand):
    help = gettext_lazy(
        "Nạp hoặc cập nhật danh mục địa bàn hành chính (trước và sau 1/7/2025) từ gói vietnam-provinces."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help=gettext_lazy("Không in kết quả."))

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        counts = load_areas()
        if not quiet:
            self.stdout.write(summary(counts))
