"""Read paths of the reports: the figures of a unit and its children on a day, the report table
(target, result, % done, last year, change), the side-by-side view of an area's associations.

Callers run inside the scope of the unit they report on (``unit_scope`` / the active-unit
middleware): every query of personal data goes through the scoped managers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from sohoi.core.text import vi_sort_key
from sohoi.orgunits.models import Area, OrgUnit, UnitLevel

from . import indicators as registry
from .indicators import Figures, Number, StatsPeriod, StatsScope, UnitFigures, percent
from .models import AreaPopulation, Letterhead, Target, YearReport


def _open_on(day: date) -> Q:
    return (Q(opened_on__isnull=True) | Q(opened_on__lte=day)) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    )


def report_children(unit: OrgUnit, day: date) -> list[OrgUnit]:
    """The unit's children in the table: every child that existed on ``day`` (closed ones too:
    their members of that day count), in Vietnamese name order."""
    children = OrgUnit.objects.filter(path__within=unit.path, depth=unit.depth + 1).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=day)
    )
    return sorted(children, key=lambda u: (not u.is_open_on(day), vi_sort_key(u.name)))


def unit_figures(*, unit: OrgUnit, period: StatsPeriod, with_children: bool = True, only=None) -> Figures:  # noqa: ANN001
    """The registered indicators for ``unit``'s subtree and (optionally) each child's subtree.

    A child closed before the day with nothing to show is left out."""
    children = report_children(unit, period.as_of) if with_children else []
    figures = registry.compute(StatsScope(unit=unit, children=children, period=period), only=only)
    additive = [i.name for i in registry.indicators() if i.additive and (only is None or i.name in only)]
    figures.children = [
        row for row in figures.children
        if row.unit.is_open_on(period.as_of) or any(row.values.get(name) for name in additive)
    ]  # fmt: skip
    return figures


@dataclass
class ReportRow:
    """One line of a report table."""

    indicator: registry.Indicator
    result: Number
    target: Decimal | None
    done: Decimal | None  # result ÷ target × 100
    last_year: Number
    change: Number  # result − last year
    target_handed_down: bool = False


def _change(now: Number, before: Number) -> Number:
    if now is None or before is None:
        return None
    return now - before


def targets_for(*, unit: OrgUnit, year: int) -> dict[str, Target]:
    return {t.indicator: t for t in Target.objects.filter(org_unit=unit, year=year).select_related("set_by")}


def report_rows(
    *, figures: UnitFigures, last_year: UnitFigures | None, targets: dict[str, Target]
) -> list[ReportRow]:
    rows = []
    for ind in registry.indicators():
        result = figures[ind.name]
        target = targets.get(ind.name)
        before = last_year[ind.name] if last_year is not None else None
        rows.append(
            ReportRow(
                indicator=ind,
                result=result,
                target=target.value if target else None,
                done=percent(result, target.value) if target and target.value else None,
                last_year=before,
                change=_change(result, before),
                target_handed_down=bool(target and target.is_handed_down),
            )
        )
    return rows


@dataclass
class UnitReport:
    """Everything the report page, the documents and the API show for one unit and year."""

    unit: OrgUnit
    period: StatsPeriod
    figures: Figures
    last_year: Figures
    rows: list[ReportRow]
    targets: dict[str, Target]
    next_year_targets: dict[str, Target]


def unit_report(
    *, unit: OrgUnit, year: int, as_of: date | None = None, today: date | None = None
) -> UnitReport:
    """The figures of ``year`` (to ``as_of`` or the report's cut-off day), last year's beside them,
    and the unit's targets."""
    if as_of is None:
        saved = YearReport.objects.filter(org_unit=unit, year=year).values_list("cut_off", flat=True).first()
        as_of = saved
    period = StatsPeriod.for_year(year, as_of=as_of, today=today)
    figures = unit_figures(unit=unit, period=period)
    last_year = unit_figures(unit=unit, period=period.previous(), with_children=False)
    targets = targets_for(unit=unit, year=year)
    return UnitReport(
        unit=unit,
        period=period,
        figures=figures,
        last_year=last_year,
        rows=report_rows(figures=figures.total, last_year=last_year.total, targets=targets),
        targets=targets,
        next_year_targets=targets_for(unit=unit, year=year + 1),
    )


def history(*, unit: OrgUnit, years: list[int], today: date | None = None) -> list[tuple[int, Number]]:
    """Members at the end of each of ``years`` (the chart of members over the years)."""
    result = []
    for year in years:
        period = StatsPeriod.for_year(year, today=today)
        figures = registry.compute(StatsScope(unit=unit, children=[], period=period), only=["members"])
        result.append((year, figures.total["members"]))
    return result


# --- the associations of an area side by side ---------------------------------------------


@dataclass
class AreaColumn:
    unit: OrgUnit
    figures: UnitFigures


def area_units(*, area: Area) -> list[OrgUnit]:
    """The top unit of each association in ``area`` (in scope): a ward's Hội NCT, Hội Khuyến học…"""
    units = OrgUnit.objects.filter(area=area).select_related("association").order_by("depth")
    top: dict[int, OrgUnit] = {}
    for unit in units:
        top.setdefault(unit.association_id, unit)
    return sorted(top.values(), key=lambda u: vi_sort_key(u.association.name))


def area_report(
    *, area: Area, year: int, today: date | None = None
) -> tuple[StatsPeriod, list[AreaColumn], int]:
    """Each association's figures in ``area`` and the distinct people who are members of any."""
    from sohoi.members.models import Membership

    period = StatsPeriod.for_year(year, today=today)
    columns = []
    for unit in area_units(area=area):
        figures = registry.compute(StatsScope(unit=unit, children=[], period=period))
        columns.append(AreaColumn(unit=unit, figures=figures.total))
    day = period.as_of
    condition = Q()
    for column in columns:
        condition |= Q(org_unit__path__within=column.unit.path)
    people = 0
    if columns:
        people = (
            Membership.objects.filter(condition, unit_since__lte=day)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
            .values("person_id").distinct().count()
        )  # fmt: skip
    return period, columns, people


# --- what people enter ---------------------------------------------------------------------


def year_report_for(*, unit: OrgUnit, year: int) -> YearReport | None:
    return YearReport.objects.filter(org_unit=unit, year=year).first()


def letterhead_for(*, unit: OrgUnit) -> Letterhead | None:
    return Letterhead.objects.filter(org_unit=unit).first()


def population_for(*, area: Area, year: int) -> AreaPopulation | None:
    return AreaPopulation.objects.filter(area=area, year=year).first()


def child_targets(*, unit: OrgUnit, year: int, indicator: str) -> dict[int, Target]:
    """The targets of ``indicator`` the unit's children hold for ``year`` (by child id)."""
    return {
        t.org_unit_id: t
        for t in Target.objects.filter(
            org_unit__path__within=unit.path, org_unit__depth=unit.depth + 1, year=year, indicator=indicator
        )
    }


def level_label(unit: OrgUnit) -> str:
    return UnitLevel(unit.level).label


@dataclass
class LetterheadLines:
    parent_body: str
    issuer: str
    issuer_abbreviation: str
    place: str


def letterhead_lines(*, unit: OrgUnit) -> LetterheadLines:
    """The heading of the unit's documents: what the unit entered, else names from the tree
    (the parent unit, the unit itself, the association's abbreviation, the area's name)."""
    saved = letterhead_for(unit=unit)
    parent = OrgUnit.unscoped.filter(pk=unit.parent_id).only("name").first() if unit.parent_id else None
    default_parent = (parent.name if parent else unit.association.name).upper()
    default_place = unit.area.name if unit.area_id else ""
    for prefix in (
        "Phường ",
        "Xã ",
        "Thị trấn ",
        "Đặc khu ",
        "Thành phố ",
        "Tỉnh ",
        "Quận ",
        "Huyện ",
        "Thị xã ",
    ):
        if default_place.startswith(prefix):
            default_place = default_place[len(prefix) :]
            break
    return LetterheadLines(
        parent_body=(saved.parent_body if saved and saved.parent_body else default_parent),
        issuer=(saved.issuer if saved and saved.issuer else unit.name.upper()),
        issuer_abbreviation=(
            saved.issuer_abbreviation
            if saved and saved.issuer_abbreviation
            else unit.association.abbreviation
        ),
        place=(saved.place if saved and saved.place else default_place),
    )
