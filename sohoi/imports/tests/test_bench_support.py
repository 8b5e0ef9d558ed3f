from __future__ import annotations

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
