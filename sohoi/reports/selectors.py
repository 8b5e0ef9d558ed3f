"""Read paths of the reports: the figures of a unit and its children on a day, the report table
(target, result, % done, last year, change), the side-by-side view of an area's associations.

Callers run inside the scope of the unit they report on (``unit_scope`` / the active-unit
middleware): every query of personal data goes through the scoped managers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from sohoi.core.scoping import UnitPaths
from sohoi.core.text import vi_sort_key
from sohoi.orgunits.models import (
    Area,
    OrgUnit,
    UnitEvent,
    UnitEventKind,
    UnitEventLink,
    UnitEventRole,
)

from . import indicators as registry
from . import kept
from .indicators import OUTSIDE, Figures, Number, StatsPeriod, StatsScope, UnitFigures, percent
from .models import AreaPopulation, Letterhead, Target, YearReport


def _open_on(day: date) -> Q:
    return (Q(opened_on__isnull=True) | Q(opened_on__lte=day)) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    )


def _current_bucket(unit: OrgUnit, path: str) -> str:
    if not path.startswith(unit.path):
        return OUTSIDE
    return path[: len(unit.path) + unit.steplen]


def _keep_differing(unit: OrgUnit, wanted: dict[str, str]) -> list[tuple[str, str]]:
    """The corrections that change a bucket: shallow paths first, each kept only when its bucket
    differs from what the nearest kept correction above it (or today's tree) already gives."""
    kept: list[tuple[str, str]] = []
    for path in sorted(wanted, key=len):
        above = [bucket for kept_path, bucket in kept if path.startswith(kept_path)]
        before = above[-1] if above else _current_bucket(unit, path)
        if wanted[path] != before:
            kept.append((path, wanted[path]))
    return kept


def _parents_before_moves(unit: OrgUnit, day: date) -> dict[str, str]:
    """Units of the association moved after ``day``: their path → the path of their parent on ``day``."""
    events = (
        UnitEvent.unscoped.filter(
            kind=UnitEventKind.MOVED, effective_on__gt=day, org_unit__association_id=unit.association_id
        )
        .order_by("effective_on", "id")
        .values_list("org_unit__path", "data")
    )
    old_parent_code: dict[str, str] = {}
    for path, data in events:
        old_parent_code.setdefault(path, (data or {}).get("old_parent", ""))  # the first move after the day
    paths = dict(OrgUnit.unscoped.filter(code__in=set(old_parent_code.values())).values_list("code", "path"))
    return {path: paths[code] for path, code in old_parent_code.items() if code in paths}


def _child_paths(unit: OrgUnit) -> list[str]:
    # By parent (indexed): a range over the path would read the whole subtree of the root.
    return list(OrgUnit.objects.filter(parent=unit).values_list("path", flat=True))


def _tree_on(
    unit: OrgUnit, day: date, *, with_children: bool = True
) -> tuple[list[str], list[tuple[str, str]]]:
    """The unit's children on ``day`` (paths; none asked for without ``with_children``) and the
    bucket corrections that put back the units moved since then (a commune taken from a district to
    its province in 2025 was in the district's figures of 2024)."""
    moved = _parents_before_moves(unit, day)
    children = [path for path in _child_paths(unit) if path not in moved] if with_children else []
    if not moved:
        return children, []

    def bucket_on_day(path: str) -> str:
        below, node = "", path
        while node:
            if node == unit.path:
                return below or unit.path
            below, node = node, moved.get(node, node[: -unit.steplen])
        return OUTSIDE

    wanted = {path: bucket_on_day(path) for path in moved}
    if with_children:
        children += [path for path, parent in moved.items() if parent == unit.path]
    return children, _keep_differing(unit, wanted)


def _successors(unit: OrgUnit, after: date) -> dict[str, str]:
    """Units of the association merged into another after ``after``: path → the path of the unit
    they live on in today (following later merges)."""
    links = UnitEventLink.unscoped.filter(
        role=UnitEventRole.SOURCE, event__kind=UnitEventKind.MERGED, event__effective_on__gt=after,
        org_unit__association_id=unit.association_id,
    ).values_list("org_unit__path", "event__org_unit__path")  # fmt: skip
    successor = dict(links)
    resolved = {}
    for path in successor:
        target, seen = successor[path], {path}
        while target in successor and target not in seen:
            seen.add(target)
            target = successor[target]
        resolved[path] = target
    return resolved


def stats_scope(
    *, unit: OrgUnit, period: StatsPeriod, with_children: bool = True, rebase: bool = False
) -> StatsScope:
    """The scope of a computation on ``period``'s day: the tree as it was that day, or (``rebase``)
    today's units, with each unit merged since counted in its successor (a year-over-year view across
    the 2025 merger)."""
    day = period.as_of
    if rebase:
        successors = _successors(unit, day)
        wanted = {path: _current_bucket(unit, target) for path, target in successors.items()}
        corrections = _keep_differing(unit, wanted)
        child_paths = _child_paths(unit) if with_children else []
    else:
        child_paths, corrections = _tree_on(unit, day, with_children=with_children)
    children: list[OrgUnit] = []
    if with_children:
        found = OrgUnit.unscoped.filter(path__in=child_paths)
        if not rebase:
            found = found.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=day))
        children = sorted(found, key=lambda u: (not u.is_open_on(day), vi_sort_key(u.name)))
    use_kept = _kept_counts_fit(unit, children, corrections)
    if use_kept:
        kept.refresh(day)
    return StatsScope(unit=unit, children=children, period=period, corrections=corrections, kept=use_kept)


def _kept_counts_fit(unit: OrgUnit, children: list[OrgUnit], corrections: list[tuple[str, str]]) -> bool:
    """The kept counts (per tally unit) give the live answer when every row of the table is a
    tally unit and no unit below commune level moved to another row since the day."""
    if not settings.SOHOI_KEPT_STATISTICS or not kept.uses_kept(unit):
        return False
    if any(child.level not in kept.TALLY_LEVELS for child in children):
        return False
    paths = [path for path, _bucket in corrections]
    return (
        not OrgUnit.unscoped.filter(path__in=paths).exclude(level__in=kept.TALLY_LEVELS).exists()
        if paths
        else True
    )


def unit_figures(
    *,
    unit: OrgUnit,
    period: StatsPeriod,
    with_children: bool = True,
    only=None,
    rebase: bool = False,  # noqa: ANN001
) -> Figures:
    """The registered indicators for ``unit``'s subtree and (optionally) each child's subtree, on the
    tree of the period's day (or re-based onto today's units).

    A child closed before the day with nothing to show is left out."""
    scope = stats_scope(unit=unit, period=period, with_children=with_children, rebase=rebase)
    figures = registry.compute(scope, only=only)
    if with_children and figures.unlisted:
        # Children the day's tree did not list but whose rows hold figures: shown too, so the
        # rows still add up to the unit's total.
        extra = sorted(OrgUnit.unscoped.filter(path__in=figures.unlisted), key=lambda u: vi_sort_key(u.name))
        scope.children = [*scope.children, *extra]
        figures = registry.compute(scope, only=only)
    additive = [i.name for i in registry.indicators() if i.additive and (only is None or i.name in only)]
    day = period.as_of
    figures.children = [
        row for row in figures.children
        if (row.unit.is_open_on(day) if not rebase else row.unit.is_open) or any(row.values.get(n) for n in additive)
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
    *, unit: OrgUnit, year: int, as_of: date | None = None, today: date | None = None, rebase: bool = False
) -> UnitReport:
    """The figures of ``year`` (to ``as_of`` or the report's cut-off day), last year's beside them
    (on last year's tree, or ``rebase``d onto today's units), and the unit's targets."""
    period = StatsPeriod.for_year(year, as_of=as_of or cut_off_for(unit=unit, year=year), today=today)
    figures = unit_figures(unit=unit, period=period)
    last_year = unit_figures(unit=unit, period=period.previous(), rebase=rebase)
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


def cut_off_for(*, unit: OrgUnit, year: int) -> date | None:
    """The day the unit's report of ``year`` counts to, as saved with its narrative."""
    return YearReport.objects.filter(org_unit=unit, year=year).values_list("cut_off", flat=True).first()


def report_day(*, unit: OrgUnit, year: int, today: date | None = None) -> date:
    """The day the year's figures are counted on: the report's cut-off, else the end of the year
    (today while the year runs)."""
    return StatsPeriod.for_year(year, as_of=cut_off_for(unit=unit, year=year), today=today).as_of


def history(*, unit: OrgUnit, years: list[int], today: date | None = None) -> list[tuple[int, Number]]:
    """Members at the end of each of ``years`` (the chart of members over the years)."""
    result = []
    for year in years:
        period = StatsPeriod.for_year(year, today=today)
        figures = registry.compute(
            stats_scope(unit=unit, period=period, with_children=False), only=["members"]
        )
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
    from sohoi.members.models import Membership, MembershipStay

    period = StatsPeriod.for_year(year, today=today)
    columns = []
    for unit in area_units(area=area):
        figures = registry.compute(stats_scope(unit=unit, period=period, with_children=False))
        columns.append(AreaColumn(unit=unit, figures=figures.total))
    day = period.as_of
    people = 0
    if columns:
        paths = UnitPaths.of(column.unit.path for column in columns)
        # Members on the day: the current stays and the earlier ones, as the columns count them.
        current = (
            Membership.objects.filter(org_unit__path__within=paths, unit_since__lte=day)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
            .values_list("person_id", flat=True)
        )  # fmt: skip
        earlier = MembershipStay.objects.filter(
            org_unit__path__within=paths, started_on__lte=day, ended_on__gt=day
        ).values_list("membership__person_id", flat=True)
        people = len(set(current) | set(earlier))
    return period, columns, people


# --- what people enter ---------------------------------------------------------------------


def year_report_for(*, unit: OrgUnit, year: int) -> YearReport | None:
    return YearReport.objects.filter(org_unit=unit, year=year).first()


def letterhead_for(*, unit: OrgUnit) -> Letterhead | None:
    return Letterhead.objects.filter(org_unit=unit).first()


def population_for(*, area: Area, year: int) -> AreaPopulation | None:
    return AreaPopulation.objects.filter(area=area, year=year).select_related("actor").first()


def child_targets(*, unit: OrgUnit, year: int, indicator: str) -> dict[int, Target]:
    """The targets of ``indicator`` the unit's children hold for ``year`` (by child id)."""
    return {
        t.org_unit_id: t
        for t in Target.objects.filter(
            org_unit__path__within=unit.path, org_unit__depth=unit.depth + 1, year=year, indicator=indicator
        )
    }


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
