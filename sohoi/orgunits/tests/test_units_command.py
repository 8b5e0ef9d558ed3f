from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sohoi.core.scoping import unit_scope
from sohoi.orgunits.models import Area
from sohoi.orgunits.services import orgunit_create, orgunit_merge, orgunit_update

KEYS = {
    "code",
    "name",
    "association",
    "level",
    "path",
    "area_code",
    "area_scheme",
    "is_open",
    "closed_on",
    "parent_code",
}


def units(*args: str) -> str:
    out = StringIO()
    call_command("units", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_unit_with_the_documented_keys_in_path_order(tree):
    rows = json.loads(units("--json"))

    assert [r["name"] for r in rows] == [
        "Hội NCT Việt Nam", "Hội NCT tỉnh P", "Hội NCT huyện A", "Hội NCT xã A1", "Hội NCT huyện B", "Hội NCT xã B1",
    ]  # fmt: skip
    assert all(set(r) == KEYS for r in rows)
    assert [r["path"] for r in rows] == sorted(r["path"] for r in rows)
    a1 = next(r for r in rows if r["code"] == tree.A1.code)
    assert a1 == {
        "code": tree.A1.code, "name": "Hội NCT xã A1", "association": "nct", "level": "commune", "path": tree.A1.path,
        "area_code": None, "area_scheme": None, "is_open": True, "closed_on": None, "parent_code": tree.A.code,
    }  # fmt: skip
    assert rows[0]["parent_code"] is None


def test_json_shows_the_area_and_the_closing_of_a_merged_unit(tree):
    area = Area.objects.add_root(instance=Area(scheme="2025", level="province", code="99", name="Tỉnh Thử"))
    with unit_scope(tree.root):
        orgunit_update(unit=tree.P, name=tree.P.name, area=area, actor=None)
        orgunit_merge(
            sources=[tree.B1], into=tree.A1, effective_on=date(2025, 7, 1), decision_ref="QĐ 1", actor=None
        )

    rows = {r["code"]: r for r in json.loads(units("--json"))}

    assert (rows[tree.P.code]["area_code"], rows[tree.P.code]["area_scheme"]) == ("99", "2025")
    assert rows[tree.B1.code]["is_open"] is False and rows[tree.B1.code]["closed_on"] == "2025-07-01"
    assert rows[tree.A1.code]["is_open"] is True


def test_unit_option_restricts_to_that_subtree_and_nothing_beside_it(tree):
    rows = json.loads(units("--json", "--unit", tree.A.code))

    assert [r["code"] for r in rows] == [tree.A.code, tree.A1.code]
    assert tree.B.code not in {r["code"] for r in rows} and tree.B1.code not in {r["code"] for r in rows}


@pytest.mark.parametrize("code", ["khong-co", "", "   ", "x" * 5000, "' OR 1=1 --", "%"])
def test_an_unknown_or_hostile_unit_code_is_a_clear_error(tree, code):
    with pytest.raises(CommandError, match="Không tìm thấy đơn vị"):
        units("--json", "--unit", code)


def test_text_output_is_an_indented_tree(tree):
    lines = units().splitlines()

    assert lines[0].startswith("Hội NCT Việt Nam [")
    assert lines[1].startswith("  Hội NCT tỉnh P [")
    assert lines[3].startswith("      Hội NCT xã A1 [") and tree.A1.code in lines[3]
    assert units("--unit", tree.B.code).splitlines()[0].startswith("Hội NCT huyện B [")


def test_an_empty_database_prints_an_empty_array_or_says_so(db):
    assert json.loads(units("--json")) == []
    assert "Chưa có đơn vị nào" in units()


def test_the_whole_tree_is_one_query_and_a_subtree_two(tree, django_assert_num_queries):
    # 1: units joined with association, area and parent.
    with django_assert_num_queries(1):
        units("--json")
    # 1: the --unit lookup by code; 2: its subtree, joined as above.
    with django_assert_num_queries(2):
        units("--json", "--unit", tree.P.code)
    with unit_scope(tree.A1):
        for n in range(30):
            orgunit_create(parent=tree.A1, name=f"Chi hội {n}", level="branch", area=None, actor=None)
    # Still 1 with 36 units: no query per row.
    with django_assert_num_queries(1):
        units()
