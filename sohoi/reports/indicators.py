"""Indicators: named, documented figures over (a unit's subtree, a period ending on a day).

The framework is small on purpose. A **source** runs a few grouped SQL queries for one
``StatsScope`` (a unit, its children and the period) and returns values per bucket: the unit's own
rows (bucket = the unit's path) and each child's subtree (bucket = the child's path). An
**indicator** names one of those values (additive: the unit's figure is the sum of its buckets) or
derives a value from a unit's other values (a rate, a mean: not additive).

Other modules (clubs, care, funds, awards) add indicators by calling :func:`register_source` and
:func:`register` from their app's ``ready()``; nothing here changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Expression, F, Q, Value, When
from django.db.models.functions import Substr
from django.utils.functional import Promise

from sohoi.core.scoping import UnitPaths

if TYPE_CHECKING:
    from sohoi.orgunits.models import OrgUnit

Number = int | Decimal | None


class Unit:
    """How an indicator's value reads."""

    PEOPLE = "people"
    UNITS = "units"
    PERCENT = "percent"
    YEARS = "years"


@dataclass(frozen=True)
class StatsPeriod:
    """Figures are counted on ``as_of``; flows (new members, deaths…) over ``start``…``as_of``."""

    year: int
    start: date
    as_of: date

    @classmethod
    def for_year(cls, year: int, *, as_of: date | None = None, today: date | None = None) -> StatsPeriod:
        """The calendar year ``year`` (up to today while it runs). A cut-off day other than the end
        of the year (some issuers count to 30 September) makes the period the twelve months that
        end on it."""
        today = today or date.today()
        if as_of is None:
            return cls(year=year, start=date(year, 1, 1), as_of=min(date(year, 12, 31), today))
        if as_of == date(as_of.year, 12, 31):
            start = date(as_of.year, 1, 1)
        else:
            start = _same_day_a_year_before(as_of) + timedelta(days=1)
        return cls(year=year, start=start, as_of=as_of)

    def previous(self) -> StatsPeriod:
        """The same period one year earlier (for "last year" and the change)."""
        return StatsPeriod(
            year=self.year - 1,
            start=_same_day_a_year_before(self.start),
            as_of=_same_day_a_year_before(self.as_of),
        )


def _same_day_a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


OUTSIDE = ""  # the bucket of rows that do not belong to the scope's subtree in its view of the tree


@dataclass
class StatsScope:
    """One computation: ``unit``'s subtree, split into the unit's own rows and its ``children``.

    Rows are put in buckets by their unit's current path. ``corrections`` change that for whole
    subtrees when the tree of the report's day differs from today's (a unit moved since, or a
    merged unit re-based onto its successor): ``(path, bucket)``, the deepest path winning, with
    bucket ``OUTSIDE`` for a subtree that was not part of the unit's subtree."""

    unit: OrgUnit
    children: list[OrgUnit]
    period: StatsPeriod
    corrections: list[tuple[str, str]] = field(default_factory=list)
    # Read the kept counts (kept.py) instead of the register: set by the selectors when they
    # give the same answer.
    kept: bool = False

    @property
    def bucket_length(self) -> int:
        return len(self.unit.path) + self.unit.steplen

    def bucket(self, path_field: str) -> Expression:
        """The bucket of a row whose unit path is ``path_field``: a child's path, the unit's own path,
        or ``OUTSIDE``."""
        current = Case(
            When(**{f"{path_field}__within": self.unit.path}, then=Substr(F(path_field), 1, self.bucket_length)),
            default=Value(OUTSIDE),
            output_field=CharField(),
        ) if self.corrections else Substr(F(path_field), 1, self.bucket_length)  # fmt: skip
        if not self.corrections:
            return current
        deepest_first = sorted(self.corrections, key=lambda c: -len(c[0]))
        whens = [
            When(**{f"{path_field}__within": path}, then=Value(bucket)) for path, bucket in deepest_first
        ]
        return Case(*whens, default=current, output_field=CharField())

    def bucket_of(self, path: str) -> str:
        """``bucket`` for one path, in Python (for the few rows a source reads whole)."""
        for corrected, bucket in sorted(self.corrections, key=lambda c: -len(c[0])):
            if path.startswith(corrected):
                return bucket
        return path[: self.bucket_length] if path.startswith(self.unit.path) else OUTSIDE

    def within(self, path_field: str) -> Q:
        """Rows that may belong to the scope (index-served ranges; ``bucket`` sorts out the rest)."""
        paths = [self.unit.path, *(path for path, bucket in self.corrections if bucket != OUTSIDE)]
        return Q(**{f"{path_field}__within": UnitPaths.of(paths)})

    @property
    def row_paths(self) -> list[str]:
        """The unit and its children, the rows of the table."""
        return [self.unit.path, *(child.path for child in self.children)]


# bucket (a path) → {value name: value}
BucketValues = dict[str, Counter[str]]


@dataclass(frozen=True)
class Source:
    """Runs the queries of a group of indicators for one scope.

    ``additive`` sources return values per bucket (summed into the unit's figure); the others
    return values per row path directly (the unit's and each child's, e.g. a population entered
    per area)."""

    name: str
    compute: Callable[[StatsScope], dict[str, dict[str, Number]]]
    additive: bool = True


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str | Promise
    description: str | Promise
    group: str
    unit: str = Unit.PEOPLE
    # Additive indicators read ``name`` from their source's buckets; derived ones compute from a
    # row's other values (never summed: a rate of a parent is not the sum of its children's).
    derive: Callable[[dict[str, Number]], Number] | None = None
    source: str | None = None
    order: int = 0
    # Flows over the period rather than a count on the day.
    is_flow: bool = False

    @property
    def additive(self) -> bool:
        return self.derive is None and _SOURCES[self.source].additive  # type: ignore[index]


_SOURCES: dict[str, Source] = {}
_INDICATORS: dict[str, Indicator] = {}
_GROUPS: dict[str, tuple[int, str | Promise]] = {}


def register_source(source: Source) -> Source:
    _SOURCES[source.name] = source
    return source


def register_group(name: str, label: str | Promise, order: int) -> None:
    """A section of the indicator table (members, age, organisation…)."""
    _GROUPS[name] = (order, label)


def register(indicator: Indicator) -> Indicator:
    if indicator.derive is None and indicator.source not in _SOURCES:
        raise ValueError(f"indicator {indicator.name}: unknown source {indicator.source!r}")
    if indicator.group not in _GROUPS:
        raise ValueError(f"indicator {indicator.name}: unknown group {indicator.group!r}")
    _INDICATORS[indicator.name] = indicator
    return indicator


def indicators() -> list[Indicator]:
    """Every registered indicator in table order (group, then its own order)."""
    return sorted(_INDICATORS.values(), key=lambda i: (_GROUPS[i.group][0], i.order, i.name))


def indicator(name: str) -> Indicator | None:
    return _INDICATORS.get(name)


def group_label(name: str) -> str | Promise:
    return _GROUPS[name][1]


@dataclass
class UnitFigures:
    unit: OrgUnit
    values: dict[str, Number] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Number:
        return self.values.get(name)


@dataclass
class Figures:
    """The figures of a unit (its whole subtree), of each child, and of its own direct rows."""

    period: StatsPeriod
    total: UnitFigures
    children: list[UnitFigures]
    direct: dict[str, Number]
    # Buckets with figures that are not a listed child (a unit opened after the day that still
    # has members on it, from an old list): counted in the total; the selectors add their rows.
    unlisted: dict[str, dict[str, Number]] = field(default_factory=dict)

    @property
    def has_direct_row(self) -> bool:
        """The tables show a line for the members kept at the unit itself: whenever any of its
        own figures is not zero (a death there with no member left still counts), so the lines
        always add up to the total."""
        return bool(self.children) and any(self.direct.values())


def compute(scope: StatsScope, *, only: Iterable[str] | None = None) -> Figures:
    """Run the sources the registered indicators (or ``only`` those) need over ``scope``."""
    names = set(only) if only is not None else None
    wanted = [i for i in indicators() if names is None or i.name in names]
    if any(i.derive for i in wanted):
        needed = set(_SOURCES)  # a derived value may read any other value
    else:
        needed = {i.source for i in wanted if i.source}
    additive: dict[str, Counter[str]] = {path: Counter() for path in scope.row_paths}
    per_row: dict[str, dict[str, Number]] = {path: {} for path in scope.row_paths}
    for name in sorted(needed):  # type: ignore[arg-type]
        source = _SOURCES[name]
        for path, values in source.compute(scope).items():
            if source.additive and path != OUTSIDE:
                # Every bucket counts in the unit's total, listed as a row or not.
                additive.setdefault(path, Counter()).update(values)  # type: ignore[arg-type]
            elif not source.additive and path in per_row:
                per_row[path].update(values)

    unit_path = scope.unit.path
    total: Counter[str] = Counter()
    for values in additive.values():
        total.update(values)
    rows: dict[str, dict[str, Number]] = {unit_path: dict(total)}
    for child in scope.children:
        rows[child.path] = dict(additive[child.path])
    additive_names = [i.name for i in wanted if i.additive]
    for path, values in rows.items():
        values.update(per_row[path])
        for name in additive_names:
            values.setdefault(name, 0)
        for ind in wanted:
            if ind.derive is not None:
                values[ind.name] = ind.derive(values)

    listed = set(scope.row_paths)
    return Figures(
        period=scope.period,
        total=UnitFigures(scope.unit, rows[unit_path]),
        children=[UnitFigures(child, rows[child.path]) for child in scope.children],
        direct={name: additive[unit_path].get(name, 0) for name in additive_names},
        unlisted={
            path: dict(values)
            for path, values in additive.items()
            if path not in listed and any(values.values())
        },
    )


def percent(part: Number, whole: Number, places: int = 1) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (None without a whole)."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places))
