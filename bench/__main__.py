"""`make bench`: run every benchmark on the configured database and print one JSON document.

Set BENCH_ONLY=tree, members or reports to run one; DATABASE_URL selects the database (SQLite by default).
"""

from __future__ import annotations

import importlib
import json
import os
import sys

from .harness import setup_django

BENCHMARKS = ["tree", "members", "reports"]


def main() -> int:
    setup_django()
    only = os.environ.get("BENCH_ONLY")
    results = {}
    for name in BENCHMARKS:
        if only and name != only:
            continue
        module = importlib.import_module(f"bench.bench_{name}")
        results[name] = module.run()
    json.dump(results, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
