"""The API describes itself: OpenAPI lists every operation with its permission, and the docs page
works offline (only this server's /static/ files)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sohoi.accounts.permissions import ALL_PERMS
from sohoi.api.v1 import OPERATIONS

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def openapi(db, client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_api_lives_at_api_v1():
    assert reverse("api-v1:api-root") == "/api/v1/"


def test_openapi_lists_exactly_the_declared_operations(openapi):
    documented = {
        (method.upper(), path)
        for path, item in openapi["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    declared = {(op["method"], op["path"]) for op in OPERATIONS}
    assert len(declared) == len(OPERATIONS)  # no operation declared twice
    assert documented == declared


def test_every_operation_states_its_permission_in_openapi(openapi):
    for op in OPERATIONS:
        documented = openapi["paths"][op["path"]][op["method"].lower()]
        assert documented["x-permission"] == (op["permission"] or "authenticated")
        assert {"401", "404", "422"} <= set(documented["responses"])


def test_every_operation_under_a_unit_declares_a_known_unit_permission():
    for op in OPERATIONS:
        assert op["unit_scoped"] == ("/u/{unit_code}" in op["path"]), op
        if op["unit_scoped"]:
            assert op["permission"] in ALL_PERMS, op
        else:
            assert op["permission"] is None, op


def test_writes_need_more_than_view():
    writes = [op for op in OPERATIONS if op["method"] != "GET"]
    assert writes
    assert all(op["permission"] not in (None, "units.view") for op in writes)


def _api_routes(resolver: URLResolver, prefix: str = "") -> set[str]:
    routes = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _api_routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            routes.add(route)
    return routes


def test_every_django_route_under_api_v1_is_a_declared_operation():
    """The companion of the permission matrix: nothing under /api/v1/ escapes OPERATIONS."""
    routes = {r for r in _api_routes(get_resolver()) if r.startswith("api/v1/")}
    declared = {re.sub(r"\{(\w+)\}", r"<\1>", op["path"]).removeprefix("/") for op in OPERATIONS}
    ninja_own = {"api/v1/", "api/v1/openapi.json", "api/v1/docs"}
    assert routes == declared | ninja_own


def test_the_docs_page_loads_only_local_static_files(db, client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls, "the page references no asset at all"
    assert all(url.startswith("/static/") for url in urls), urls
    assert not re.search(r"https?://", html), "the page names an outside host"
    for url in urls:
        assert finders.find(url.removeprefix("/static/").split("?")[0]), url


def test_swagger_ui_does_not_call_the_online_validator(db, client):
    html = client.get("/api/v1/docs").content.decode()
    assert '"validatorUrl": null' in html
    assert '"url": "/api/v1/openapi.json"' in html
