"""Load Vietnam's administrative areas from the ``vietnam-provinces`` package.

Two schemes live side by side in the one ``Area`` tree (DOMAIN.md §2.1):

- ``pre2025``: 63 provinces → districts → communes, valid until 30 June 2025;
- ``2025``: 34 provinces → communes/wards/đặc khu, valid from 1 July 2025;

and ``AreaSuccession`` links each old commune (and old province) to its new one(s).

The load is idempotent and additive. Rows are matched on (scheme, official code), which is
stable and never reused (QĐ 19/2025/QĐ-TTg): a known code is renamed in place, a new code
becomes the last child of its parent, and nothing is ever deleted, so hamlets that users
added under a commune, and every foreign key to an area, survive a reload.

Speed: treebeard's ``add_child`` costs several queries per node (it reads the parent and its
last child, inserts, then bumps ``numchild``); for ~14,000 areas that is minutes on SQLite.
The loader reads the existing tree once, computes paths, depth and numchild in memory with
treebeard's own path helper (``Area._get_path``) and writes with ``bulk_create`` in batches,
so a full load takes seconds. The tree it writes is exactly what treebeard would have built:
``Area.objects.find_problems()`` reports nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from sohoi.core.audit import audit
from sohoi.core.text import nfc

from .models import Area, AreaLevel, AreaScheme, AreaSuccession

PRE2025_VALID_TO = date(2025, 6, 30)
FROM_2025_VALID_FROM = date(2025, 7, 1)
BATCH_SIZE = 1000

Counts = dict[str, dict[str, int]]


@dataclass(frozen=True)
class AreaRecord:
    """One area as the source lists it; ``parent_code`` is a code in the same scheme."""

    scheme: str
    level: str
    code: str
    name: str
    division_type: str
    parent_code: str | None = None


@dataclass(frozen=True)
class SuccessionRecord:
    """An old (pre2025) area and one of the 2025 areas it became."""

    old_code: str
    new_code: str
    is_partial: bool


@dataclass(frozen=True)
class AreaData:
    """Everything one load writes. Within one depth, areas keep the order given here."""

    areas: Sequence[AreaRecord]
    successions: Sequence[SuccessionRecord] = ()


def province_code(code: int) -> str:
    return f"{int(code):02d}"


def district_code(code: int) -> str:
    return f"{int(code):03d}"


def commune_code(code: int) -> str:
    return f"{int(code):05d}"


def package_data() -> AreaData:
    """Read both schemes and the 2025 conversion tables from ``vietnam-provinces``.

    Areas come in the official (GSO code) order, the order of the government's own lists.
    The conversion tables are private modules of the package: its public API
    (``Ward.get_legacy_sources``) drops ``is_partly_merged``. uv.lock pins the version.
    """
    from vietnam_provinces import Province, Ward, legacy
    from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as PROVINCE_OLD_TO_NEW
    from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW as WARD_OLD_TO_NEW

    old, new = AreaScheme.BEFORE_2025.value, AreaScheme.FROM_2025.value

    def by_code(items: Iterable) -> list:
        return sorted(items, key=lambda item: int(item.code))

    areas: list[AreaRecord] = []
    areas += [
        AreaRecord(old, AreaLevel.PROVINCE, province_code(p.code), p.name, str(p.division_type))
        for p in by_code(legacy.Province.iter_all())
    ]
    areas += [
        AreaRecord(new, AreaLevel.PROVINCE, province_code(p.code), p.name, str(p.division_type))
        for p in by_code(Province.iter_all())
    ]
    areas += [
        AreaRecord(old, AreaLevel.DISTRICT, district_code(d.code), d.name, str(d.division_type),
                   province_code(d.province_code))
        for d in by_code(legacy.District.iter_all())
    ]  # fmt: skip
    areas += [
        AreaRecord(old, AreaLevel.COMMUNE, commune_code(w.code), w.name, str(w.division_type),
                   district_code(w.district_code))
        for w in by_code(legacy.Ward.iter_all())
    ]  # fmt: skip
    areas += [
        AreaRecord(new, AreaLevel.COMMUNE, commune_code(w.code), w.name, str(w.division_type),
                   province_code(w.province_code))
        for w in by_code(Ward.iter_all())
    ]  # fmt: skip

    successions: list[SuccessionRecord] = []
    for entry in PROVINCE_OLD_TO_NEW.values():
        # The table has no partial flag for provinces: an old province listed under several
        # new ones was split between them.
        is_partial = len(entry.new_provinces) > 1
        successions += [
            SuccessionRecord(province_code(entry.old_province.code), province_code(ref.code), is_partial)
            for ref in entry.new_provinces
        ]
    for entry in WARD_OLD_TO_NEW.values():
        successions += [
            SuccessionRecord(
                commune_code(entry.old_ward.code), commune_code(ref.code), entry.old_ward.is_partly_merged
            )
            for ref in entry.new_wards
        ]
    return AreaData(areas=areas, successions=successions)


def load_areas(data: AreaData | None = None) -> Counts:
    """Create or update the areas and successions of ``data`` (default: the installed package).

    Returns counts: ``{"pre2025": {"created", "updated", "moved"}, "2025": {…},
    "successions": {"created", "updated", "skipped"}}``. Runs in one transaction; writes one
    audit event when something changed. Reference data: no scope is needed (Area's manager
    is plain), and only the system (``sohoi load_areas``, setup, tests) calls it.
    """
    if data is None:
        data = package_data()
    with transaction.atomic():
        loader = _Loader()
        counts = {
            AreaScheme.BEFORE_2025.value: {"created": 0, "updated": 0, "moved": 0},
            AreaScheme.FROM_2025.value: {"created": 0, "updated": 0, "moved": 0},
        }
        loader.load_areas(data.areas, counts)
        counts["successions"] = loader.load_successions(data.successions)
        if any(n for group in counts.values() for key, n in group.items() if key != "skipped"):
            audit(action="area.loaded", actor=None, **counts)
    return counts


@dataclass
class _Node:
    id: int
    path: str
    parent_id: int | None
    numchild: int
    name: str
    division_type: str


@dataclass
class _Loader:
    nodes: dict[tuple[str, str], _Node] = field(default_factory=dict)
    # The highest step used under each parent path ("" for the roots), hamlets included.
    last_step: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def read_tree(self) -> None:
        self.nodes.clear()
        self.last_step.clear()
        rows = Area.objects.order_by().values_list(
            "id", "scheme", "code", "path", "parent_id", "numchild", "name", "division_type"
        )
        for pk, scheme, code, path, parent_id, numchild, name, division_type in rows.iterator(
            chunk_size=5000
        ):
            self.nodes[(scheme, code)] = _Node(pk, path, parent_id, numchild, name, division_type)
            parent_path, step = path[: -Area.steplen], Area._str2int(path[-Area.steplen :])
            self.last_step[parent_path] = max(self.last_step[parent_path], step)

    def load_areas(self, records: Sequence[AreaRecord], counts: Counts) -> None:
        self._check_records(records)
        self.read_tree()
        existed = set(self.nodes)
        new_children = Counter(
            (r.scheme, r.parent_code) for r in records if r.parent_code and (r.scheme, r.code) not in existed
        )
        dirty: set[tuple[str, str]] = set()
        moves: list[AreaRecord] = []
        for _depth, group in sorted(self._group_by_depth(records).items()):
            created: list[tuple[AreaRecord, Area]] = []
            for record in group:
                key = (record.scheme, record.code)
                name, division_type = nfc(record.name), nfc(record.division_type)
                parent = self.nodes[(record.scheme, record.parent_code)] if record.parent_code else None
                node = self.nodes.get(key)
                if node is None:
                    # A new area's children are all new in this load, so their number is known now.
                    area = self._new_area(record, name, division_type, parent, numchild=new_children[key])
                    created.append((record, area))
                    continue
                if (node.name, node.division_type) != (name, division_type):
                    node.name, node.division_type = name, division_type
                    dirty.add(key)
                    counts[record.scheme]["updated"] += 1
                if node.parent_id != (parent.id if parent else None):
                    moves.append(record)
            Area.objects.bulk_create([area for _, area in created], batch_size=BATCH_SIZE)
            for record, area in created:
                self.nodes[(record.scheme, record.code)] = _Node(
                    area.pk, area.path, area.parent_id, area.numchild, area.name, area.division_type
                )
                counts[record.scheme]["created"] += 1
        # Existing parents that got new children (a later package version adding areas).
        for key, n in new_children.items():
            if key in existed:
                self.nodes[key].numchild += n
                dirty.add(key)
        now = timezone.now()
        Area.objects.bulk_update(
            [
                Area(pk=n.id, name=n.name, division_type=n.division_type, numchild=n.numchild, updated_at=now)
                for n in (self.nodes[key] for key in dirty)
            ],
            ["name", "division_type", "numchild", "updated_at"],
            batch_size=BATCH_SIZE,
        )
        for record in moves:
            self._move(record)
            counts[record.scheme]["moved"] += 1

    def load_successions(self, records: Sequence[SuccessionRecord]) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "skipped": 0}
        existing = {
            (old_id, new_id): (pk, is_partial)
            for pk, old_id, new_id, is_partial in AreaSuccession.objects.values_list(
                "id", "old_area_id", "new_area_id", "is_partial"
            ).iterator(chunk_size=5000)
        }
        wanted: dict[tuple[int, int], bool] = {}
        for record in records:
            old = self.nodes.get((AreaScheme.BEFORE_2025.value, record.old_code))
            new = self.nodes.get((AreaScheme.FROM_2025.value, record.new_code))
            if old is None or new is None:
                # The conversion table names a handful of codes that the lists do not have
                # (communes dissolved before the table was made); nothing to link them to.
                counts["skipped"] += 1
                continue
            wanted[(old.id, new.id)] = record.is_partial
        created, changed = [], []
        for (old_id, new_id), is_partial in wanted.items():
            if (old_id, new_id) not in existing:
                created.append(AreaSuccession(old_area_id=old_id, new_area_id=new_id, is_partial=is_partial))
            elif existing[(old_id, new_id)][1] != is_partial:
                pk = existing[(old_id, new_id)][0]
                changed.append(
                    AreaSuccession(pk=pk, old_area_id=old_id, new_area_id=new_id, is_partial=is_partial)
                )
        AreaSuccession.objects.bulk_create(created, batch_size=BATCH_SIZE)
        AreaSuccession.objects.bulk_update(changed, ["is_partial"], batch_size=BATCH_SIZE)
        counts["created"], counts["updated"] = len(created), len(changed)
        return counts

    @staticmethod
    def _check_records(records: Sequence[AreaRecord]) -> None:
        """Refuse a malformed source before writing anything (the load is one transaction)."""
        repeated = [key for key, n in Counter((r.scheme, r.code) for r in records).items() if n > 1]
        if repeated:
            raise ValueError(f"Area codes listed more than once: {repeated[:5]}")
        schemes, levels = set(AreaScheme.values), set(AreaLevel.values)
        max_name = Area._meta.get_field("name").max_length
        for r in records:
            if r.scheme not in schemes or r.level not in levels:
                raise ValueError(f"Area {r.code!r}: unknown scheme {r.scheme!r} or level {r.level!r}")
            if not r.code or not 0 < len(nfc(r.name)) <= max_name:
                raise ValueError(f"Area {r.code!r}: empty code, or name empty or too long: {r.name!r}")

    def _group_by_depth(self, records: Sequence[AreaRecord]) -> dict[int, list[AreaRecord]]:
        """Group records by their depth in the tree, so each parent is written before its children."""
        listed = {(r.scheme, r.code): r for r in records}
        depths: dict[tuple[str, str], int] = {}

        def depth_of(record: AreaRecord, chain: frozenset[tuple[str, str]]) -> int:
            key = (record.scheme, record.code)
            if key in depths:
                return depths[key]
            parent_key = (record.scheme, record.parent_code)
            if record.parent_code is None:
                depth = 1
            elif parent_key in listed and parent_key not in chain:
                depth = depth_of(listed[parent_key], chain | {key}) + 1
            elif parent_key in self.nodes and parent_key not in listed:
                depth = len(self.nodes[parent_key].path) // Area.steplen + 1
            else:
                raise ValueError(f"Area {key} has an unknown or cyclic parent {record.parent_code!r}")
            depths[key] = depth
            return depth

        by_depth: dict[int, list[AreaRecord]] = defaultdict(list)
        for record in records:
            by_depth[depth_of(record, frozenset())].append(record)
        return by_depth

    def _new_area(
        self, record: AreaRecord, name: str, division_type: str, parent: _Node | None, *, numchild: int
    ) -> Area:
        parent_path = parent.path if parent else ""
        step = self.last_step[parent_path] + 1
        if step >= len(Area.alphabet) ** Area.steplen:
            raise ValueError(f"No free path step left under {parent_path!r}")
        self.last_step[parent_path] = step
        # Depth follows the parent actually in the tree, whatever the source's nesting says.
        depth = len(parent_path) // Area.steplen + 1
        is_old = record.scheme == AreaScheme.BEFORE_2025
        return Area(
            path=Area._get_path(parent_path, depth, step),
            depth=depth,
            numchild=numchild,
            parent_id=parent.id if parent else None,
            scheme=record.scheme,
            level=record.level,
            code=record.code,
            name=name,
            division_type=division_type,
            valid_from=None if is_old else FROM_2025_VALID_FROM,
            valid_to=PRE2025_VALID_TO if is_old else None,
        )

    @staticmethod
    def _move(record: AreaRecord) -> None:
        """A known code listed under a new parent: rare, so treebeard moves it with its hamlets.

        Runs after the bulk writes; ids stay, so the successions need no re-read.
        """
        if record.parent_code is None:
            raise ValueError(f"Area {record.scheme}/{record.code} cannot become a root")
        node = Area.objects.get(scheme=record.scheme, code=record.code)
        parent = Area.objects.get(scheme=record.scheme, code=record.parent_code)
        Area.objects.move(node, parent, "last-child")
        Area.objects.filter(pk=node.pk).update(parent=parent, updated_at=timezone.now())
