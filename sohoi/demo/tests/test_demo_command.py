"""``sohoi demo`` on a fresh database: build, determinism, refusals, hooks."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from sohoi.accounts.models import User
from sohoi.demo import build as demo_build
from sohoi.demo import users as demo_users
from sohoi.demo.seeding import password_for, seeded_code
from sohoi.demo.units import NEW_BAC_NINH_NAME, build_roots
from sohoi.demo.users import LOGINS
from sohoi.orgunits.area_loader import load_areas
from sohoi.orgunits.models import Area, AreaLevel, OrgUnit, UnitLevel

from .conftest import area_subset


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def units_json() -> list[dict]:
    out = StringIO()
    call_command("units", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_demo_command_builds_the_trees_and_remembers_its_seed(demo_areas, settings):
    assert not OrgUnit.unscoped.exists()

    output = run("--seed", "7")

    assert "Đã tạo dữ liệu mẫu (hạt giống 7)" in output
    assert OrgUnit.unscoped.filter(association__code="nct", level=UnitLevel.BRANCH).count() > 30
    assert set(OrgUnit.unscoped.filter(parent__isnull=True).values_list("name", flat=True)) == {
        "Hội NCT Việt Nam", "Hội Khuyến học Việt Nam", "Hội NNCĐDC/Dioxin Việt Nam", "Hội Cựu TNXP Việt Nam",
        "Hội Tù yêu nước Việt Nam",
    }  # fmt: skip
    assert User.objects.filter(username__in=[login.username for login in LOGINS]).count() == len(LOGINS)
    assert json.loads((settings.VAR_DIR / "demo.json").read_text()) == {"seed": 7}
    # Later, --print-logins alone recomputes the passwords from the stored seed.
    logins = run("--print-logins")
    assert password_for(7, "canbo.chanhlo") in logins
    assert User.objects.get(username="canbo.chanhlo").check_password(password_for(7, "canbo.chanhlo"))


def test_same_seed_gives_the_same_units_and_users(demo_areas):
    def build_and_dump(seed: int) -> tuple[list[dict], list[tuple[str, str, str]]]:
        savepoint = transaction.savepoint_create()
        run("--seed", str(seed))
        units = units_json()
        users = sorted(User.objects.values_list("username", "code", "full_name"))
        transaction.savepoint_rollback(savepoint)
        assert not OrgUnit.unscoped.exists()
        return units, users

    first, second = build_and_dump(42), build_and_dump(42)

    assert first == second
    assert len(first[0]) > 100 and len(first[1]) == len(LOGINS)
    root = next(u for u in first[0] if u["name"] == "Hội NCT Việt Nam")
    assert root["code"] == seeded_code(42, "unit:nct") != seeded_code(43, "unit:nct")
    assert password_for(42, "quantri") != password_for(43, "quantri")


def test_a_negative_member_count_is_refused_before_anything_is_written(demo_areas):
    with pytest.raises(CommandError, match="không thể âm"):
        run("--members", "-1")

    assert not OrgUnit.unscoped.exists() and not User.objects.exists()


def test_a_registered_members_builder_runs_after_units_and_users(demo_areas, monkeypatch):
    calls = []
    # Only the roots and no users: this test is about the hook, not the trees.
    monkeypatch.setattr(demo_build, "unit_builders", lambda: [build_roots])
    monkeypatch.setattr(demo_users, "build_users", lambda build: build.users.append(None))
    monkeypatch.setattr(demo_build, "_member_builders", [])
    demo_build.register_member_builder(lambda build, n: calls.append((n, len(build.units), len(build.users))))

    run("--members", "3")

    assert calls == [(3, 5, 1)]


def test_print_logins_without_demo_users_says_so(db):
    from sohoi.orgunits.models import Association
    from sohoi.orgunits.services import orgunit_create_root

    orgunit_create_root(
        association=Association.objects.get(code="nct"), name="Hội thật", area=None, actor=None
    )

    assert "Không có tài khoản mẫu" in run("--print-logins")


def test_a_missing_area_is_a_clear_error_and_nothing_is_kept(db):
    load_areas(area_subset(frozenset({"27", "51"})))  # no pre-2025 Bắc Giang

    with pytest.raises(CommandError, match="load_areas"):
        run()

    assert not OrgUnit.unscoped.exists() and not User.objects.exists()
    assert not Area.objects.filter(level=AreaLevel.HAMLET).exists()


def test_demo_loads_the_national_areas_when_there_are_none(db):
    assert not Area.objects.exists()

    run()

    assert Area.objects.filter(scheme="pre2025", level=AreaLevel.COMMUNE).count() > 10_000
    assert OrgUnit.unscoped.get(name=NEW_BAC_NINH_NAME, closed_on__isnull=True).area.scheme == "2025"
