"""``sohoi report --unit CODE --year Y --format docx|pdf|xlsx PATH``: a unit's year-end report
(Word or PDF, Nghị định 30/2020 layout) or its statistical tables (Excel) to a file.

An operator command on the server: it runs in the named unit's scope (with ``--joint``, in the
scope of every association of the unit's area) and records the document in the audit log with
no actor.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sohoi.core.errors import DomainError
from sohoi.core.scoping import unit_scope
from sohoi.orgunits.models import OrgUnit
from sohoi.reports.documents import Format, write_document
from sohoi.reports.documents.jobs import joint_units, report_recorded
from sohoi.reports.services import check_year

CODE_MAX_LENGTH = OrgUnit._meta.get_field("code").max_length


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # A plain str: argparse (Python 3.13) cannot print a lazy one, and --help would crash.
        return _(
            "Xuất báo cáo tổng kết năm của một đơn vị ra tệp Word hoặc PDF, hoặc biểu số liệu ra tệp Excel."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, metavar="MÃ", help=_("Mã đơn vị."))
        parser.add_argument("--year", required=True, metavar="NĂM", help=_("Năm báo cáo."))
        parser.add_argument(
            "--format", required=True, choices=[f.value for f in Format], dest="fmt",
            help=_("Loại tệp: docx (Word), pdf hoặc xlsx (Excel)."),
        )  # fmt: skip
        parser.add_argument(
            "--joint",
            action="store_true",
            help=_("Báo cáo chung của các hội trên cùng địa bàn với đơn vị."),
        )
        parser.add_argument("path", metavar="TỆP", help=_("Tệp sẽ ghi ra."))

    def handle(self, *args: Any, unit: str, year: str, fmt: str, path: str, joint: bool = False,
               **options: Any) -> None:  # fmt: skip
        code = unit.strip()
        # Load the named unit unscoped (as ActiveUnitMiddleware does), then read inside its scope.
        top = (
            OrgUnit.unscoped.select_related("association", "area").filter(code=code).first()
            if 0 < len(code) <= CODE_MAX_LENGTH
            else None
        )
        if top is None:
            raise CommandError(
                _("Không tìm thấy đơn vị có mã “%(code)s”.") % {"code": code[:CODE_MAX_LENGTH]}, returncode=2
            )
        try:
            report_year = check_year(year)
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None
        target = Path(path)
        if target.is_dir():
            raise CommandError(
                _("“%(path)s” là một thư mục: hãy ghi cả tên tệp.") % {"path": target}, returncode=2
            )
        if not target.parent.is_dir():
            raise CommandError(
                _("Không có thư mục “%(folder)s” để ghi tệp.") % {"folder": target.parent}, returncode=2
            )
        if not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
            raise CommandError(_("Không ghi được vào “%(path)s”.") % {"path": target}, returncode=2)
        units = joint_units(unit=top, year=report_year, user=None) if joint else []
        if joint and not units:
            raise CommandError(
                _("Địa bàn của “%(name)s” không có hội nào khác để làm báo cáo chung.") % {"name": top.name},
                returncode=2,
            )
        fmt_ = Format(fmt)
        with unit_scope(units or top):
            try:
                write_document(fmt_=fmt_, unit=top, year=report_year, path=target, joint_units=units or None)
            except OSError as error:
                raise CommandError(
                    _("Không ghi được vào “%(path)s”: %(reason)s")
                    % {"path": target, "reason": error.strerror},
                    returncode=2,
                ) from None
            report_recorded(unit=top, actor=None, year=report_year, fmt_=fmt_, units=units)
        self.stdout.write(
            _("Đã ghi báo cáo năm %(year)s của “%(name)s” ra %(path)s.")
            % {"year": report_year, "name": top.name, "path": target}
        )
