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
from datetime import date

from django.db import connection, transaction

from sohoi.orgunits.models import OrgUnit, UnitLevel

from .models import MemberTally, StaleMark, TallyDay, TallyState, TallyUnit

TALLY_LEVELS = frozenset({UnitLevel.CENTRAL, UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE})
KEPT_DAYS = 16  # the most recently used days whose member counts are kept
CHUNK = 500
FLOW_KINDS = ("joined", "rejoined", "died", "left")


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
    return f" AND {column} IN ({', '.join(str(int(v)) for v in chunk)})"


_CARD = (
    "CASE WHEN m.card_number <> '' AND (m.card_issued_on IS NULL OR m.card_issued_on <= %s) "
    "THEN TRUE ELSE FALSE END"
)


def _build_members(day: date, tallies: set[int] | None) -> None:
    """(Re)write the member counts of ``day`` for ``tallies`` (None: every tally unit)."""
    with connection.cursor() as cursor:
        for chunk in _chunks(tallies) if tallies is not None else [None]:
            cursor.execute("DELETE FROM reports_membertally WHERE day = %s" + _in("tally_id", chunk), [day])
            cursor.execute(
                "INSERT INTO reports_membertally (day, tally_id, gender, birth_year, card, honorary, n) "
                "SELECT %s, tally_id, gender, birth_year, card, honorary, SUM(n) FROM ("
                f" SELECT t.tally_id AS tally_id, p.gender AS gender, p.birth_year AS birth_year, {_CARD} AS card,"
                "  m.is_honorary AS honorary, COUNT(*) AS n"
                "  FROM members_membership m JOIN reports_tallyunit t ON t.unit_id = m.org_unit_id"
                "  JOIN members_person p ON p.id = m.person_id"
                "  WHERE m.unit_since <= %s AND (m.ended_on IS NULL OR m.ended_on > %s)"
                + _in("t.tally_id", chunk)
                + "  GROUP BY t.tally_id, p.gender, p.birth_year, 4, m.is_honorary"
                " UNION ALL"
                f" SELECT t.tally_id, p.gender, p.birth_year, {_CARD}, m.is_honorary, COUNT(*)"
                "  FROM members_membershipstay s JOIN members_membership m ON m.id = s.membership_id"
                "  JOIN reports_tallyunit t ON t.unit_id = s.org_unit_id JOIN members_person p ON p.id = m.person_id"
                "  WHERE s.started_on <= %s AND s.ended_on > %s"
                + _in("t.tally_id", chunk)
                + "  GROUP BY t.tally_id, p.gender, p.birth_year, 4, m.is_honorary"
                ") parts GROUP BY tally_id, gender, birth_year, card, honorary",
                [day, day, day, day, day, day, day],
            )


def _build_flows(tallies: set[int] | None) -> None:
    """(Re)write the event counts of ``tallies`` (None: all)."""
    kinds = ", ".join(f"'{kind}'" for kind in FLOW_KINDS)
    with connection.cursor() as cursor:
        for chunk in _chunks(tallies) if tallies is not None else [None]:
            cursor.execute("DELETE FROM reports_flowtally WHERE 1 = 1" + _in("tally_id", chunk))
            cursor.execute(
                "INSERT INTO reports_flowtally (day, tally_id, kind, n) "
                "SELECT e.happened_on, t.tally_id, e.kind, COUNT(*) FROM members_membershipevent e "
                f"JOIN reports_tallyunit t ON t.unit_id = e.org_unit_id WHERE e.kind IN ({kinds})"
                + _in("t.tally_id", chunk)
                + " GROUP BY e.happened_on, t.tally_id, e.kind"
            )
            touching = (
                ""
                if chunk is None
                else f" AND (to_tally_id IN ({_ids(chunk)}) OR from_tally_id IN ({_ids(chunk)}))"
            )
            cursor.execute("DELETE FROM reports_transfertally WHERE 1 = 1" + touching)
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


def _ids(chunk: list[int]) -> str:
    return ", ".join(str(int(v)) for v in chunk)


def _rebuild_map() -> None:
    TallyUnit.objects.all().delete()
    units = list(OrgUnit.unscoped.values_list("id", "path", "level"))
    TallyUnit.objects.bulk_create(_map_units(units), batch_size=5000)


def _lock() -> None:
    """One refresh at a time (two would both delete and both insert)."""
    TallyState.objects.get_or_create(name="lock")
    TallyState.objects.select_for_update().get(name="lock")


@transaction.atomic
def refresh(day: date | None = None) -> None:
    """Bring the kept counts up to date with every change marked so far, and keep ``day``."""
    _lock()
    marks = list(StaleMark.objects.values_list("path", "seq"))
    built = set(TallyState.objects.values_list("name", flat=True))
    if "units" not in built:
        _rebuild_map()
        TallyState.objects.create(name="units")
        TallyDay.objects.all().delete()
        MemberTally.objects.all().delete()
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
            TallyDay.objects.create(day=day)
            for old in TallyDay.objects.order_by("-used_at", "-id")[KEPT_DAYS:]:
                MemberTally.objects.filter(day=old.day).delete()
                old.delete()
        else:
            kept.save(update_fields=["used_at"])


def _apply_marks(paths: list[str]) -> None:
    """Re-map the marked units and everything below them, then recount every tally unit they
    belonged to before or belong to now."""
    from sohoi.core.scoping import UnitPaths

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
        MemberTally.objects.all().delete()
