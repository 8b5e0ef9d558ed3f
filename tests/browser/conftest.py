"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

They skip, with the reason, where no Chromium is installed; CI sets SOHOI_REQUIRE_BROWSER=1 and
installs Chromium, so there a missing browser is a failure, never a skip.
"""

from __future__ import annotations

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
        raise pytest.UsageError(f"SOHOI_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM} (apt-get install chromium)")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package to run browser tests")
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
    root = Path(os.environ.get("SOHOI_TEST_OUTPUT", Path(__file__).resolve().parents[2] / "var" / "test-output"))
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
