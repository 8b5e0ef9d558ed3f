"""Every error of the API has one shape: status + {"code", "message" (Vietnamese), "extra"}."""

from __future__ import annotations

import pytest

from sohoi.orgunits.models import OrgUnit


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    # Vietnamese text: at least one letter outside ASCII (đ, ư, ơ, tones …).
    assert any(ord(ch) > 127 for ch in body["message"]), body["message"]
    assert isinstance(body["extra"], dict)
    return body


def _names_under(unit) -> list[str]:
    return sorted(OrgUnit.unscoped.filter(parent=unit).values_list("name", flat=True))


def test_a_domain_error_is_a_400_naming_its_field(chi, tree, api_as):
    api = api_as(chi)
    assert (
        api.post(f"/api/v1/u/{tree.A.code}/children", {"name": "Chi hội 1", "level": "branch"}).status_code
        == 201
    )
    before = _names_under(tree.A)

    response = api.post(f"/api/v1/u/{tree.A.code}/children", {"name": "  chi hội 1 ", "level": "branch"})

    body = assert_error_shape(response, 400, "duplicate_name")
    assert body["extra"]["field"] == "name"
    assert "chi hội 1" in body["message"]
    assert _names_under(tree.A) == before


def test_a_too_long_name_is_a_400_with_a_vietnamese_message(chi, tree, api_as):
    before = _names_under(tree.A)

    response = api_as(chi).post(f"/api/v1/u/{tree.A.code}/children", {"name": "Ư" * 201, "level": "branch"})

    body = assert_error_shape(response, 400, "invalid")
    assert body["extra"] == {"field": "name"}
    assert _names_under(tree.A) == before


def test_an_unknown_area_is_a_400_on_area_code(chi, tree, api_as):
    response = api_as(chi).post(
        f"/api/v1/u/{tree.A.code}/children", {"name": "Chi hội X", "level": "branch", "area_code": "99999"}
    )
    body = assert_error_shape(response, 400, "unknown_area")
    assert body["extra"]["field"] == "area_code"
    assert "Chi hội X" not in _names_under(tree.A)


def test_an_anonymous_call_is_a_401(db, anonymous_api):
    assert_error_shape(anonymous_api.get("/api/v1/units"), 401, "not_authenticated")


def test_a_missing_permission_is_a_403(binh, tree, api_as):
    before = _names_under(tree.A)
    response = api_as(binh).post(
        f"/api/v1/u/{tree.A.code}/children", {"name": "Chi hội 2", "level": "branch"}
    )
    assert_error_shape(response, 403, "permission_denied")
    assert _names_under(tree.A) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/u/khongco/children",
        "/api/v1/associations/khong-co",
        "/api/v1/areas/2025/99999",
        "/api/v1/khong-co",
        "/api/v1/units/",
        "/api/v1/",
        "/api/khong-co",
        "/api/v2/units",
    ],
)
def test_an_unknown_thing_or_route_under_api_is_a_json_404(chi, api_as, path):
    assert_error_shape(api_as(chi).get(path), 404, "not_found")


def test_an_unknown_route_below_a_unit_is_a_json_404(chi, tree, api_as):
    assert_error_shape(api_as(chi).get(f"/api/v1/u/{tree.A.code}/khong-co"), 404, "not_found")


def test_a_wrong_method_is_a_405_listing_the_allowed_ones(chi, tree, api_as):
    response = api_as(chi).request("DELETE", f"/api/v1/u/{tree.A.code}/children")
    body = assert_error_shape(response, 405, "method_not_allowed")
    assert body["extra"]["allowed"] == ["GET", "POST"]
    assert response["Allow"] == "GET, POST"


def test_invalid_query_parameters_are_a_422_listing_each_field(chi, tree, api_as):
    response = api_as(chi).get(f"/api/v1/u/{tree.A.code}/subtree", limit="nhiều", include_closed="có lẽ")
    body = assert_error_shape(response, 422, "validation_error")
    errors = {e["field"]: e for e in body["extra"]["errors"]}
    assert set(errors) == {"limit", "include_closed"}
    assert errors["limit"]["location"] == "query"
    assert errors["limit"]["type"] == "int_parsing"
    assert errors["limit"]["message"] == "Phải là một số nguyên."


def test_an_out_of_range_limit_is_a_422_with_its_bounds(chi, api_as):
    body = assert_error_shape(api_as(chi).get("/api/v1/units", limit=1000), 422, "validation_error")
    assert body["extra"]["errors"][0]["limits"] == {"le": 200}


def test_an_invalid_body_is_a_422_naming_body_fields(chi, tree, api_as):
    before = _names_under(tree.A)
    response = api_as(chi).post(
        f"/api/v1/u/{tree.A.code}/children",
        {"level": "central", "opened_on": "31/12/2025", "decision_ref": "x" * 121},
    )
    body = assert_error_shape(response, 422, "validation_error")
    fields = {e["field"]: e["type"] for e in body["extra"]["errors"]}
    assert fields == {
        "name": "missing",
        "level": "literal_error",
        "opened_on": "date_from_datetime_parsing",
        "decision_ref": "string_too_long",
    }
    assert all(e["location"] == "body" for e in body["extra"]["errors"])
    assert _names_under(tree.A) == before


def test_a_body_that_is_not_json_is_a_400(chi, tree, api_as):
    api = api_as(chi)
    response = api.client.post(
        f"/api/v1/u/{tree.A.code}/children",
        "{không phải json",
        content_type="application/json",
        headers=api.headers,
    )
    assert_error_shape(response, 400, "bad_request")


def test_a_forged_cursor_is_a_400_on_cursor(chi, api_as):
    for cursor in ["không-phải-base64", "e30", "WzFd"]:  # garbage, {} and [1]
        body = assert_error_shape(api_as(chi).get("/api/v1/units", cursor=cursor), 400, "invalid_cursor")
        assert body["extra"] == {"field": "cursor"}


def test_a_crash_is_a_500_without_a_traceback_even_in_debug(chi, api_as, monkeypatch, settings, caplog):
    from sohoi.orgunits import selectors

    settings.DEBUG = True

    def explode(**kwargs):
        raise RuntimeError("bí mật nội bộ")

    monkeypatch.setattr(selectors, "association_get", explode)

    response = api_as(chi).get("/api/v1/associations/nct")

    body = assert_error_shape(response, 500, "server_error")
    assert "bí mật" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["extra"] == {}
    assert "bí mật nội bộ" in caplog.text  # the log keeps it
