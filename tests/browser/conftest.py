"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

They skip, with the reason, where no Chromium is installed; CI sets SOHOI_REQUIRE_BROWSER=1 and
installs Chromium, so there a missing browser is a failure, never a skip.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("SOHOI_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def pytest_collection_modifyitems(config, items):
    if _chromium_available():
        return
    if os.environ.get("SOHOI_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(
            f"SOHOI_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package to run browser tests"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-quic",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Screenshots and accessibility reports: SOHOI_TEST_OUTPUT, else var/test-output."""
    root = Path(
        os.environ.get("SOHOI_TEST_OUTPUT", Path(__file__).resolve().parents[2] / "var" / "test-output")
    )
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def check_accessibility(axe, output_dir):
    """Run axe-core on the page; fail on any serious or critical violation, with the report."""

    def check(page, name: str) -> None:
        results = axe.run(page)
        blocking = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        if blocking:
            report = output_dir / f"axe-{name}.txt"
            report.write_text(results.generate_report())
            details = "; ".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in blocking)
            pytest.fail(f"accessibility violations on {name} ({page.url}): {details} — see {report}")

    return check


@pytest.fixture
def screenshot(output_dir):
    """Screenshot the page at phone and desktop width under the test output folder."""

    def shoot(page, name: str) -> list[Path]:
        paths = []
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            path = output_dir / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        page.set_viewport_size(DESKTOP)
        return paths

    return shoot


# ---------- The demo behind the live server, and the steps every journey takes ----------
# Journeys run against Django's live server, so they are transactional (its thread must see
# committed rows). Mark them ``django_db(transaction=True, serialized_rollback=True)``: the flush
# after each test also wipes the rows the migrations seeded (the associations), and the
# serialized rollback puts them back for the next one.


def _reseed_associations() -> None:
    """Put back the catalogue the migrations seed, whatever an earlier transactional test flushed.

    Serialized rollback should do it, but under xdist the order of transactional tests in a
    worker can leave a flushed database to the next journey; the seed is idempotent.
    """
    import importlib

    from django.apps import apps

    importlib.import_module("sohoi.orgunits.migrations.0002_seed_associations").seed(apps, None)


@pytest.fixture
def demo_site(live_server, settings, tmp_path) -> str:
    """What ``make run`` serves: every area of the country, then ``sohoi demo`` (about 10 s)."""
    from django.core.management import call_command

    _reseed_associations()
    settings.VAR_DIR = tmp_path  # the demo remembers its seed there: never the developer's var/
    call_command("load_areas", quiet=True)
    call_command("demo", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def small_demo_site(live_server, settings, tmp_path) -> str:
    """``sohoi demo`` on the areas of its own provinces only: the same units and logins, faster."""
    from django.core.management import call_command

    from sohoi.demo.tests.conftest import area_subset
    from sohoi.orgunits.area_loader import load_areas

    _reseed_associations()
    settings.VAR_DIR = tmp_path
    load_areas(area_subset())
    call_command("demo", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def demo_unit_path():
    """The address of a demo unit by its key ("nct/quangngai/chanhlo"), fixed by the seed."""
    from sohoi.demo.seeding import DEFAULT_SEED, seeded_code

    def path(key: str) -> str:
        return f"/u/{seeded_code(DEFAULT_SEED, f'unit:{key}')}/"

    return path


@pytest.fixture
def log_in():
    """Log in through the form as a demo user (its password recomputed from the seed) or with a password."""
    from sohoi.demo.seeding import DEFAULT_SEED, password_for

    def submit(page, username: str, password: str | None = None) -> None:
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(
            password if password is not None else password_for(DEFAULT_SEED, username)
        )
        page.get_by_role("button", name="Đăng nhập").click()

    return submit
