"""The unit tree at national scale (100,000+ units): children on demand, subtree conditions,
permission checks and the unit page, each beside the bare SQL doing the same work."""

from __future__ import annotations

import os
import random
import time
from typing import Any

from .harness import test_database, timings

PROVINCES = int(os.environ.get("BENCH_PROVINCES", 34))
COMMUNES_PER_PROVINCE = int(os.environ.get("BENCH_COMMUNES", 98))
BRANCHES_PER_COMMUNE = int(os.environ.get("BENCH_BRANCHES", 15))
GROUPS_PER_BRANCH = int(os.environ.get("BENCH_GROUPS", 1))


def _build_tree() -> dict[str, Any]:
    """Bulk-build the tree with treebeard's path helper (benchmark fixture, not application code)."""
    from sohoi.core.text import name_key
    from sohoi.orgunits.models import Association, OrgUnit

    nct = Association.objects.get(code="nct")
    rng = random.Random(7)
    rows: list[OrgUnit] = []
    make = OrgUnit._get_path

    def unit(parent: OrgUnit | None, step: int, level: str, name: str) -> OrgUnit:
        depth = parent.depth + 1 if parent else 1
        node = OrgUnit(
            path=make(parent.path if parent else None, depth, step), depth=depth, numchild=0,
            association=nct, parent=parent, level=level, name=name, name_key=name_key(name),
        )  # fmt: skip
        rows.append(node)
        if parent:
            parent.numchild += 1
        return node

    root = unit(None, 1, "central", "Hội NCT Việt Nam")
    OrgUnit.unscoped.bulk_create(rows)
    rows.clear()
    provinces = [unit(root, p + 1, "province", f"Hội NCT tỉnh {p + 1}") for p in range(PROVINCES)]
    OrgUnit.unscoped.bulk_create(rows)
    rows.clear()
    communes = []
    for province in provinces:
        # Skewed sizes like the real country: a few big provinces.
        count = max(5, int(COMMUNES_PER_PROVINCE * rng.choice([0.5, 0.8, 1, 1, 1.2, 2.5])))
        communes += [unit(province, c + 1, "commune", f"Hội NCT xã {c + 1}") for c in range(count)]
    OrgUnit.unscoped.bulk_create(rows, batch_size=2000)
    rows.clear()
    for commune in communes:
        for b in range(BRANCHES_PER_COMMUNE):
            branch = unit(commune, b + 1, "branch", f"Chi hội thôn {b + 1}")
            for g in range(GROUPS_PER_BRANCH):
                unit(branch, g + 1, "group", f"Tổ hội {g + 1}")
        if len(rows) > 20000:
            _save_with_parents(rows)
            rows.clear()
    _save_with_parents(rows)
    for node in [root, *provinces, *communes]:
        OrgUnit.unscoped.filter(pk=node.pk).update(numchild=node.numchild)
    return {"root": root, "provinces": provinces, "communes": communes}


def _save_with_parents(rows: list) -> None:
    from sohoi.orgunits.models import OrgUnit

    branches = [r for r in rows if r.level == "branch"]
    OrgUnit.unscoped.bulk_create(branches, batch_size=2000)
    for r in rows:
        if r.level == "group":
            r.parent_id = r.parent.pk
    # Branch rows carry their numchild already: their groups were counted before the insert.
    OrgUnit.unscoped.bulk_create([r for r in rows if r.level == "group"], batch_size=2000)


def run() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from sohoi.accounts.permissions import perms_for
    from sohoi.accounts.services import user_create
    from sohoi.core.scoping import subtree_bounds, unit_scope
    from sohoi.orgunits.models import OrgUnit

    with test_database() as vendor:
        started = time.perf_counter()
        tree = _build_tree()
        build_s = time.perf_counter() - started
        total = OrgUnit.unscoped.count()
        biggest = max(tree["provinces"], key=lambda p: p.numchild)
        commune = tree["communes"][len(tree["communes"]) // 2]
        branch = OrgUnit.unscoped.filter(parent=commune).first()
        table = OrgUnit._meta.db_table

        def app_children() -> list:
            with unit_scope(commune):
                return list(OrgUnit.objects.filter(parent=commune).order_by("name_key"))

        def raw_children() -> list:
            with connection.cursor() as cur:
                cur.execute(f"SELECT * FROM {table} WHERE parent_id = %s ORDER BY name_key", [commune.pk])
                return cur.fetchall()

        def app_subtree_count() -> int:
            with unit_scope(biggest):
                return OrgUnit.objects.count()

        def raw_range_count() -> int:
            low, high = subtree_bounds(biggest.path)
            with connection.cursor() as cur:
                cur.execute(f"SELECT COUNT(*) FROM {table} WHERE path >= %s AND path <= %s", [low, high])
                return cur.fetchone()[0]

        def raw_like_count() -> int:
            with connection.cursor() as cur:
                cur.execute(f"SELECT COUNT(*) FROM {table} WHERE path LIKE %s", [biggest.path + "%"])
                return cur.fetchone()[0]

        user = user_create(username="bench", full_name="Bench", password="Bench-pass-2026!", actor=None,
                           unit=commune, role="admin")  # fmt: skip

        def app_perms() -> frozenset:
            return perms_for(user, branch)

        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

        def unit_page() -> None:
            response = client.get(f"/u/{commune.code}/")
            assert response.status_code == 200, response.status_code

        def children_partial() -> None:
            response = client.get(f"/u/{commune.code}/con/", headers={"HX-Request": "true"})
            assert response.status_code == 200, response.status_code

        result: dict[str, Any] = {
            "database": vendor,
            "units": total,
            "build_s": round(build_s, 2),
            "largest_province_units": app_subtree_count(),
        }
        for name, app, raw in (
            ("children_of_commune", app_children, raw_children),
            ("subtree_count_largest_province", app_subtree_count, raw_range_count),
        ):
            a, r = timings(app), timings(raw)
            result[name] = {
                "app": a,
                "bare_sql": r,
                "ratio_p50": round(a["p50_ms"] / max(r["p50_ms"], 1e-6), 2),
            }
        result["subtree_count_like_instead_of_range"] = timings(raw_like_count, repeat=10)
        result["perms_for"] = timings(app_perms)
        for name, fn in (("unit_page", unit_page), ("children_partial", children_partial)):
            try:
                result[name] = timings(fn, repeat=30)
            except Exception as exc:  # the page may not exist yet on an older checkout
                result[name] = {"error": repr(exc)[:200]}
        return result
