"""Associations and administrative areas: reference data for every signed-in user, nobody else."""

from __future__ import annotations

import pytest

SEEDED = ["ccb", "cuu-tnxp", "khuyen-hoc", "nct", "nncddc", "tu-yeu-nuoc"]


def _walk(api, path, **params) -> tuple[list[dict], int]:
    items, cursor, pages = [], None, 0
    while True:
        body = api.get(path, **params, **({"cursor": cursor} if cursor else {})).json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


def test_associations_lists_the_catalogue_by_code(an, api_as):
    response = api_as(an).get("/api/v1/associations")
    assert response.status_code == 200
    body = response.json()
    assert [a["code"] for a in body["items"]] == SEEDED
    assert body["next_cursor"] is None
    nct = body["items"][SEEDED.index("nct")]
    assert nct["short_name"] == "Hội NCT"
    assert nct["abbreviation"] == "NCT"
    assert nct["membership_rule"]["min_age"] == 60


def test_associations_page_by_cursor(an, api_as):
    items, pages = _walk(api_as(an), "/api/v1/associations", limit=4)
    assert [a["code"] for a in items] == SEEDED
    assert pages == 2


def test_one_association(binh, api_as):
    response = api_as(binh).get("/api/v1/associations/khuyen-hoc")
    assert response.status_code == 200
    assert response.json()["name"] == "Hội Khuyến học"


def test_the_provinces_of_the_2025_scheme_by_default(chi, areas, api_as):
    body = api_as(chi).get("/api/v1/areas").json()
    assert [(a["scheme"], a["code"]) for a in body["items"]] == [("2025", "01"), ("2025", "46")]
    assert body["items"][1]["name"] == "Thành phố Huế"
    assert body["items"][0]["is_current"] is True and body["items"][0]["valid_from"] == "2025-07-01"


def test_the_children_of_an_area(chi, areas, api_as):
    api = api_as(chi)
    districts = api.get("/api/v1/areas", scheme="pre2025", parent="01").json()["items"]
    assert [a["code"] for a in districts] == ["001"]
    communes = api.get("/api/v1/areas", scheme="pre2025", parent="001").json()["items"]
    assert [(a["code"], a["name"], a["parent_code"]) for a in communes] == [
        ("00001", "Phường Phúc Xá", "001"),
        ("00004", "Phường Trúc Bạch", "001"),
    ]
    assert communes[0]["valid_to"] == "2025-06-30" and communes[0]["is_current"] is False
    assert _walk(api, "/api/v1/areas", scheme="pre2025", parent="001", limit=1) == (communes, 2)


def test_a_parent_of_the_other_scheme_is_not_found(chi, areas, api_as):
    response = api_as(chi).get("/api/v1/areas", scheme="2025", parent="001")
    assert response.status_code == 404
    assert response.json()["extra"] == {"field": "parent"}


def test_an_unknown_scheme_is_a_422(chi, areas, api_as):
    response = api_as(chi).get("/api/v1/areas", scheme="1975")
    assert response.status_code == 422
    assert response.json()["extra"]["errors"][0]["field"] == "scheme"


def test_area_detail_names_the_areas_it_came_from(chi, areas, api_as):
    body = api_as(chi).get("/api/v1/areas/2025/00004").json()
    assert body["name"] == "Phường Ba Đình"
    assert body["level"] == "commune"
    assert body["parent"] == {"scheme": "2025", "code": "01", "name": "Thành phố Hà Nội"}
    assert body["successors"] == []
    assert body["predecessors"] == [
        {"scheme": "pre2025", "code": "00001", "name": "Phường Phúc Xá", "is_partial": True},
        {"scheme": "pre2025", "code": "00004", "name": "Phường Trúc Bạch", "is_partial": False},
    ]


def test_area_detail_names_the_area_it_became(chi, areas, api_as):
    body = api_as(chi).get("/api/v1/areas/pre2025/00004").json()
    assert body["name"] == "Phường Trúc Bạch"
    assert body["valid_to"] == "2025-06-30"
    assert body["parent"]["code"] == "001"
    assert body["successors"] == [
        {"scheme": "2025", "code": "00004", "name": "Phường Ba Đình", "is_partial": False}
    ]
    assert body["predecessors"] == []


def test_a_province_has_no_parent(chi, areas, api_as):
    body = api_as(chi).get("/api/v1/areas/2025/46").json()
    assert body["parent"] is None and body["parent_code"] is None


@pytest.mark.parametrize(
    "path", ["/api/v1/associations", "/api/v1/associations/nct", "/api/v1/areas", "/api/v1/areas/2025/01"]
)
def test_reference_data_needs_a_signed_in_caller(areas, anonymous_api, path):
    response = anonymous_api.get(path)
    assert response.status_code == 401
    assert "Hà Nội" not in response.content.decode()
