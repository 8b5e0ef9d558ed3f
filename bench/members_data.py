"""A member register of any size, fast: a unit tree shaped like the country and N members
written with executemany (SQLite) or COPY (PostgreSQL) into the real tables (benchmark fixture,
not application code).

Every derived column is computed the way the services compute it (name parts, search_name,
name_key, sort_key, birth_year, number issuer), and every member has its joined event (and
its died/left event when it ended), so the selectors see what the services would have written.
Secondary indexes and the search index (FTS5 triggers on SQLite) are dropped during the load
and rebuilt afterwards from their own DDL, so the schema ends exactly as the migrations made it.
History rows (simple-history) and audit rows are not written: no benchmark here reads them.

Shape at 1,000,000 members (BASELINES.md): 34 provinces of skewed size (the largest about 7 %),
about 3,300 communes, about 20 chi hội each; the largest commune holds about 2,500 members.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

PROVINCES = 34
COMMUNES_AT_1M = 3321
BRANCHES_PER_COMMUNE = 20
LARGEST_COMMUNE_SHARE = 0.0025  # 2,500 members at 1 M
CHUNK = 50_000
TABLES = ("members_person", "members_membership", "members_membershipevent")
PROVINCE_ID_CODES = ["001", "024", "027", "031", "038", "040", "051", "079", "092", "036", "034", "030"]
MOBILE = ["032", "034", "035", "036", "038", "039", "077", "081", "083", "086", "088", "090", "091", "094", "097",
          "098"]  # fmt: skip


@dataclass
class Register:
    """What the benchmarks need to know about the register they run on."""

    vendor: str
    members: int
    root_id: int
    province_ids: list[int]
    commune_ids: list[int]
    commune_sizes: dict[int, int] = field(default_factory=dict)  # members per commune id
    load_s: float = 0.0
    tree_s: float = 0.0
    index_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor, "members": self.members, "root_id": self.root_id,
            "province_ids": self.province_ids, "commune_ids": self.commune_ids,
            "commune_sizes": {str(k): v for k, v in self.commune_sizes.items()},
            "load_s": self.load_s, "tree_s": self.tree_s, "index_s": self.index_s,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Register:
        data = dict(data)
        data["commune_sizes"] = {int(k): v for k, v in data["commune_sizes"].items()}
        return cls(**data)

    @property
    def largest_commune(self) -> int:
        return max(self.commune_sizes, key=lambda pk: self.commune_sizes[pk])


# --- the unit tree ---------------------------------------------------------------------------


def build_tree(members: int, *, seed: int = 11) -> tuple[Any, list[Any], list[Any], dict[int, list[Any]]]:
    """Root → 34 provinces → communes (scaled with N, skewed per province) → chi hội."""
    from sohoi.core.text import name_key
    from sohoi.orgunits.models import Association, OrgUnit

    nct = Association.objects.get(code="nct")
    rng = random.Random(seed)
    make = OrgUnit._get_path
    scale = min(1.0, members / 1_000_000)
    communes_total = max(PROVINCES * 3, round(COMMUNES_AT_1M * scale))
    branches_per = max(3, round(BRANCHES_PER_COMMUNE * min(1.0, math.sqrt(scale) * 1.5)))

    def unit(parent: Any, step: int, level: str, name: str) -> Any:
        depth = parent.depth + 1 if parent else 1
        node = OrgUnit(
            path=make(parent.path if parent else None, depth, step), depth=depth, numchild=0, association=nct,
            parent=parent, level=level, name=name, name_key=name_key(name),
        )  # fmt: skip
        if parent is not None:
            parent.numchild += 1
        return node

    root = unit(None, 1, "central", "Hội NCT Việt Nam (bench)")
    OrgUnit.unscoped.bulk_create([root])
    provinces = [unit(root, p + 1, "province", f"Hội NCT tỉnh {p + 1}") for p in range(PROVINCES)]
    OrgUnit.unscoped.bulk_create(provinces)
    factors = [rng.choice([0.5, 0.7, 0.8, 1, 1, 1, 1.2, 1.5, 2.6]) for _p in provinces]
    per_province = [max(3, round(communes_total * f / sum(factors))) for f in factors]
    communes = []
    for province, count in zip(provinces, per_province, strict=True):
        communes += [
            unit(province, c + 1, "commune", f"Hội NCT xã {c + 1} ({province.name})") for c in range(count)
        ]
    OrgUnit.unscoped.bulk_create(communes, batch_size=2000)
    branches: dict[int, list[Any]] = {}
    pending: list[Any] = []
    for commune in communes:
        count = max(2, round(branches_per * rng.uniform(0.4, 1.6)))
        branches[commune.pk] = [unit(commune, b + 1, "branch", f"Chi hội thôn {b + 1}") for b in range(count)]
        pending += branches[commune.pk]
        if len(pending) >= 20_000:
            OrgUnit.unscoped.bulk_create(pending, batch_size=2000)
            pending = []
    OrgUnit.unscoped.bulk_create(pending, batch_size=2000)
    for node in [root, *provinces, *communes]:
        OrgUnit.unscoped.filter(pk=node.pk).update(numchild=node.numchild)
    return root, provinces, communes, branches


def commune_sizes(communes: Sequence[Any], members: int, *, seed: int = 12) -> list[int]:
    """Members per commune: log-normal sizes, province factors kept, the largest ~0.25 % of N."""
    rng = random.Random(seed)
    province_factor: dict[int, float] = {}
    weights = []
    for commune in communes:
        factor = province_factor.setdefault(commune.parent_id, rng.uniform(0.6, 1.6))
        weights.append(rng.lognormvariate(0, 0.55) * factor)
    top = max(range(len(weights)), key=weights.__getitem__)
    rest = sum(weights) - weights[top]
    target = LARGEST_COMMUNE_SHARE * members if members >= 200_000 else members / max(len(communes) / 6, 1)
    sizes = [round((members - target) * w / rest) for w in weights]
    sizes[top] = members - (sum(sizes) - sizes[top])
    return sizes


# --- people ------------------------------------------------------------------------------------


@dataclass
class Columns:
    person: list[str]
    membership: list[str]
    event: list[str]


def columns() -> Columns:
    from sohoi.members.models import Membership, MembershipEvent, Person

    def cols(model: Any) -> list[str]:
        return [f.column for f in model._meta.concrete_fields]

    return Columns(cols(Person), cols(Membership), cols(MembershipEvent))


class NameBook:
    """Name parts and derived keys, computed once per distinct name (the services' functions)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, str, str, str, str, str, str]] = {}

    def get(self, family: str, middle: str, given: str) -> tuple[str, str, str, str, str, str, str]:
        full = " ".join(p for p in (family, middle, given) if p)
        found = self._cache.get(full)
        if found is None:
            from sohoi.members.person_data import name_fields, sort_key_of

            values = name_fields(full, family, middle, given)
            found = (full, family, middle, given, str(values["search_name"]), str(values["name_key"]),
                     sort_key_of(values))  # fmt: skip
            self._cache[full] = found
        return found


def public_code(pk: int) -> str:
    """A unique code in the alphabet of ``core.models.new_code`` (URLs only accept that), from the id."""
    from sohoi.core.models import _CODE_ALPHABET

    base, digits = len(_CODE_ALPHABET), []
    value = pk * 7_919 + 1_000_003  # not visibly sequential
    for _position in range(10):
        value, digit = divmod(value, base)
        digits.append(_CODE_ALPHABET[digit])
    return "".join(reversed(digits))


def _row_maker(defaults: dict[str, Any], names: list[str]) -> Callable[..., list]:
    """A row in column order from the defaults and the values given (a list copy, no dict)."""
    template = [defaults[name] for name in names]
    position = {name: index for index, name in enumerate(names)}

    def make(**values: Any) -> list:
        row = template.copy()
        for name, value in values.items():
            row[position[name]] = value
        return row

    return make


def member_rows(
    count: int,
    *,
    first_id: int,
    places: Sequence[tuple[int, int]],
    association_id: int,
    seed: int,
    today: date,
    numbers: dict[int, int],
    cols: Columns,
) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
    """Chunks of (person rows, membership rows, event rows) for ``places`` [(unit id, issuer id)],
    one member per place entry, ids from ``first_id``."""
    from sohoi.demo.members import (
        AGE_BANDS,
        FAMILY_NAMES,
        GIVEN_FEMALE,
        GIVEN_MALE,
        MIDDLE_FEMALE,
        MIDDLE_MALE,
    )

    rng = random.Random(seed)
    names = NameBook()
    stamp = datetime(2026, 1, 1, tzinfo=UTC).isoformat(sep=" ")
    families, family_w = zip(*FAMILY_NAMES, strict=True)
    male_mid, male_mid_w = zip(*MIDDLE_MALE, strict=True)
    female_mid, female_mid_w = zip(*MIDDLE_FEMALE, strict=True)
    band_w = [b[2] for b in AGE_BANDS]
    person_defaults = dict.fromkeys(cols.person, "")
    person_defaults.update({"area_id": None, "hamlet_id": None, "merged_into_id": None, "died_on": None,
                            "version": 1, "created_at": stamp, "updated_at": stamp})  # fmt: skip
    ms_defaults = dict.fromkeys(cols.membership, "")
    ms_defaults.update({"card_issued_on": None, "ended_on": None, "is_honorary": 0, "version": 1,
                        "association_id": association_id, "created_at": stamp, "updated_at": stamp})  # fmt: skip
    ev_defaults = dict.fromkeys(cols.event, "")
    ev_defaults.update({"actor_id": None, "cause_id": None, "from_unit_id": None, "precision": "day",
                        "created_at": stamp, "updated_at": stamp})  # fmt: skip
    make_person = _row_maker(person_defaults, cols.person)
    make_membership = _row_maker(ms_defaults, cols.membership)
    make_event = _row_maker(ev_defaults, cols.event)
    event_id = first_id * 2
    for start in range(0, count, CHUNK):
        people, memberships, events = [], [], []
        size = min(CHUNK, count - start)
        fam = rng.choices(families, weights=family_w, k=size)
        bands = rng.choices(AGE_BANDS, weights=band_w, k=size)
        for offset in range(size):
            index = start + offset
            pk = first_id + index
            unit_id, issuer_id = places[index]
            female = rng.random() < 0.6
            middle = (
                rng.choices(female_mid, female_mid_w)[0] if female else rng.choices(male_mid, male_mid_w)[0]
            )
            given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
            full, family, middle, given, search_name, name_key_, sort_key = names.get(
                fam[offset], middle, given
            )
            age = rng.randint(bands[offset][0], bands[offset][1])
            year = today.year - age
            birth = date(year, 1, 1) + timedelta(days=rng.randint(0, 300))
            roll = rng.random()
            precision = "day" if roll < 0.45 else ("month" if roll < 0.6 else "year")
            if precision != "day":
                birth = birth.replace(day=1, month=birth.month if precision == "month" else 1)
            id_roll = rng.random()
            id_type = id_number = ""
            if id_roll < 0.8:
                century = (year // 100 - 19) * 2 + (1 if female else 0)
                id_type = "cccd"
                id_number = (
                    f"{rng.choice(PROVINCE_ID_CODES)}{century}{year % 100:02d}{rng.randint(0, 999_999):06d}"
                )
            elif id_roll < 0.85:
                id_type, id_number = "cmnd", f"{rng.randint(10_000_000, 399_999_999):09d}"
            phone = ""
            if rng.random() < 0.5:
                phone = f"+84{rng.choice(MOBILE)[1:]}{rng.randint(0, 9_999_999):07d}"
            join_age = 60 + min(int(rng.expovariate(0.25)), max(0, age - 60)) if age >= 60 else age
            joined = date(year + join_age, birth.month, min(birth.day, 28)) + timedelta(
                days=rng.randint(0, 500)
            )
            joined = min(joined, today)
            joined = max(joined, date(1995, 6, 1))
            end_roll = rng.random()
            status, ended = "active", None
            if end_roll < 0.04 and joined < today:
                status, ended = (
                    "deceased",
                    joined + timedelta(days=rng.randint(1, max(1, (today - joined).days))),
                )
            elif end_roll > 0.98 and joined < today:
                status, ended = "left", joined + timedelta(days=rng.randint(1, max(1, (today - joined).days)))
            numbers[issuer_id] = numbers.get(issuer_id, 0) + 1
            people.append(make_person(
                id=pk, full_name=full, family_name=family, middle_name=middle, given_name=given,
                search_name=search_name, name_key=name_key_, birth_date=birth.isoformat(),
                birth_precision=precision, birth_year=year, gender="female" if female else "male",
                id_type=id_type, id_number=id_number, phone=phone, ethnicity="Kinh",
                died_on=ended.isoformat() if status == "deceased" else None,
            ))  # fmt: skip
            memberships.append(make_membership(
                id=pk, code=public_code(pk), person_id=pk, org_unit_id=unit_id,
                member_number=f"{numbers[issuer_id]:05d}", number_issuer_id=issuer_id,
                joined_on=joined.isoformat(), joined_precision="day", unit_since=joined.isoformat(),
                status=status, ended_on=ended.isoformat() if ended else None, sort_key=sort_key,
            ))  # fmt: skip
            events.append(make_event(id=event_id, membership_id=pk, kind="joined", org_unit_id=unit_id,
                                     happened_on=joined.isoformat()))  # fmt: skip
            event_id += 1
            if ended:
                events.append(make_event(
                    id=event_id, membership_id=pk, kind="died" if status == "deceased" else "left",
                    org_unit_id=unit_id, happened_on=ended.isoformat(),
                    reason="" if status == "deceased" else "Chuyển đi",
                ))  # fmt: skip
                event_id += 1
        yield people, memberships, events


# --- writing -----------------------------------------------------------------------------------


def _sqlite_secondary_ddl(raw: Any) -> list[tuple[str, str, str]]:
    names = ",".join(f"'{t}'" for t in TABLES)
    return raw.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        f"AND tbl_name IN ({names}) AND sql IS NOT NULL"
    ).fetchall()


def _pg_secondary_ddl(cursor: Any) -> list[tuple[str, str, str]]:
    cursor.execute(
        "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        [list(TABLES)],
    )
    return cursor.fetchall()


def write_rows(
    chunks: Iterator[tuple[list[tuple], list[tuple], list[tuple]]], cols: Columns, *, drop_indexes: bool
) -> tuple[float, float]:
    """Write the chunks in one transaction; returns (load seconds, index rebuild seconds)."""
    import time

    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    vendor = connection.vendor
    targets = list(zip(TABLES, (cols.person, cols.membership, cols.event), strict=True))
    started = time.perf_counter()
    if vendor == "sqlite":
        raw.execute("PRAGMA foreign_keys = OFF")
        ddl = _sqlite_secondary_ddl(raw) if drop_indexes else []
        raw.execute("BEGIN")
        for kind, name, _sql in ddl:
            raw.execute(f'DROP {kind.upper()} "{name}"')
        for chunk in chunks:
            for (table, names), rows in zip(targets, chunk, strict=True):
                marks = ",".join("?" * len(names))
                raw.executemany(f'INSERT INTO "{table}" ({",".join(names)}) VALUES ({marks})', rows)
        loaded = time.perf_counter()
        for kind, _name, sql in ddl:
            if kind == "index":
                raw.execute(sql)
        if ddl:
            raw.execute("INSERT INTO members_person_fts(members_person_fts) VALUES ('rebuild')")
        for kind, _name, sql in ddl:
            if kind == "trigger":
                raw.execute(sql)
        raw.execute("COMMIT")
        raw.execute("PRAGMA foreign_keys = ON")
    else:
        with raw.cursor() as cursor, raw.transaction():
            ddl = _pg_secondary_ddl(cursor) if drop_indexes else []
            cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers while loading
            for _kind, name, _sql in ddl:
                cursor.execute(f'DROP INDEX "{name}"')
            for chunk in chunks:
                for (table, names), rows in zip(targets, chunk, strict=True):
                    with cursor.copy(f'COPY "{table}" ({",".join(names)}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
            loaded = time.perf_counter()
            for _kind, _name, sql in ddl:
                cursor.execute(sql)
            for table in TABLES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )
    return loaded - started, time.perf_counter() - loaded


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def load_register(
    members: int, *, seed: int = 2026, progress: Callable[[str], None] | None = None
) -> Register:
    """Build the tree and load ``members`` members into the current (empty) database."""
    import time

    from django.db import connection
    from django.utils import timezone

    from sohoi.orgunits.models import Association

    started = time.perf_counter()
    root, provinces, communes, branches = build_tree(members)
    tree_s = time.perf_counter() - started
    sizes = commune_sizes(communes, members)
    rng = random.Random(seed + 1)
    places: list[tuple[int, int]] = []
    for commune, size in zip(communes, sizes, strict=True):
        units = branches[commune.pk]
        weights = [rng.uniform(0.3, 2.0) for _u in units]
        direct = size // 33  # a few kept at commune level
        places += [(commune.pk, commune.pk)] * direct
        places += [(u.pk, commune.pk) for u in rng.choices(units, weights=weights, k=size - direct)]
    rng.shuffle(places)  # ids not clustered by unit, as years of admissions leave them
    cols = columns()
    chunks = member_rows(
        members, first_id=1, places=places, association_id=Association.objects.get(code="nct").pk, seed=seed,
        today=timezone.localdate(), numbers={}, cols=cols,
    )  # fmt: skip
    if progress:
        progress(f"tree {tree_s:.1f}s, loading {members} members")
    load_s, index_s = write_rows(chunks, cols, drop_indexes=True)
    analyze()
    return Register(
        vendor=connection.vendor, members=members, root_id=root.pk, province_ids=[p.pk for p in provinces],
        commune_ids=[c.pk for c in communes], commune_sizes=dict(zip([c.pk for c in communes], sizes, strict=True)),
        load_s=round(load_s, 2), tree_s=round(tree_s, 2), index_s=round(index_s, 2),
    )  # fmt: skip
