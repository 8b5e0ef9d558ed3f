"""Statistics and targets as JSON: the indicators the report pages show, for a unit and its
children on a day, and the unit's targets (its own and those handed down to its children).

The figures come from ``sohoi.reports.selectors`` and the targets are written by
``sohoi.reports.services``: the same rules and messages as the pages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from sohoi.core.errors import DomainError
from sohoi.core.http import UnitRequest
from sohoi.orgunits.models import OrgUnit
from sohoi.reports import indicators as registry
from sohoi.reports import selectors, services
from sohoi.reports.indicators import StatsPeriod

from ..permissions import api_operation, unit_operation

router = Router(tags=["Thống kê, chỉ tiêu"])

Value = int | float | None


class IndicatorOut(Schema):
    name: str
    label: str
    description: str
    group: str
    group_label: str
    unit: str = Field(description="people | units | percent | years")
    additive: bool = Field(description="Số của đơn vị = tổng các đơn vị trực thuộc + hội viên trực tiếp")
    is_flow: bool = Field(description="Tính trong kỳ (kết nạp, từ trần…), không phải tại một ngày")


class IndicatorList(Schema):
    items: list[IndicatorOut]


class UnitFiguresOut(Schema):
    unit: str
    name: str
    indicators: dict[str, Value]


class StatsOut(Schema):
    unit: str
    name: str
    year: int
    period_start: date
    as_of: date
    rebased: bool
    indicators: dict[str, Value]
    children: list[UnitFiguresOut]


class StatsParams(Schema):
    # Plain strings, checked after the unit: a unit that is not yours is a 404 whatever the query.
    year: str = Field("", description="Năm báo cáo (mặc định: năm nay)")
    as_of: str = Field("", description="Tính số liệu đến ngày YYYY-MM-DD (mặc định: cuối năm hoặc hôm nay)")
    rebase: bool = Field(False, description="Quy đổi theo các đơn vị hiện nay (sau sáp nhập)")


class TargetOut(Schema):
    indicator: str
    year: int
    value: float
    result: Value
    done: float | None = Field(description="Kết quả ÷ chỉ tiêu × 100")
    set_by: str = Field(description="Mã đơn vị đã giao chỉ tiêu (chính đơn vị, hoặc cấp trên)")
    handed_down: bool


class TargetList(Schema):
    unit: str
    year: int
    items: list[TargetOut]


class TargetsIn(Schema):
    values: dict[str, str | float | None] = Field(
        default_factory=dict, description='Chỉ tiêu → giá trị; null hoặc "" để bỏ'
    )


class HandDownIn(Schema):
    indicator: str = ""
    values: dict[str, str | float | None] = Field(
        default_factory=dict, description="Mã đơn vị trực thuộc → giá trị"
    )


def _number(value: object) -> Value:
    if isinstance(value, Decimal):
        return float(value)
    return value  # type: ignore[return-value]


def _names() -> list[str]:
    return [i.name for i in registry.indicators()]


@api_operation(router, "GET", "/indicators", response=IndicatorList, summary="Các chỉ tiêu thống kê")
def indicator_list(request: HttpRequest) -> IndicatorList:
    """Every indicator the statistics compute, in table order, with its meaning."""
    return IndicatorList(
        items=[
            IndicatorOut(
                name=i.name,
                label=str(i.label),
                description=str(i.description),
                group=i.group,
                group_label=str(registry.group_label(i.group)),
                unit=i.unit,
                additive=i.additive,
                is_flow=i.is_flow,
            )  # fmt: skip
            for i in registry.indicators()
        ]
    )


@unit_operation(
    router, "GET", "/u/{unit_code}/stats", permission="reports.view", response=StatsOut, summary="Số liệu thống kê"
)  # fmt: skip
def unit_stats(request: UnitRequest, unit_code: str, params: Query[StatsParams]) -> StatsOut:
    """The indicators of the unit (its whole subtree) and of each child unit, counted on ``as_of``
    on the tree of that day (or re-based onto today's units)."""
    year = services.check_report_year(params.year or date.today().year)
    as_of = services.parse_as_of(year, params.as_of)
    period = StatsPeriod.for_year(year, as_of=as_of)
    figures = selectors.unit_figures(unit=request.unit, period=period, rebase=params.rebase)
    names = _names()
    return StatsOut(
        unit=request.unit.code, name=request.unit.name, year=year, period_start=period.start, as_of=period.as_of,
        rebased=params.rebase, indicators={n: _number(figures.total[n]) for n in names},
        children=[
            UnitFiguresOut(unit=row.unit.code, name=row.unit.name, indicators={n: _number(row[n]) for n in names})
            for row in figures.children
        ],
    )  # fmt: skip


def _target_list(unit: OrgUnit, year: int) -> TargetList:
    report = selectors.unit_report(unit=unit, year=year)
    rows = {row.indicator.name: row for row in report.rows}
    return TargetList(
        unit=unit.code,
        year=year,
        items=[
            TargetOut(
                indicator=name,
                year=year,
                value=float(target.value),
                result=_number(rows[name].result),
                done=_number(rows[name].done),
                set_by=target.set_by.code,
                handed_down=target.is_handed_down,
            )  # fmt: skip
            for name, target in report.targets.items()
            if name in rows
        ],
    )


@unit_operation(
    router, "GET", "/u/{unit_code}/targets/{year}", permission="reports.view", response=TargetList,
    summary="Chỉ tiêu của năm",
)  # fmt: skip
def target_list(request: UnitRequest, unit_code: str, year: str) -> TargetList:
    """The unit's targets for the year with the result so far and the share done."""
    return _target_list(request.unit, services.check_year(year))


@unit_operation(
    router, "PUT", "/u/{unit_code}/targets/{year}", permission="reports.change", response=TargetList,
    summary="Đặt chỉ tiêu của năm",
)  # fmt: skip
def target_put(request: UnitRequest, unit_code: str, year: str, payload: TargetsIn) -> TargetList:
    """Set the unit's own targets (all or nothing). A target handed down from above can only be
    changed from there (400 ``handed_down``)."""
    year = services.check_year(year)
    services.targets_set(unit=request.unit, setter=request.unit, year=year, values=payload.values,
                         actor=request.user)  # fmt: skip
    return _target_list(request.unit, year)


@unit_operation(
    router, "POST", "/u/{unit_code}/targets/{year}/hand-down", permission="reports.change", response=TargetList,
    summary="Giao chỉ tiêu cho đơn vị trực thuộc",
)  # fmt: skip
def target_hand_down(request: UnitRequest, unit_code: str, year: str, payload: HandDownIn) -> TargetList:
    """Give each child unit (by code) its target of one indicator, all or nothing. Returns the unit's
    own targets."""
    year = services.check_year(year)
    children = {u.code: u for u in OrgUnit.objects.filter(parent=request.unit, closed_on__isnull=True)}
    values = {}
    for code, value in payload.values.items():
        if code not in children:
            raise DomainError(
                _("“%(code)s” không phải là đơn vị trực thuộc.") % {"code": str(code)[:20]},
                field="values",
                code="not_a_child",
            )
        values[children[code]] = value
    services.targets_hand_down(parent=request.unit, year=year, indicator=payload.indicator, values=values,
                               actor=request.user)  # fmt: skip
    return _target_list(request.unit, year)
