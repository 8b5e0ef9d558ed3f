"""``sohoi import-members PATH --unit CODE [--dry-run] [--json]``: a member list (xlsx, xls,
ods, csv) into the register of a unit, sheets to its chi hội by name.

An operator command on the server: it runs in the named unit's scope with no actor, and the
import is recorded in the audit log. Exit codes: 0 written (or a clean dry run), 1 some rows
have errors (nothing written), 2 the file cannot be read or the unit does not exist.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoi.core.scoping import unit_scope
from sohoi.members.importing import ImportReport, import_file
from sohoi.orgunits.models import OrgUnit

CODE_MAX_LENGTH = OrgUnit._meta.get_field("code").max_length
JSON_KEYS = ("rows", "created", "updated", "unchanged", "duplicates", "errors", "warnings")
SHOWN_ISSUES = 20


class Command(BaseCommand):
    help = gettext_lazy("Nhập danh sách hội viên từ tệp Excel/CSV vào sổ của một đơn vị.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="TỆP", help=gettext_lazy("Tệp .xlsx, .xls, .ods hoặc .csv."))
        parser.add_argument("--unit", required=True, metavar="MÃ", help=gettext_lazy("Mã đơn vị."))
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("Chỉ kiểm tra, không ghi vào sổ.")
        )
        parser.add_argument("--json", action="store_true", help=gettext_lazy("In kết quả dạng JSON."))

    def handle(self, *args: Any, path: str, unit: str, dry_run: bool, json: bool, **options: Any) -> None:
        code = unit.strip()
        top = OrgUnit.unscoped.filter(code=code).first() if 0 < len(code) <= CODE_MAX_LENGTH else None
        if top is None:
            raise CommandError(
                _("Không tìm thấy đơn vị có mã “%(code)s”.") % {"code": code[:CODE_MAX_LENGTH]}, returncode=2
            )
        source = Path(path)
        if not source.is_file():
            raise CommandError(_("Không có tệp “%(path)s”.") % {"path": path}, returncode=2)
        with unit_scope(top):
            report = import_file(source, unit=top, actor=None, dry_run=dry_run, filename=source.name)
        if json:
            self.stdout.write(_as_json(report))
        else:
            self._summary(report, dry_run=dry_run)
        if report.file_error:
            raise CommandError(report.file_error, returncode=2)
        if report.error_count:
            raise CommandError(
                _("%(count)s lỗi trong tệp: chưa ghi gì vào sổ.") % {"count": report.error_count},
                returncode=1,
            )

    def _summary(self, report: ImportReport, *, dry_run: bool) -> None:
        if report.file_error:
            return
        counts = {
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "duplicates": report.duplicate_count,
            "errors": report.error_count,
            "warnings": report.warning_count,
        }
        self.stdout.write(
            _(
                "%(rows)s dòng: %(created)s mới, %(updated)s cập nhật, %(unchanged)s không đổi, "
                "%(duplicates)s trùng; %(errors)s lỗi, %(warnings)s cảnh báo."
            )
            % counts
        )
        for kind, items in ((_("Lỗi"), report.errors), (_("Trùng"), report.duplicates)):
            for item in items[:SHOWN_ISSUES]:
                self.stdout.write(f"  {kind} {_where(item)}: {item['message']}")
        if report.written:
            self.stdout.write(_("Đã ghi vào sổ."))
        elif dry_run and report.ok:
            self.stdout.write(_("Chạy thử: chưa ghi gì vào sổ."))


def _where(item: dict[str, Any]) -> str:
    place = item["sheet"]
    if item.get("row"):
        place += f" {_('dòng')} {item['row']}"
    if item.get("column"):
        place += f" {_('cột')} {item['column']}"
    return place


def _as_json(report: ImportReport) -> str:
    data = report.to_json()
    result = {name: data[name] for name in JSON_KEYS}
    for name in ("errors", "warnings"):
        result[name] = [
            {key: item[key] for key in ("sheet", "row", "column", "message")} for item in data[name]
        ]
    result.update(
        written=report.written,
        file_error=report.file_error,
        error_count=report.error_count,
        warning_count=report.warning_count,
        duplicate_count=report.duplicate_count,
    )
    return json.dumps(result, ensure_ascii=False, default=str)
