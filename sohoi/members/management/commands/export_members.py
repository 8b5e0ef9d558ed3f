"""``sohoi export-members --unit CODE PATH.xlsx``: the unit's active members (and those of the
units below it) to an Excel file in the classic form, in constant memory.

An operator command on the server: it runs in the named unit's scope and records the export in
the audit log with no actor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoi.core.scoping import unit_scope
from sohoi.members.exporting import export_to_file, filters_from_querydict
from sohoi.orgunits.models import OrgUnit

CODE_MAX_LENGTH = OrgUnit._meta.get_field("code").max_length


class Command(BaseCommand):
    help = gettext_lazy("Xuất danh sách hội viên của một đơn vị (và các đơn vị cấp dưới) ra tệp Excel.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, metavar="MÃ", help=gettext_lazy("Mã đơn vị."))
        parser.add_argument(
            "--status",
            default="active",
            choices=["active", "left", "deceased", "all"],
            help=gettext_lazy("Tình trạng hội viên (mặc định: đang sinh hoạt)."),
        )
        parser.add_argument("path", metavar="TỆP.xlsx", help=gettext_lazy("Tệp sẽ ghi ra."))

    def handle(self, *args: Any, unit: str, path: str, status: str = "active", **options: Any) -> None:
        code = unit.strip()
        # Load the named unit unscoped (as ActiveUnitMiddleware does), then read inside its scope.
        top = (
            OrgUnit.unscoped.select_related("association").filter(code=code).first()
            if 0 < len(code) <= CODE_MAX_LENGTH
            else None
        )
        if top is None:
            raise CommandError(
                _("Không tìm thấy đơn vị có mã “%(code)s”.") % {"code": code[:CODE_MAX_LENGTH]}, returncode=2
            )
        target = Path(path)
        if not target.parent.is_dir():
            raise CommandError(
                _("Không có thư mục “%(folder)s” để ghi tệp.") % {"folder": target.parent}, returncode=2
            )
        filters = filters_from_querydict({"status": status})
        with unit_scope(top):
            count = export_to_file(unit=top, filters=filters, path=target, actor=None)
        self.stdout.write(
            _("Đã xuất %(count)s hội viên của “%(name)s” ra %(path)s.")
            % {"count": count, "name": top.name, "path": target}
        )
