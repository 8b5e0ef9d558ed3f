"""Who may call the API: a personal token, or the browser session with CSRF for writes."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from sohoi.orgunits.models import OrgUnit

from .conftest import ApiClient

CSRF_SECRET = "a" * 32


def test_a_personal_token_authenticates(chi, api_as):
    response = api_as(chi).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "chi"


def test_a_revoked_token_is_refused_with_401(chi, token_for):
    from sohoi.accounts.models import ApiToken
    from sohoi.accounts.services import token_revoke

    key = token_for(chi)
    api = ApiClient(key)
    assert api.get("/api/v1/me").status_code == 200

    token_revoke(token=ApiToken.objects.get(key_hash=ApiToken.hash_key(key)), actor=chi)

    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_refused_with_401(chi, api_as):
    response = ApiClient("sh_not-a-real-key").get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_an_empty_bearer_token_is_refused_with_401(chi):
    response = Client().get("/api/v1/me", headers={"Authorization": "Bearer "})
    assert response.status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(chi, binh, tree, token_for):
    from sohoi.accounts.services import user_set_active

    api = ApiClient(token_for(binh))
    assert api.get("/api/v1/me").status_code == 200

    user_set_active(user=binh, is_active=False, actor=chi, unit=tree.A)

    assert api.get("/api/v1/me").status_code == 401


def test_a_revoked_token_does_not_fall_back_to_the_browser_session(chi, token_for, client_for):
    from sohoi.accounts.models import ApiToken
    from sohoi.accounts.services import token_revoke

    key = token_for(chi)
    token_revoke(token=ApiToken.objects.get(key_hash=ApiToken.hash_key(key)), actor=chi)
    client = client_for(chi)
    assert client.get("/api/v1/me").status_code == 200

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 401


def test_an_anonymous_caller_gets_401_in_the_error_shape(db, anonymous_api):
    response = anonymous_api.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert "đăng nhập" in body["message"]
    assert body["extra"] == {}


def test_another_authorization_scheme_is_not_a_login(chi):
    response = Client().get("/api/v1/me", headers={"Authorization": "Basic Y2hpOmNoaQ=="})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_browser_session_authenticates(chi, client_for):
    response = client_for(chi).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "chi"


@pytest.fixture
def csrf_session(chi):
    """A logged-in browser session whose client checks CSRF like a real browser request."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(chi, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def _children_of(unit) -> set[str]:
    return set(OrgUnit.unscoped.filter(parent=unit).values_list("name", flat=True))


def test_a_session_write_without_the_csrf_token_is_refused(chi, tree, csrf_session):
    before = _children_of(tree.A)

    response = csrf_session.post(
        f"/api/v1/u/{tree.A.code}/children",
        {"name": "Chi hội Mới", "level": "branch"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert _children_of(tree.A) == before


def test_a_session_write_with_the_csrf_token_is_accepted(chi, tree, csrf_session):
    assert "Chi hội Mới" not in _children_of(tree.A)

    response = csrf_session.post(
        f"/api/v1/u/{tree.A.code}/children",
        {"name": "Chi hội Mới", "level": "branch"},
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )

    assert response.status_code == 201
    assert "Chi hội Mới" in _children_of(tree.A)


def test_a_session_read_needs_no_csrf_token(chi, tree, csrf_session):
    assert csrf_session.get(f"/api/v1/u/{tree.A.code}").status_code == 200


def test_a_token_write_needs_no_csrf_token(chi, tree, token_for):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"/api/v1/u/{tree.A.code}/children",
        {"name": "Chi hội Token", "level": "branch"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(chi)}"},
    )

    assert response.status_code == 201
    assert "Chi hội Token" in _children_of(tree.A)


def test_an_anonymous_write_is_401_not_a_csrf_refusal(tree):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        f"/api/v1/u/{tree.A.code}/children", {"name": "X", "level": "branch"}, content_type="application/json"
    )

    assert response.status_code == 401
    assert "X" not in _children_of(tree.A)
