from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sohoi.members.models import Membership, Person
from sohoi.members.tests.test_importing import HEADINGS, ROWS, write_csv

pytestmark = pytest.mark.django_db


def import_members(*args):
    out = io.StringIO()
    call_command("import_members", *args, stdout=out)
    return out.getvalue()


def test_json_output_has_the_counts_and_the_rows_are_written(tree, tmp_path):
    path = write_csv(tmp_path / "ds.csv", ROWS)
    data = json.loads(import_members(str(path), "--unit", tree.A1.code, "--json"))
    assert {key: data[key] for key in ("rows", "created", "updated", "unchanged")} == {
        "rows": 3, "created": 3, "updated": 0, "unchanged": 0,
    }  # fmt: skip
    assert data["duplicates"] == [] and data["errors"] == []
    assert set(data["warnings"][0]) == {"sheet", "row", "column", "message"}
    assert Membership.unscoped.filter(org_unit=tree.A1).count() == 3


def test_a_dry_run_writes_nothing_and_says_so(tree, tmp_path):
    path = write_csv(tmp_path / "ds.csv", ROWS)
    output = import_members(str(path), "--unit", tree.A1.code, "--dry-run")
    assert "3 mới" in output and "Chạy thử" in output
    assert Person.unscoped.count() == 0


def test_rows_with_errors_exit_with_1_and_write_nothing(tree, tmp_path):
    path = write_csv(tmp_path / "ds.csv", [*ROWS, [4, "Phạm Văn Bốn", "31/02/1950", "Nam", "", "", "2015"]])
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_members", str(path), "--unit", tree.A1.code, "--json", stdout=out)
    assert raised.value.returncode == 1
    data = json.loads(out.getvalue())
    assert data["errors"][0]["row"] == 5 and data["errors"][0]["column"] == "C"
    assert Person.unscoped.count() == 0


def test_an_unreadable_file_or_an_unknown_unit_exits_with_2(tree, tmp_path):
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CommandError) as raised:
        import_members(str(broken), "--unit", tree.A1.code)
    assert raised.value.returncode == 2
    with pytest.raises(CommandError) as raised:
        import_members(str(write_csv(tmp_path / "ds.csv", ROWS)), "--unit", "khongco")
    assert raised.value.returncode == 2 and "khongco" in str(raised.value)
    with pytest.raises(CommandError) as raised:
        import_members(str(tmp_path / "khong-co.csv"), "--unit", tree.A1.code)
    assert raised.value.returncode == 2


def test_the_console_command_exits_with_the_real_code(tmp_path):
    """Through the `sohoi` entry point and its "import-members" alias, in a process of its own."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    sohoi = [sys.executable, "-m", "sohoi"]
    cwd = Path(__file__).resolve().parents[3]
    subprocess.run([*sohoi, "migrate", "-v", "0"], env=env, cwd=cwd, check=True, capture_output=True)
    path = write_csv(tmp_path / "ds.csv", ROWS, headings=HEADINGS)
    done = subprocess.run(
        [*sohoi, "import-members", str(path), "--unit", "khongco", "--json"],
        env=env, cwd=cwd, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "khongco" in done.stderr
