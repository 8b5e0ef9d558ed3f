"""The permission matrix and the sibling-leak test (STYLE.md §7.9).

Every named route of the project is in ``matrix_support.TABLE`` with the methods it serves, how to
build a concrete URL from the cast's objects and what it needs. The first tests keep the table
honest against the URL resolver, the views' ``@requires`` and the API's ``OPERATIONS``; the rest
send every (route × method × cast member) through the test client and check the status, that a
refused request changes nothing, and that an, admin of the sibling unit B, never sees a name or a
code of A's subtree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.urls import reverse

from sohoi.api.v1 import OPERATIONS

from .matrix_support import (
    ALL_METHODS,
    ALLOWED,
    EXCLUDED,
    NON_UNIT_ACCESS,
    NOT_FOUND,
    PUBLIC,
    TABLE,
    TO_LOGIN,
    WHO,
    Row,
    World,
    bearer,
    build_world,
    excluded_by,
    expected,
    is_excluded,
    resolver_routes,
    send,
    snapshot,
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Public pages that show a little of any unit to anyone on purpose: the card check shows the
# name, unit and whether the membership is active to whoever scans the card's QR code.
DISCLOSES_BY_DESIGN = {"member_files:verify"}
# Allowed requests that legitimately end on the login page.
ENDS_ON_LOGIN_PAGE = {"accounts:logout"}


@pytest.fixture
def world(tree, cast) -> World:
    return build_world(tree, cast)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one request in a savepoint that is undone, so the next cast member finds the same world
    (building it is what costs time; each test builds it once)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def login_url() -> str:
    return reverse("accounts:login")


def body_of(response) -> str:
    return response.content.decode("utf-8", errors="replace")


def describe(response) -> str:
    location = response.get("Location", "")
    return f"{response.status_code} {location} {body_of(response)[:300]!r}"


def assert_outcome(row: Row, response, outcome, *, who: str) -> None:
    status = response.status_code
    assert status < 500, describe(response)
    if outcome == ALLOWED:
        assert 200 <= status < 400, describe(response)
        if status in (301, 302) and who != "anonymous" and row.name not in ENDS_ON_LOGIN_PAGE:
            assert not response["Location"].startswith(login_url()), describe(response)
    elif outcome == TO_LOGIN:
        assert status == 302 and response["Location"].startswith(login_url()), describe(response)
    else:
        assert status == outcome, describe(response)
        if row.api and status == 401:
            assert response.json()["code"] in ("not_authenticated", "invalid_token")
        if row.api and status in (403, 404):
            assert response.json()["code"] in ("permission_denied", "not_found")


def assert_no_markers(world: World, response, url: str) -> None:
    # Pages repeat their own address (the `next` of the header's forms): that is what the caller
    # typed, not something they were shown.
    body = body_of(response).replace(url, "")
    leaked = [marker for marker in world.a_markers() if marker in body]
    assert leaked == [], f"{response.status_code}: {leaked} in {body[:500]!r}"


CSRF_TOKEN = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"')


def same_page(response, url: str, other, other_url: str) -> bool:
    """The same page once the requested address and the (per-render masked) CSRF token are set aside."""

    def normal(r, u: str) -> str:
        return CSRF_TOKEN.sub(r"\1", body_of(r).replace(u, ""))

    return normal(response, url) == normal(other, other_url)


# ---------- The table is complete and agrees with the code ----------


def test_every_route_of_the_project_is_in_the_matrix():
    routes = {name for name, _route, _callback in resolver_routes() if not is_excluded(name)}
    missing = sorted(routes - set(TABLE))
    gone = sorted(set(TABLE) - routes)
    assert missing == [], f"routes missing from tests/matrix_support.py TABLE: {missing}"
    assert gone == [], f"TABLE names routes that no longer exist: {gone}"


def test_every_excluded_route_still_exists_and_says_why():
    names = [name for name, _route, _callback in resolver_routes()]
    for key, reason in EXCLUDED.items():
        assert reason.strip(), key
        assert any(excluded_by(key, name) for name in names), f"{key} is excluded but matches no route"


def test_the_matrix_agrees_with_the_permission_each_view_declares():
    for name, route, callback in resolver_routes():
        if is_excluded(name):
            continue
        row = TABLE.get(name)
        if row is None:
            continue  # test_every_route_of_the_project_is_in_the_matrix says so
        names_a_unit = "<unit_code>" in route or "<str:unit_code>" in route
        assert names_a_unit == row.unit_scoped, f"{name}: {route} vs access {row.access}"
        if row.unit_scoped and not row.api:
            assert getattr(callback, "required_permission", None) == row.access, name
        if not row.unit_scoped:
            assert getattr(callback, "required_permission", None) is None, name


def test_the_matrix_agrees_with_the_api_operations():
    routes = {name: route for name, route, _callback in resolver_routes()}
    operations = {f"api-v1:{op['name']}": op for op in OPERATIONS}
    assert len(operations) == len(OPERATIONS)
    for name, op in operations.items():
        row = TABLE.get(name)
        assert row is not None, f"{name} is missing from the matrix"
        assert row.api and row.methods == (op["method"],), name
        assert row.access == (op["permission"] or "login"), name
        assert row.unit_scoped == op["unit_scoped"], name
        assert re.sub(r"\{(\w+)\}", r"<\1>", op["path"]) == routes[name], name
    # The other API rows are ninja's own (docs, schema, root) and the /api/ catch-all.
    others = {name for name, row in TABLE.items() if row.api} - set(operations)
    assert others == {"api-v1:openapi-json", "api-v1:openapi-view", "api-v1:api-root", "api-not-found"}
    assert all(TABLE[name].access in NON_UNIT_ACCESS for name in others)


def test_every_api_route_is_marked_as_api_and_every_web_route_is_not():
    for name, route, _callback in resolver_routes():
        if name in TABLE:
            assert TABLE[name].api == route.startswith("/api/"), name


# ---------- Every route × method × cast member ----------


def _sides(row: Row, who: str) -> tuple[str, ...]:
    """Everyone is tried on A's objects; an also on A's child A1, and on B's own objects."""
    if who != "an":
        return ("A",)
    return ("A", "A1", "B") if row.unit_scoped else ("A", "B")


def check_one(world: World, row: Row, method: str, who: str, side: str) -> None:
    user = world.users.get(who)
    url = row.url(world, world.sides[side], user)
    data = row.data(world, world.sides[side]) if row.data and method not in SAFE_METHODS else None
    outcome = expected(row, who, side)
    if row.api:
        client = world.client_as(None)
        headers = bearer(world, user) if user is not None else {}
    else:
        client = world.client_as(user)
        headers = {}
    before = snapshot()

    response = send(client, method, url, data, api=row.api, headers=headers)

    assert_outcome(row, response, outcome, who=who)
    if outcome != ALLOWED or method in SAFE_METHODS:
        assert snapshot() == before
    if who == "an" and row.name not in DISCLOSES_BY_DESIGN:
        assert_no_markers(world, response, url)
    if row.api and row.access not in (PUBLIC, NOT_FOUND) and method in SAFE_METHODS:
        # The browser's session is the other way into the API: the same answer.
        session = send(world.client_as(user), method, url, None, api=True)
        assert_outcome(row, session, outcome, who=who)
        if who == "an":
            assert_no_markers(world, session, url)
    if row.api and who == "anonymous" and outcome == 401:
        forged = send(
            world.client_as(None),
            method,
            url,
            data,
            api=True,
            headers={"Authorization": "Bearer sh_khong-hop-le"},
        )
        assert forged.status_code == 401 and forged.json()["code"] == "invalid_token"
        assert snapshot() == before


MATRIX = [
    pytest.param(name, method, id=f"{name}-{method}") for name, row in TABLE.items() for method in row.methods
]


@pytest.mark.parametrize("name, method", MATRIX)
def test_each_cast_member_gets_what_the_matrix_says(world, subtests, name, method):
    """One subtest per cast member and side; each request runs in its own undone savepoint."""
    row = TABLE[name]
    for who in WHO:
        for side in _sides(row, who):
            with subtests.test(who=who, side=side, expected=str(expected(row, who, side))), rolled_back():
                check_one(world, row, method, who, side)


@pytest.mark.parametrize("name", list(TABLE))
def test_any_method_on_any_route_is_answered_without_a_server_error(world, subtests, name):
    """The methods a route does not serve too (the matrix above sends the ones it serves): never a
    500; and on A's unit routes the sibling admin gets, for every method, exactly what a unit that
    does not exist gets: 404 (or, from the API, its 405 for a method it serves nowhere)."""
    row = TABLE[name]
    side = world.sides["A"]
    # A public route answers everyone alike: the anonymous caller stands for all.
    for who in ("anonymous",) if row.access == PUBLIC else ("chi", "anonymous"):
        user = world.users.get(who)
        headers = bearer(world, user) if row.api and user is not None else {}
        for method in ALL_METHODS:
            if method in row.methods:
                continue
            with subtests.test(who=who, method=method), rolled_back():
                data = row.data(world, side) if row.data else None
                client = world.client_as(None) if row.api else world.client_as(user)
                response = send(
                    client, method, row.url(world, side, user), data, api=row.api, headers=headers
                )
                assert response.status_code < 500, describe(response)
    if not row.unit_scoped:
        return
    an = world.users["an"]
    headers = bearer(world, an) if row.api else {}
    client = world.client_as(None) if row.api else world.client_as(an)
    before = snapshot()
    url = row.url(world, side, an)
    absent_url = url.replace(side.unit.code, "khongcoma")
    data = row.data(world, side) if row.data else None
    for method in ALL_METHODS:
        with subtests.test(who="an", method=method):
            response = send(client, method, url, data, api=row.api, headers=headers)
            absent = send(client, method, absent_url, data, api=row.api, headers=headers)
            assert (response.status_code, absent.status_code) == (
                (404, 404) if method in row.methods or not row.api else (absent.status_code,) * 2
            ), describe(response)
            assert same_page(response, url, absent, absent_url)
            assert_no_markers(world, response, url)
    assert snapshot() == before


# ---------- Sibling leaks: what an sees of A from B's side ----------

LISTS_SHOWN_TO_AN = {
    "home": (lambda w: reverse("web:home"), lambda w: [w.tree.B.name]),
    "api-units": (lambda w: "/api/v1/units", lambda w: [w.tree.B.code]),
    "api-me": (lambda w: "/api/v1/me", lambda w: [w.tree.B.code]),
    "audit-of-b": (lambda w: reverse("accounts:audit", args=[w.tree.B.code]),
                   lambda w: [w.users["an"].full_name, "Cấp quyền"]),
    "users-of-b": (lambda w: reverse("accounts:users", args=[w.tree.B.code]),
                   lambda w: [w.users["giang"].full_name, w.users["giang"].code, w.tree.B.name]),
    "giang-at-b": (lambda w: reverse("accounts:user_detail", args=[w.tree.B.code, w.users["giang"].code]),
                   lambda w: [w.users["giang"].full_name, w.sides["B"].grant.code]),
    "b-detail": (lambda w: reverse("units:detail", args=[w.tree.B.code]), lambda w: [w.tree.B1.name]),
    "api-b-subtree": (lambda w: f"/api/v1/u/{w.tree.B.code}/subtree", lambda w: [w.tree.B1.code]),
}  # fmt: skip


def test_the_lists_shown_to_the_sibling_admin_hold_b_and_none_of_a(world, subtests):
    """giang works at A and at B: B's pages show her, with her grant at B and nothing of A."""
    an = world.users["an"]
    for label, (url_of, shows) in LISTS_SHOWN_TO_AN.items():
        with subtests.test(label):
            url = url_of(world)
            if url.startswith("/api/"):
                response = world.client_as(None).get(url, headers=bearer(world, an))
            else:
                response = world.client_as(an).get(url)
            assert response.status_code == 200, describe(response)
            body = body_of(response)
            # The list is really there (else "nothing of A" would prove nothing) …
            assert [s for s in shows(world) if s not in body] == []
            # … and nothing of A is: giang's grant at A, A's users, A's units.
            assert_no_markers(world, response, url)


USER_ROUTES = ["accounts:user_detail", "accounts:user_reset_password", "accounts:user_set_active",
               "accounts:grant_revoke"]  # fmt: skip


@pytest.mark.parametrize("name", USER_ROUTES)
def test_a_users_and_grants_named_in_b_urls_are_404(world, subtests, name):
    """binh has no grant in B: not an's to see. giang has (viewer at B), but her grant at A is not an's."""
    row = TABLE[name]
    tree = world.tree
    binh, giang = world.users["binh"], world.users["giang"]
    if name == "accounts:grant_revoke":
        urls = {
            "binh-grant-at-a": reverse(name, args=[tree.B.code, binh.code, world.sides["A"].grant.code]),
            "giang-grant-at-a": reverse(name, args=[tree.B.code, giang.code, world.giang_grant_at_a.code]),
        }
    else:
        urls = {"binh": reverse(name, args=[tree.B.code, binh.code])}
    client = world.client_as(world.users["an"])
    before = snapshot()
    for label, url in urls.items():
        for method in row.methods:
            with subtests.test(label, method=method):
                data = row.data(world, world.sides["B"]) if row.data else None
                response = send(client, method, url, data, api=False)
                assert response.status_code == 404, describe(response)
                assert_no_markers(world, response, url)
                assert snapshot() == before


_DECISION = {"effective_on": "01/07/2025", "decision_ref": "15/QĐ-NCT"}

A_CHOICES_IN_B_FORMS = {
    "create-in-a-area": ("units:create", lambda w: {
        "name": "Chi hội Lạ", "level": "commune", "area": f"2025:{w.areas['commune_a'].code}"}),
    "edit-into-a-area": ("units:edit", lambda w: {
        "name": "Hội NCT huyện B", "area": f"2025:{w.areas['commune_a'].code}"}),
    "move-a1-under-b": ("units:move", lambda w: {
        "unit": w.tree.A1.code, "new_parent": w.tree.B.code, **_DECISION}),
    "move-b1-under-a": ("units:move", lambda w: {
        "unit": w.tree.B1.code, "new_parent": w.tree.A.code, **_DECISION}),
    "merge-a1-into-b1": ("units:merge", lambda w: {
        "action": "commit", "mode": "existing", "sources": [w.tree.A1.code], "successor": w.tree.B1.code,
        **_DECISION}),
    "merge-b1-into-a": ("units:merge", lambda w: {
        "action": "commit", "mode": "existing", "sources": [w.tree.B1.code], "successor": w.tree.A.code,
        **_DECISION}),
    "split-a1": ("units:split", lambda w: {
        "action": "commit", "nguon": w.tree.A1.code, "rows": "2", "name_0": "Một", "name_1": "Hai",
        "data_to": "0", **_DECISION}),
    "user-at-a1": ("accounts:user_create", lambda w: {
        "full_name": "Người Lạ", "username": "nguoila", "password": "Một-mật-khẩu-dài-2026",
        "unit": w.tree.A1.code, "role": "viewer"}),
    "grant-at-a": ("accounts:user_detail", lambda w: {"unit": w.tree.A.code, "role": "viewer"}),
}  # fmt: skip


def test_a_units_chosen_in_b_forms_are_invalid_choices(world, subtests):
    """an's own forms: a unit or area of A in the POST is refused as a choice, and nothing changes."""
    tree = world.tree
    client = world.client_as(world.users["an"])
    for label, (name, data_of) in A_CHOICES_IN_B_FORMS.items():
        with subtests.test(label), rolled_back():
            if name == "accounts:user_detail":
                url = reverse(name, args=[tree.B.code, world.users["giang"].code])
            else:
                url = reverse(name, args=[tree.B.code])
            before = snapshot()
            response = client.post(url, data_of(world))
            assert response.status_code == 200, describe(response)
            body = body_of(response)
            assert "lựa chọn hợp lệ" in body
            assert tree.A.name not in body and tree.A1.name not in body
            assert snapshot() == before


# ---------- Django admin ----------


def test_django_admin_is_for_superusers_only(world, subtests):
    for who in WHO:
        with subtests.test(who=who):
            response = world.client_as(world.users.get(who)).get(reverse("admin:index"))
            if who == "staff":
                assert response.status_code == 200
            else:
                assert response.status_code == 302
                assert response["Location"].startswith(reverse("admin:login"))
