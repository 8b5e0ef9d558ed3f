"""``sohoi stats --unit CODE --year Y [--as-of YYYY-MM-DD] [--json]``: the indicators of a unit and of
each of its children, as the report page shows them.

With ``--json`` it prints one object: ``{"unit", "as_of", "indicators": {name: value}, "children":
[{"unit", "indicators"}]}`` (names in the README). Exit 2 when the unit or a date is wrong.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoi.core.errors import DomainError
from sohoi.core.scoping import unit_scope
from sohoi.orgunits.models import OrgUnit
from sohoi.reports import indicators as registry
from sohoi.reports.indicators import StatsPeriod
from sohoi.reports.selectors import unit_figures
from sohoi.reports.services import check_report_year, parse_as_of

CODE_MAX_LENGTH = OrgUnit._meta.get_field("code").max_length


def json_value(value: Any) -> Any:
    """Counts stay integers; rates and means become numbers with their decimals."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def figures_as_json(figures: Any, *, names: list[str]) -> dict[str, Any]:
    return {
        "unit": figures.total.unit.code,
        "name": figures.total.unit.name,
        "year": figures.period.year,
        "period_start": figures.period.start.isoformat(),
        "as_of": figures.period.as_of.isoformat(),
        "indicators": {name: json_value(figures.total[name]) for name in names},
        "children": [
            {
                "unit": row.unit.code,
                "name": row.unit.name,
                "indicators": {n: json_value(row[n]) for n in names},
            }
            for row in figures.children
        ],
    }


class Command(BaseCommand):
    help = gettext_lazy("In số liệu thống kê của một đơn vị và các đơn vị trực thuộc.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, metavar="MÃ", help=gettext_lazy("Mã đơn vị."))
        parser.add_argument("--year", required=True, help=gettext_lazy("Năm báo cáo."))
        parser.add_argument(
            "--as-of",
            dest="as_of",
            metavar="YYYY-MM-DD",
            help=gettext_lazy("Tính số liệu đến ngày (mặc định: cuối năm)."),
        )
        parser.add_argument(
            "--rebase",
            action="store_true",
            help=gettext_lazy("Quy đổi theo các đơn vị hiện nay (sau sáp nhập)."),
        )
        parser.add_argument("--json", action="store_true", help=gettext_lazy("In một đối tượng JSON."))

    def handle(
        self, *args: Any, unit: str, year: str, as_of: str | None, rebase: bool, **options: Any
    ) -> None:
        code = unit.strip()
        top = (
            OrgUnit.unscoped.select_related("association").filter(code=code).first()
            if 0 < len(code) <= CODE_MAX_LENGTH
            else None
        )
        if top is None:
            raise CommandError(
                _("Không tìm thấy đơn vị có mã “%(code)s”.") % {"code": code[:CODE_MAX_LENGTH]}, returncode=2
            )
        try:
            report_year = check_report_year(year)
            day = parse_as_of(report_year, as_of or "")
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None
        period = StatsPeriod.for_year(report_year, as_of=day)
        names = [i.name for i in registry.indicators()]
        with unit_scope(top):
            figures = unit_figures(unit=top, period=period, rebase=rebase)
        if options["json"]:
            self.stdout.write(json.dumps(figures_as_json(figures, names=names), ensure_ascii=False))
            return
        self.stdout.write(
            _("%(name)s — số liệu đến ngày %(day)s")
            % {"name": top.name, "day": period.as_of.strftime("%d/%m/%Y")}
        )
        for ind in registry.indicators():
            value = figures.total[ind.name]
            self.stdout.write(f"  {ind.label}: {'—' if value is None else value}")
