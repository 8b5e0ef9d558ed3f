from __future__ import annotations

from pathlib import Path

import pytest

from sohoi.imports.bench_support import measure_parse, measure_read, write_members_csv, write_members_xlsx
from sohoi.imports.rows import parse_file


def test_the_generated_xlsx_is_a_clean_classic_form_list(tmp_path):
    path = write_members_xlsx(tmp_path / "members.xlsx", 300, sheets=2)
    sheets = [(sheet, list(sheet.rows)) for sheet in parse_file(path)]
    assert [sheet.name for sheet, _ in sheets] == ["Chi hội 1", "Chi hội 2"]
    assert [len(rows) for _, rows in sheets] == [150, 150]
    assert sheets[0][0].mapping.birth_by_gender == (2, 3)
    rows = [row for _, rows in sheets for row in rows]
    assert not any(row.has_errors for row in rows)
    assert {row.gender for row in rows} == {"male", "female"}
    assert all(row.full_name and row.birth and row.hamlet for row in rows)
    assert any(row.warnings for row in rows)  # the old 11-digit phone numbers


def test_the_generated_csv_parses_without_errors(tmp_path):
    path = write_members_csv(tmp_path / "members.csv", 200)
    [sheet] = list(parse_file(path))
    rows = list(sheet.rows)
    assert len(rows) == 200
    assert not any(row.has_errors for row in rows)
    assert measure_parse(path)["rows"] == 200
    assert measure_read(path)["rows"] == 201


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="the kernel's high-water mark is Linux's")
def test_a_childs_peak_memory_is_its_own_not_its_parents():
    """The memory benchmark runs each import in a child process: ru_maxrss there also counts the
    parent's size at the fork, so the child must read its own high-water mark."""
    import subprocess
    import sys

    ballast = bytearray(200 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touched, so resident
    script = "from sohoi.imports.bench_support import peak_rss_mb; print(peak_rss_mb())"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert float(done.stdout) < 150, done.stdout  # ru_maxrss here would read 200 MB and more
    del ballast
