"""What the report page shows, built from a unit's report: the indicator table by group (result,
target, % done, last year, change), the children side by side with the line of members held at
the unit itself, the dashboard's charts and next year's targets. Numbers are written by
report_display; the views in reports.py only put these in their templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from sohoi.members.models import Gender
from sohoi.orgunits.models import OrgUnit
from sohoi.reports import indicators as registry
from sohoi.reports import selectors
from sohoi.reports.indicators import UnitFigures
from sohoi.reports.member_indicators import AGE_BANDS

from . import report_display as display

BANDS = [name for name, _low, _high in AGE_BANDS]
# The columns of the children's table and of the area's associations side by side.
MAIN_INDICATORS = [
    "members",
    "members_male",
    "members_female",
    *BANDS,
    "new_members",
    "deaths",
    "gathering_rate",
]


def column_heads(columns: list[registry.Indicator]) -> list[tuple[registry.Indicator, str]]:
    """Short headers of the side-by-side table (the full label is the header's title)."""
    short = {
        "members": _("Tổng số hội viên"),
        "members_male": _("Nam"),
        "members_female": _("Nữ"),
        **{band: _("Tuổi %(band)s") % {"band": display.AGE_BAND_SHORT[band]} for band in BANDS},
        "new_members": _("Kết nạp mới"),
        "deaths": _("Từ trần"),
        "gathering_rate": _("Tỷ lệ tập hợp"),
    }
    return [(ind, short.get(ind.name, str(ind.label))) for ind in columns]


def main_indicators() -> list[registry.Indicator]:
    return [ind for name in MAIN_INDICATORS if (ind := registry.indicator(name)) is not None]


# ---------- Display rows ----------


@dataclass
class IndicatorLine:
    indicator: registry.Indicator
    result: str
    target: str
    done: str
    last_year: str
    change: str
    handed_down: bool
    reached: bool


@dataclass
class IndicatorGroup:
    label: str
    lines: list[IndicatorLine]


def indicator_groups(rows: list[selectors.ReportRow]) -> list[IndicatorGroup]:
    groups: dict[str, IndicatorGroup] = {}
    for row in rows:
        ind = row.indicator
        group = groups.setdefault(ind.group, IndicatorGroup(str(registry.group_label(ind.group)), []))
        group.lines.append(
            IndicatorLine(
                indicator=ind,
                result=display.vi_value(row.result, ind.unit),
                target=display.vi_value(row.target, ind.unit) if row.target is not None else "",
                done=display.vi_percent(row.done) if row.done is not None else "",
                last_year=display.vi_value(row.last_year, ind.unit),
                change=display.vi_change(row.change, unit=ind.unit),
                handed_down=row.target_handed_down,
                reached=row.done is not None and row.done >= 100,
            )
        )
    return list(groups.values())


@dataclass
class SideRow:
    """One unit of a side-by-side table: its name, a link to its report, its main figures."""

    name: str
    url: str | None
    cells: list[str]
    is_total: bool = False
    is_closed: bool = False


def figure_cells(figures: UnitFigures, columns: list[registry.Indicator]) -> list[str]:
    return [display.vi_value(figures[ind.name], ind.unit) for ind in columns]


def report_url(unit: OrgUnit, year: int, query: str = "") -> str:
    url = reverse("reports:year", args=[unit.code, year])
    return f"{url}?{query}" if query else url


def children_rows(
    report: selectors.UnitReport, columns: list[registry.Indicator], *, query: str
) -> list[SideRow]:
    """The unit's total, each child (a link: whoever sees a unit's report may open its children's,
    as every grant reaching a unit reaches below it), and the members held at the unit itself."""
    unit, figures, day = report.unit, report.figures, report.period.as_of
    rows = [SideRow(name=unit.name, url=None, cells=figure_cells(figures.total, columns), is_total=True)]
    for child in figures.children:
        rows.append(
            SideRow(
                name=child.unit.name,
                url=report_url(child.unit, report.period.year, query),
                cells=figure_cells(child, columns),
                is_closed=not child.unit.is_open_on(day),
            )
        )
    direct = figures.direct
    if figures.has_direct_row:
        cells = [display.vi_value(direct.get(ind.name), ind.unit) if ind.additive else display.NOTHING
                 for ind in columns]  # fmt: skip
        rows.append(SideRow(name=_("Sinh hoạt trực tiếp tại %(unit)s") % {"unit": unit.name}, url=None,
                            cells=cells))  # fmt: skip
    return rows


@dataclass
class Charts:
    members: display.ColumnChart
    history: list[tuple[str, str]]
    pyramid: display.Pyramid
    pyramid_unknown: int
    gathering: display.BarList
    gathering_missing: list[str]
    progress: display.BarList | None


def charts(report: selectors.UnitReport, history: list[tuple[int, Any]]) -> Charts:
    unit, year, totals = report.unit, report.period.year, report.figures.total
    points = [*history, (year, totals["members"])]
    members = display.members_chart(
        points, current_year=year, title=_("Số hội viên qua các năm – %(unit)s") % {"unit": unit.name}
    )
    values = totals.values
    pyramid = display.pyramid_chart(
        values,
        BANDS,
        male=Gender.MALE,
        female=Gender.FEMALE,
        title=_("Tháp tuổi hội viên theo giới tính – %(unit)s") % {"unit": unit.name},
    )
    shown = pyramid.male_total + pyramid.female_total
    # The unit's own bar always; a child without a population entered is named below the chart
    # instead of drawing an empty row for each.
    gathering_items: list[tuple[str, Any, str, bool]] = []
    gathering_missing: list[str] = []
    for row, is_total in [(totals, True), *((child, False) for child in report.figures.children)]:
        rate = row["gathering_rate"]
        if rate is None and not is_total:
            gathering_missing.append(row.unit.name)
            continue
        text = display.vi_percent(rate) if rate is not None else _("chưa có số dân")
        gathering_items.append((row.unit.name, rate, text, is_total))
    gathering = display.bar_list(
        gathering_items,
        title=_("Tỷ lệ tập hợp hội viên theo đơn vị – %(unit)s") % {"unit": unit.name},
    )
    progress_items = []
    for row in report.rows:
        if row.target is None:
            continue
        ind = row.indicator
        label = f"{ind.label}: {display.vi_value(row.result, ind.unit)} / {display.vi_value(row.target, ind.unit)}"
        progress_items.append((label, row.done, display.vi_percent(row.done), False))
    progress = (
        display.bar_list(
            progress_items,
            title=_("Tiến độ thực hiện chỉ tiêu năm %(year)s") % {"year": year},
        )
        if progress_items
        else None
    )
    return Charts(
        members=members,
        history=[(str(y), display.vi_value(v, registry.Unit.PEOPLE)) for y, v in points],
        pyramid=pyramid,
        pyramid_unknown=max(int(totals["members"] or 0) - shown, 0),
        gathering=gathering,
        gathering_missing=gathering_missing,
        progress=progress,
    )


@dataclass
class NextTarget:
    label: str
    value: str
    set_by: str


def next_targets(report: selectors.UnitReport) -> list[NextTarget]:
    result = []
    for ind in registry.indicators():
        target = report.next_year_targets.get(ind.name)
        if target is not None:
            set_by = target.set_by.name if target.is_handed_down else ""
            result.append(NextTarget(str(ind.label), display.vi_value(target.value, ind.unit), set_by))
    return result
