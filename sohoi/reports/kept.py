"""The kept statistics: counts per "tally unit" (a commune-level unit or above) that the reports of
a district, a province or the nation read instead of scanning the register (BASELINES.md §1:
the national count is seconds at 10 M members; the kept counts answer in milliseconds).

What is kept:

- ``TallyUnit``: each unit → its tally unit (nearest ancestor-or-self at commune level or above);
- ``MemberTally``: members per tally unit on each kept day, by gender, birth year, card, honorary;
- ``FlowTally`` / ``TransferTally``: the lifecycle events per tally unit and day.

How it stays right: database triggers (migration 0003) mark the path of every unit whose counts
a change touches. Before any read, :func:`refresh` takes the marks, recomputes the unit map below
them and the counts of the tally units they touch, for every kept day, and deletes exactly the
marks it read (a mark re-made meanwhile has a new ``seq`` and stays). A day asked for the first
time is built whole. Reads are answered only where the kept counts equal the live ones: see
:func:`usable_for`.

Written in SQL (INSERT … SELECT): the counts of millions of rows never pass through Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from sohoi.core.scoping import UnitPaths, subtree_bounds
from sohoi.orgunits.models import OrgUnit, UnitLevel

from .indicators import OUTSIDE
from .models import MemberTally, StaleMark, TallyDay, TallyState, TallyUnit

if TYPE_CHECKING:
    from .indicators import StatsScope

TALLY_LEVELS = frozenset({UnitLevel.CENTRAL, UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE})
KEPT_DAYS = 24  # the most recently used days whose member counts are kept
USED_AT_GRAIN = timedelta(hours=1)
EVICT_AFTER = timedelta(minutes=15)
CHUNK = 500
FLOW_KINDS = ("joined", "rejoined", "died", "left")
# An admission counts once per membership (member_indicators._earlier_admission).
FIRST_ADMISSION = (
    "NOT (e.kind = 'joined' AND EXISTS (SELECT 1 FROM members_membershipevent e2 "
    "WHERE e2.membership_id = e.membership_id AND e2.kind = 'joined' "
    "AND (e2.happened_on < e.happened_on OR (e2.happened_on = e.happened_on AND e2.id < e.id))))"
)


def uses_kept(unit: OrgUnit) -> bool:
    """The kept counts serve reports whose rows are tally units: above commune level."""
    return unit.level in (UnitLevel.CENTRAL, UnitLevel.PROVINCE, UnitLevel.DISTRICT)


def _tally_of(path: str, levels: dict[str, str], ids: dict[str, int], steplen: int = 4) -> int | None:
    for end in range(len(path), 0, -steplen):
        prefix = path[:end]
        if levels.get(prefix) in TALLY_LEVELS:
            return ids[prefix]
    return None


def _map_units(units: Sequence[tuple[int, str, str]]) -> list[TallyUnit]:
    """Tally units of ``units`` (id, path, level); their ancestors are looked up by path."""
    levels = {path: level for _id, path, level in units}
    ids = {path: pk for pk, path, _level in units}
    missing = {p[:end] for _id, p, _l in units for end in range(4, len(p), 4)} - levels.keys()
    for pk, path, level in OrgUnit.unscoped.filter(path__in=missing).values_list("id", "path", "level"):
        levels[path], ids[path] = level, pk
    result = []
    for pk, path, _level in units:
        tally = _tally_of(path, levels, ids)
        if tally is not None:
            result.append(TallyUnit(unit_id=pk, tally_id=tally))
    return result


def _chunks(values: Iterable[int]) -> Iterable[list[int]]:
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _in(column: str, chunk: list[int] | None) -> str:
    if chunk is None:
        return ""
    return f" AND {column} IN ({_ids(chunk)})"


_CARD = (
    "CASE WHEN m.card_number <> '' AND (m.card_issued_on IS NULL OR m.card_issued_on <= %s) THEN 1 ELSE 0 END"
)


def _band(year: int) -> tuple[str, list[int]]:
    """The age band of the day's year as SQL (the same bands as member_indicators.age_band)."""
    from .member_indicators import AGE_BANDS

    whens = ["WHEN p.birth_year IS NULL THEN 'age_unknown'"]
    params: list[int] = []
    for name, low, _high in sorted(AGE_BANDS, key=lambda band: -band[1]):
        if low > 0:
            whens.append(f"WHEN %s - p.birth_year >= {int(low)} THEN '{name}'")
            params.append(year)
    return f"CASE {' '.join(whens)} ELSE 'age_under_60' END", params


def _members_part(
    source: str, unit_column: str, where: str, day: date, chunk: list[int] | None
) -> tuple[str, list]:
    band, band_params = _band(day.year)
    sql = (
        f"SELECT t.tally_id AS tally_id, p.gender AS gender, {band} AS band, COUNT(*) AS n,"
        " SUM(CASE WHEN p.birth_year IS NULL THEN 0 ELSE %s - p.birth_year END) AS age_sum,"
        f" SUM({_CARD}) AS card, SUM(CASE WHEN m.is_honorary THEN 1 ELSE 0 END) AS honorary"
        f" FROM {source} JOIN reports_tallyunit t ON t.unit_id = {unit_column}"
        f" JOIN members_person p ON p.id = m.person_id WHERE {where}"
        + _in("t.tally_id", chunk)
        + " GROUP BY 1, 2, 3"
    )
    return sql, [*band_params, day.year, day, day, day]


def _clear(table: str) -> None:
    """Empty a kept table before it is built whole. On PostgreSQL a TRUNCATE: a DELETE of
    millions of rows leaves them dead until a vacuum, and the reads after the build crossed
    them (a third slower at 10 M members). Readers wait for the build either way."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows written earlier in this transaction hold deferred foreign-key checks, which
            # TRUNCATE refuses to leave pending: run them now (as Django's check_constraints does).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (our own table names)


def _analyze(*tables: str) -> None:
    """Fresh planner statistics after a table was built whole (autovacuum comes later)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


def _build_members(day: date, tallies: set[int] | None) -> None:
    """(Re)write the member counts of ``day`` for ``tallies`` (None: every tally unit)."""
    with connection.cursor() as cursor:
        for chunk in _chunks(tallies) if tallies is not None else [None]:
            cursor.execute("DELETE FROM reports_membertally WHERE day = %s" + _in("tally_id", chunk), [day])
            current, current_params = _members_part(
                "members_membership m", "m.org_unit_id",
                "m.unit_since <= %s AND (m.ended_on IS NULL OR m.ended_on > %s)", day, chunk,
            )  # fmt: skip
            earlier, earlier_params = _members_part(
                "members_membershipstay s JOIN members_membership m ON m.id = s.membership_id", "s.org_unit_id",
                "s.started_on <= %s AND s.ended_on > %s", day, chunk,
            )  # fmt: skip
            cursor.execute(
                "INSERT INTO reports_membertally (day, tally_id, gender, band, n, age_sum, card, honorary) "
                "SELECT %s, tally_id, gender, band, SUM(n), SUM(age_sum), SUM(card), SUM(honorary) "
                f"FROM ({current} UNION ALL {earlier}) parts GROUP BY tally_id, gender, band",
                [day, *current_params, *earlier_params],
            )


def _month_start(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _build_flows(tallies: set[int] | None) -> None:
    """(Re)write the event counts of ``tallies`` (None: all), by day and by month."""
    kinds = ", ".join(f"'{kind}'" for kind in FLOW_KINDS)
    with connection.cursor() as cursor:
        if tallies is None:
            _clear("reports_flowtally")
            _clear("reports_transfertally")
        for chunk in _chunks(tallies) if tallies is not None else [None]:
            if chunk is not None:
                cursor.execute(f"DELETE FROM reports_flowtally WHERE tally_id IN ({_ids(chunk)})")
            for month, day in ((False, "e.happened_on"), (True, _month_start("e.happened_on"))):
                cursor.execute(
                    "INSERT INTO reports_flowtally (day, month, tally_id, kind, n) "
                    f"SELECT {day}, %s, t.tally_id, e.kind, COUNT(*) FROM members_membershipevent e "
                    f"JOIN reports_tallyunit t ON t.unit_id = e.org_unit_id WHERE e.kind IN ({kinds}) AND {FIRST_ADMISSION}"
                    + _in("t.tally_id", chunk)
                    + " GROUP BY 1, 3, 4",
                    [month],
                )
            if chunk is not None:
                cursor.execute(
                    "DELETE FROM reports_transfertally WHERE "
                    f"to_tally_id IN ({_ids(chunk)}) OR from_tally_id IN ({_ids(chunk)})"
                )
            either = (
                ""
                if chunk is None
                else f" AND (tt.tally_id IN ({_ids(chunk)}) OR tf.tally_id IN ({_ids(chunk)}))"
            )
            cursor.execute(
                "INSERT INTO reports_transfertally (day, to_tally_id, from_tally_id, n) "
                "SELECT e.happened_on, tt.tally_id, tf.tally_id, COUNT(*) FROM members_membershipevent e "
                "JOIN reports_tallyunit tt ON tt.unit_id = e.org_unit_id "
                "JOIN reports_tallyunit tf ON tf.unit_id = e.from_unit_id "
                "WHERE e.kind = 'transferred' AND tt.tally_id <> tf.tally_id"
                + either
                + " GROUP BY e.happened_on, tt.tally_id, tf.tally_id"
            )
    if tallies is None:
        _analyze("reports_flowtally", "reports_transfertally")


# --- reading ----------------------------------------------------------------------------------
# Plain SQL: the tally table drives the join (SQLite's CROSS JOIN keeps that order; PostgreSQL
# plans it alike), so a national read scans one day's rows, not every unit's history.


def _bucket_sql(scope: StatsScope, column: str) -> tuple[str, list[str]]:
    n = scope.bucket_length
    low, high = subtree_bounds(scope.unit.path)
    current = f"CASE WHEN {column} >= %s AND {column} <= %s THEN substr({column}, 1, {n}) ELSE '' END"
    params = [low, high]
    if not scope.corrections:
        return current, params
    whens, when_params = [], []
    for path, bucket in sorted(scope.corrections, key=lambda c: -len(c[0])):
        c_low, c_high = subtree_bounds(path)
        whens.append(f"WHEN {column} >= %s AND {column} <= %s THEN %s")
        when_params += [c_low, c_high, bucket]
    return f"CASE {' '.join(whens)} ELSE {current} END", [*when_params, *params]


def _within_sql(scope: StatsScope, column: str) -> tuple[str, list[str]]:
    paths = UnitPaths.of([scope.unit.path, *(p for p, bucket in scope.corrections if bucket != OUTSIDE)])
    clauses, params = [], []
    for path in paths.paths:
        low, high = subtree_bounds(path)
        clauses.append(f"({column} >= %s AND {column} <= %s)")
        params += [low, high]
    return "(" + " OR ".join(clauses) + ")", params


def _is_tally(column: str) -> str:
    """Always true of a tally unit; it lets the planner look up the few thousand tally units
    instead of hashing every unit of the tree (a third of a read's time at 70,000 units)."""
    levels = ", ".join(f"'{level}'" for level in sorted(TALLY_LEVELS))
    return f"{column} IN ({levels})"


def member_rows(scope: StatsScope) -> list[tuple]:
    """(bucket, gender, band, n, age sum, card, honorary) of the kept day."""
    bucket, bucket_params = _bucket_sql(scope, "u.path")
    within, within_params = _within_sql(scope, "u.path")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {bucket}, t.gender, t.band, SUM(t.n), SUM(t.age_sum), SUM(t.card), SUM(t.honorary) "
            "FROM reports_membertally t CROSS JOIN orgunits_orgunit u "
            f"WHERE u.id = t.tally_id AND {_is_tally('u.level')} AND t.day = %s AND {within} GROUP BY 1, 2, 3",
            [*bucket_params, scope.period.as_of, *within_params],
        )
        return cursor.fetchall()


def _spans(start: date, end: date) -> list[tuple[bool, date, date]]:
    """[start, end] as whole months (monthly rows, by their first day) and the days around them."""
    first_full = start if start.day == 1 else _next_month(start)
    after_last_full = end.replace(day=1) if _next_month(end) - timedelta(days=1) != end else _next_month(end)
    if first_full >= after_last_full:
        return [(False, start, end)]
    spans = [(True, first_full, after_last_full - timedelta(days=1))]
    if start < first_full:
        spans.append((False, start, first_full - timedelta(days=1)))
    if after_last_full <= end:
        spans.append((False, after_last_full, end))
    return spans


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def flow_rows(scope: StatsScope) -> list[tuple[str, str, int]]:
    """(bucket, kind, n) of the events in the period."""
    bucket, bucket_params = _bucket_sql(scope, "u.path")
    within, within_params = _within_sql(scope, "u.path")
    rows: list[tuple[str, str, int]] = []
    with connection.cursor() as cursor:
        for month, low, high in _spans(scope.period.start, scope.period.as_of):
            # Summed per tally unit first: a few weeks of daily rows are tens of thousands.
            cursor.execute(
                f"SELECT {bucket}, f.kind, SUM(f.n) FROM (SELECT tally_id, kind, SUM(n) AS n "
                "FROM reports_flowtally WHERE month = %s AND day >= %s AND day <= %s GROUP BY 1, 2) f "
                f"CROSS JOIN orgunits_orgunit u WHERE u.id = f.tally_id AND {_is_tally('u.level')} "
                f"AND {within} GROUP BY 1, 2",
                [*bucket_params, month, low, high, *within_params],
            )
            rows += cursor.fetchall()
    return rows


def transfer_rows(scope: StatsScope) -> list[tuple[str, str, int]]:
    """(to bucket, from bucket, n) of the transfers between tally units in the period."""
    to_bucket, to_params = _bucket_sql(scope, "tu.path")
    from_bucket, from_params = _bucket_sql(scope, "fu.path")
    to_within, to_within_params = _within_sql(scope, "tu.path")
    from_within, from_within_params = _within_sql(scope, "fu.path")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {to_bucket}, {from_bucket}, SUM(x.n) FROM reports_transfertally x "
            "CROSS JOIN orgunits_orgunit tu CROSS JOIN orgunits_orgunit fu "
            "WHERE tu.id = x.to_tally_id AND fu.id = x.from_tally_id AND x.day >= %s AND x.day <= %s "
            f"AND {_is_tally('tu.level')} AND {_is_tally('fu.level')} "
            f"AND ({to_within} OR {from_within}) GROUP BY 1, 2",
            [*to_params, *from_params, scope.period.start, scope.period.as_of, *to_within_params,
             *from_within_params],
        )  # fmt: skip
        return cursor.fetchall()


def _ids(chunk: list[int]) -> str:
    return ", ".join(str(int(v)) for v in chunk)


def _rebuild_map() -> None:
    _clear("reports_tallyunit")
    units = list(OrgUnit.unscoped.values_list("id", "path", "level"))
    TallyUnit.objects.bulk_create(_map_units(units), batch_size=5000)
    _analyze("reports_tallyunit")


def _lock() -> None:
    """One refresh at a time (two would both delete and both insert)."""
    TallyState.objects.get_or_create(name="lock")
    TallyState.objects.select_for_update().get(name="lock")


def refresh(day: date | None = None) -> None:
    """Bring the kept counts up to date with every change marked so far, and keep ``day``.

    Nothing to do (no marks, the day kept) costs two reads and no write, so report pages do not
    queue behind an import for the write lock."""
    now = timezone.now()
    if not StaleMark.objects.exists() and TallyState.objects.filter(name__in=("units", "flows")).count() == 2:
        if day is None:
            return
        used_at = TallyDay.objects.filter(day=day).values_list("used_at", flat=True).first()
        if used_at is not None:
            if used_at < now - USED_AT_GRAIN:
                TallyDay.objects.filter(day=day).update(used_at=now)
            return
    _refresh_locked(day)


@transaction.atomic
def _refresh_locked(day: date | None) -> None:
    _lock()
    marks = list(StaleMark.objects.values_list("path", "seq"))
    built = set(TallyState.objects.values_list("name", flat=True))
    if "units" not in built:
        _rebuild_map()
        TallyState.objects.create(name="units")
        TallyDay.objects.all().delete()
        _clear("reports_membertally")
        built.discard("flows")
        TallyState.objects.filter(name="flows").delete()
    elif marks:
        _apply_marks([path for path, _seq in marks])
    if "flows" not in built:
        _build_flows(None)
        TallyState.objects.create(name="flows")
    for path, seq in marks:
        StaleMark.objects.filter(path=path, seq=seq).delete()
    if day is not None:
        kept = TallyDay.objects.filter(day=day).first()
        if kept is None:
            _build_members(day, None)
            _analyze("reports_membertally")
            TallyDay.objects.create(day=day)
            # The least recently used days go, never one read moments ago (a read may be under way).
            for old in TallyDay.objects.order_by("-used_at", "-id")[KEPT_DAYS:]:
                if old.used_at < timezone.now() - EVICT_AFTER:
                    MemberTally.objects.filter(day=old.day).delete()
                    old.delete()
        else:
            kept.save(update_fields=["used_at"])


def _apply_marks(paths: list[str]) -> None:
    """Re-map the marked units and everything below them, then recount every tally unit they
    belonged to before or belong to now."""
    existing = UnitPaths.of(OrgUnit.unscoped.filter(path__in=paths).values_list("path", flat=True))
    units = (
        list(OrgUnit.unscoped.filter(path__within=existing).values_list("id", "path", "level"))
        if existing
        else []
    )
    unit_ids = [pk for pk, _path, _level in units]
    touched: set[int] = set()
    for chunk in _chunks(unit_ids):
        touched |= set(TallyUnit.objects.filter(unit_id__in=chunk).values_list("tally_id", flat=True))
        TallyUnit.objects.filter(unit_id__in=chunk).delete()
    mapped = _map_units(units)
    TallyUnit.objects.bulk_create(mapped, batch_size=5000)
    touched |= {row.tally_id for row in mapped}
    # A marked path that no longer exists (the old place of a moved unit) was counted under its
    # nearest remaining ancestor at tally level.
    gone = [path for path in paths if not existing.covers(path)]
    if gone:
        ancestors = {p[:end] for p in gone for end in range(4, len(p) + 1, 4)}
        rows = list(OrgUnit.unscoped.filter(path__in=ancestors).values_list("id", "path", "level"))
        levels = {path: level for _id, path, level in rows}
        ids = {path: pk for pk, path, _level in rows}
        touched |= {t for t in (_tally_of(p, levels, ids) for p in gone) if t is not None}
    if not touched:
        return
    for day in TallyDay.objects.values_list("day", flat=True):
        _build_members(day, touched)
    _build_flows(touched)


def reset() -> None:
    """Forget every kept count (after a bulk load that bypassed the triggers)."""
    with transaction.atomic():
        StaleMark.objects.all().delete()
        TallyState.objects.exclude(name="lock").delete()
        TallyDay.objects.all().delete()
        _clear("reports_membertally")
