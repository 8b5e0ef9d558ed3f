"""Demo fixtures: the real area loader, fed only the provinces the demo uses (fast), and a built demo."""

from __future__ import annotations

from functools import lru_cache

import pytest
from django.db import transaction
from django.test import override_settings

from sohoi.orgunits.area_loader import AreaData, load_areas, package_data

# pre2025: Bắc Giang, Bắc Ninh, Quảng Ngãi; 2025: Bắc Ninh, Hải Phòng, Quảng Ngãi.
OLD_PROVINCES = {"24", "27", "51"}
NEW_PROVINCES = {"24", "31", "51"}


@lru_cache(maxsize=4)
def area_subset(old_provinces: frozenset[str] = frozenset(OLD_PROVINCES),
                new_provinces: frozenset[str] = frozenset(NEW_PROVINCES)) -> AreaData:  # fmt: skip
    """The package's areas of a few provinces, in both schemes, with their successions."""
    data = package_data()
    keep: set[tuple[str, str]] = set()
    for record in data.areas:  # parents come before children in package_data()
        wanted = old_provinces if record.scheme == "pre2025" else new_provinces
        if (record.parent_code is None and record.code in wanted) or (
            record.scheme,
            record.parent_code,
        ) in keep:
            keep.add((record.scheme, record.code))
    areas = [r for r in data.areas if (r.scheme, r.code) in keep]
    successions = [
        s for s in data.successions if ("pre2025", s.old_code) in keep and ("2025", s.new_code) in keep
    ]
    return AreaData(areas=areas, successions=successions)


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    """The demo remembers its seed in VAR_DIR: never the developer's var/ in tests."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def demo_areas(db):
    load_areas(area_subset())


@pytest.fixture(scope="module")
def shared_demo(django_db_setup, django_db_blocker):
    """One demo (default seed) for a whole module of tests that only read it.

    A build takes seconds, so it is made once, inside a transaction that is rolled back when the
    module ends; each test runs in a savepoint inside it (pytest-django's ``db``). Only modules
    whose every test wants a demo database may use it.
    """
    from sohoi.demo.build import build_demo
    from sohoi.demo.seeding import DEFAULT_SEED

    # The root conftest's fast hasher is function-scoped, set up after this fixture.
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        load_areas(area_subset())
        build = build_demo(seed=DEFAULT_SEED)
        yield build
        transaction.set_rollback(True)


@pytest.fixture
def demo(shared_demo, db):
    return shared_demo
