"""The unit tree through the API: what each user reaches, and what they never see."""

from __future__ import annotations

from datetime import date

import pytest

from sohoi.api.v1 import OPERATIONS
from sohoi.core.scoping import unit_scope
from sohoi.orgunits.models import OrgUnit, UnitLevel
from sohoi.orgunits.services import orgunit_create, orgunit_merge

UNIT_OPERATIONS = [op for op in OPERATIONS if op["unit_scoped"]]
VALID_BODY = {"name": "Chi hội Lạ", "level": "branch"}


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def _call(api, op, unit_code):
    path = op["path"].replace("{unit_code}", unit_code)
    return api.post(path, VALID_BODY) if op["method"] == "POST" else api.get(path)


def test_units_lists_the_top_units_each_user_may_open(cast, tree, api_as):
    assert _codes(api_as(cast["chi"]).get("/api/v1/units")) == [tree.A.code]
    assert _codes(api_as(cast["binh"]).get("/api/v1/units")) == [tree.A.code]
    assert _codes(api_as(cast["an"]).get("/api/v1/units")) == [tree.B.code]
    assert _codes(api_as(cast["staff"]).get("/api/v1/units")) == [tree.root.code]


def test_a_top_unit_does_not_name_a_parent_the_user_cannot_open(chi, tree, api_as):
    (item,) = api_as(chi).get("/api/v1/units").json()["items"]
    assert item["parent_code"] is None
    assert tree.P.code not in str(item)


def test_unit_detail_for_the_admin_of_the_unit(chi, tree, api_as):
    response = api_as(chi).get(f"/api/v1/u/{tree.A.code}")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == tree.A.code
    assert body["name"] == "Hội NCT huyện A"
    assert body["association"] == "nct"
    assert body["level"] == "district"
    assert body["path"] == tree.A.path
    assert body["is_open"] is True and body["closed_on"] is None
    assert body["parent_code"] is None  # P lies above chi's grant
    assert {"units.view", "units.manage", "users.manage"} <= set(body["perms"])
    assert body["successors"] == [] and body["predecessors"] == []


def test_unit_detail_below_the_grant_names_its_visible_parent(chi, tree, api_as):
    body = api_as(chi).get(f"/api/v1/u/{tree.A1.code}").json()
    assert body["parent_code"] == tree.A.code
    assert body["opened_on"] == "2020-01-01"
    assert body["depth"] == tree.A.depth + 1


def test_a_viewer_sees_the_unit_with_view_permissions_only(binh, tree, api_as):
    body = api_as(binh).get(f"/api/v1/u/{tree.A.code}").json()
    assert "units.view" in body["perms"]
    assert "units.manage" not in body["perms"]


def test_unit_detail_shows_its_area(chi, tree, areas, api_as):
    from sohoi.orgunits.services import orgunit_update

    with unit_scope(tree.A):
        orgunit_update(unit=tree.A1, name=tree.A1.name, area=areas["ba_dinh_ward"], actor=chi)

    body = api_as(chi).get(f"/api/v1/u/{tree.A1.code}").json()
    assert body["area"] == {"scheme": "2025", "code": "00004", "name": "Phường Ba Đình"}


def test_children_lists_the_open_units_right_below(chi, tree, api_as):
    with unit_scope(tree.A):
        branch = orgunit_create(
            parent=tree.A1, name="Chi hội 1", level=UnitLevel.BRANCH, area=None, actor=chi
        )

    api = api_as(chi)
    assert _codes(api.get(f"/api/v1/u/{tree.A.code}/children")) == [tree.A1.code]
    items = api.get(f"/api/v1/u/{tree.A1.code}/children").json()["items"]
    assert [i["code"] for i in items] == [branch.code]
    assert items[0]["parent_code"] == tree.A1.code


def test_subtree_lists_every_unit_below_in_path_order(chi, tree, api_as):
    with unit_scope(tree.A):
        a2 = orgunit_create(
            parent=tree.A, name="Hội NCT xã A2", level=UnitLevel.COMMUNE, area=None, actor=chi
        )
        branch = orgunit_create(
            parent=tree.A1, name="Chi hội 1", level=UnitLevel.BRANCH, area=None, actor=chi
        )

    items = api_as(chi).get(f"/api/v1/u/{tree.A.code}/subtree").json()["items"]

    assert [i["code"] for i in items] == [tree.A1.code, branch.code, a2.code]
    assert [i["path"] for i in items] == sorted(i["path"] for i in items)
    assert tree.A.code not in [i["code"] for i in items]


def test_closed_units_are_listed_only_on_request(chi, staff, tree, api_as):
    with unit_scope(tree.A):
        a2 = orgunit_create(
            parent=tree.A, name="Hội NCT xã A2", level=UnitLevel.COMMUNE, area=None, actor=chi
        )
        orgunit_merge(
            sources=[tree.A1], into=a2, effective_on=date(2025, 7, 1), actor=chi, decision_ref="01/QĐ"
        )

    api = api_as(chi)
    for endpoint in ("children", "subtree"):
        path = f"/api/v1/u/{tree.A.code}/{endpoint}"
        assert _codes(api.get(path)) == [a2.code]
        assert _codes(api.get(path, include_closed="false")) == [a2.code]
        closed = api.get(path, include_closed="true").json()["items"]
        assert [i["code"] for i in closed] == [tree.A1.code, a2.code]
        assert closed[0]["is_open"] is False and closed[0]["closed_on"] == "2025-07-01"


def test_a_merge_links_successor_and_predecessor(chi, tree, api_as):
    with unit_scope(tree.A):
        a2 = orgunit_create(
            parent=tree.A, name="Hội NCT xã A2", level=UnitLevel.COMMUNE, area=None, actor=chi
        )
    api = api_as(chi)
    assert api.get(f"/api/v1/u/{tree.A1.code}").json()["successors"] == []

    with unit_scope(tree.A):
        orgunit_merge(
            sources=[tree.A1], into=a2, effective_on=date(2025, 7, 1), actor=chi, decision_ref="01/QĐ"
        )

    assert api.get(f"/api/v1/u/{tree.A1.code}").json()["successors"] == [a2.code]
    assert api.get(f"/api/v1/u/{a2.code}").json()["predecessors"] == [tree.A1.code]


def test_a_successor_outside_the_users_reach_is_not_named(chi, an, staff, tree, api_as):
    with unit_scope(tree.P):
        orgunit_merge(sources=[tree.A1], into=tree.B1, effective_on=date(2025, 7, 1), actor=staff,
                      decision_ref="02/QĐ")  # fmt: skip

    assert api_as(staff).get(f"/api/v1/u/{tree.A1.code}").json()["successors"] == [tree.B1.code]
    assert api_as(chi).get(f"/api/v1/u/{tree.A1.code}").json()["successors"] == []
    assert api_as(an).get(f"/api/v1/u/{tree.B1.code}").json()["predecessors"] == []


def test_paging_walks_every_child_once(chi, tree, api_as):
    with unit_scope(tree.A):
        created = [
            orgunit_create(
                parent=tree.A1, name=f"Chi hội {n}", level=UnitLevel.BRANCH, area=None, actor=chi
            ).code
            for n in range(1, 6)
        ]
    api = api_as(chi)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get(f"/api/v1/u/{tree.A1.code}/children", **params).json()
        seen += [i["code"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == created
    assert pages == 3


def test_chi_creates_a_child_unit(chi, tree, api_as):
    api = api_as(chi)
    before = _codes(api.get(f"/api/v1/u/{tree.A1.code}/children"))
    assert before == []

    response = api.post(
        f"/api/v1/u/{tree.A1.code}/children",
        {
            "name": "Chi hội  Tho\u0302\u0301n Đông",
            "level": "branch",
            "opened_on": "2026-01-15",
            "decision_ref": "12/QĐ-NCT",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Chi hội Thốn Đông"  # stored NFC, spaces collapsed
    assert body["parent_code"] == tree.A1.code
    assert body["opened_on"] == "2026-01-15"
    assert _codes(api.get(f"/api/v1/u/{tree.A1.code}/children")) == [body["code"]]


def test_a_viewer_may_not_create_a_child_unit(binh, tree, api_as):
    before = OrgUnit.unscoped.count()
    response = api_as(binh).post(f"/api/v1/u/{tree.A.code}/children", VALID_BODY)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert OrgUnit.unscoped.count() == before


def test_no_child_under_a_closed_unit(chi, tree, api_as):
    with unit_scope(tree.A):
        a2 = orgunit_create(
            parent=tree.A, name="Hội NCT xã A2", level=UnitLevel.COMMUNE, area=None, actor=chi
        )
        orgunit_merge(
            sources=[tree.A1], into=a2, effective_on=date(2025, 7, 1), actor=chi, decision_ref="01/QĐ"
        )
    before = OrgUnit.unscoped.count()

    response = api_as(chi).post(f"/api/v1/u/{tree.A1.code}/children", VALID_BODY)

    assert response.status_code == 400
    assert "đã đóng" in response.json()["message"]
    assert OrgUnit.unscoped.count() == before


@pytest.mark.parametrize("op", UNIT_OPERATIONS, ids=lambda op: f"{op['method']} {op['path']}")
@pytest.mark.parametrize("unit_name", ["A", "A1"])
def test_an_admin_of_b_gets_404_for_every_unit_operation_of_a(an, tree, api_as, op, unit_name):
    before = OrgUnit.unscoped.count()
    response = _call(api_as(an), op, getattr(tree, unit_name).code)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert OrgUnit.unscoped.count() == before


@pytest.mark.parametrize("op", UNIT_OPERATIONS, ids=lambda op: f"{op['method']} {op['path']}")
def test_chi_gets_404_above_the_grant(chi, tree, api_as, op):
    assert _call(api_as(chi), op, tree.P.code).status_code == 404


@pytest.mark.parametrize("op", UNIT_OPERATIONS, ids=lambda op: f"{op['method']} {op['path']}")
def test_a_missing_and_a_foreign_unit_answer_alike(an, tree, api_as, op):
    api = api_as(an)
    foreign, missing = _call(api, op, tree.A.code), _call(api, op, "khongtontai")
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())


def test_lists_of_an_admin_of_b_never_show_a(an, tree, api_as):
    api = api_as(an)
    a_codes = set(OrgUnit.unscoped.filter(path__startswith=tree.A.path).values_list("code", flat=True))
    seen = set()
    seen |= set(_codes(api.get("/api/v1/units")))
    for endpoint in ("children", "subtree"):
        seen |= set(_codes(api.get(f"/api/v1/u/{tree.B.code}/{endpoint}", include_closed="true")))
    assert seen == {tree.B.code, tree.B1.code}
    assert not seen & a_codes
    assert tree.A.code not in api.get("/api/v1/me").content.decode()


def test_subtree_costs_the_same_queries_for_1_and_30_children(chi, tree, api_as, django_assert_num_queries):
    with unit_scope(tree.A):
        branch = orgunit_create(
            parent=tree.A1, name="Chi hội 1", level=UnitLevel.BRANCH, area=None, actor=chi
        )
    api = api_as(chi)
    path = f"/api/v1/u/{tree.A1.code}/subtree"

    # 1. the token and its user (user_for_token)
    # 2. UPDATE the token's last_used_at
    # 3. the unit by code, with association, area and parent (load_unit_for)
    # 4. the caller's grants reaching it (perms_for)
    # 5. the page: units in the path range, with association, area and parent
    with django_assert_num_queries(5):
        assert len(api.get(path).json()["items"]) == 1

    with unit_scope(tree.A):
        for n in range(2, 31):
            orgunit_create(parent=branch, name=f"Tổ {n}", level=UnitLevel.GROUP, area=None, actor=chi)

    with django_assert_num_queries(5):
        assert len(api.get(path).json()["items"]) == 30


def test_the_subtree_query_is_a_range_not_a_like(chi, tree, api_as, django_assert_num_queries):
    api = api_as(chi)
    with django_assert_num_queries(5) as captured:
        api.get(f"/api/v1/u/{tree.A.code}/subtree")
    page_sql = captured.captured_queries[-1]["sql"]
    assert "LIKE" not in page_sql.upper()
    assert ">=" in page_sql
