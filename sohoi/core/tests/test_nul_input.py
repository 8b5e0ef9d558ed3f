"""A NUL character anywhere in a request is a 400 in Vietnamese, never a 500 (PostgreSQL refuses
NUL in text) and never a change."""

from __future__ import annotations

import json

import pytest

from sohoi.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/u/%00/",
        "/u/{A}/nguoi-dung/%00/",
        "/tai-khoan/ma-api/%00/thu-hoi/",
        "/dia-ban/2025/%00/",
        "/?next=%00",
    ],
)
def test_a_nul_in_a_page_address_is_a_vietnamese_400(client_for, chi, tree, path):
    response = client_for(chi).get(path.format(A=tree.A.code))
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/u/%00", "/api/v1/associations/%00", "/api/v1/areas/2025/%00"])
def test_a_nul_in_an_api_address_is_a_400_in_the_error_shape(client_for, chi, path):
    response = client_for(chi).get(path)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_a_nul_in_a_json_body_changes_nothing(client, chi, tree):
    from sohoi.accounts.services import token_create

    _, key = token_create(user=chi, name="Thử")
    before = OrgUnit.unscoped.count()
    response = client.post(
        f"/api/v1/u/{tree.A.code}/children",
        data=json.dumps({"name": "Chi hội\u0000X", "level": "branch"}),
        content_type="application/json",
        headers={"authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert OrgUnit.unscoped.count() == before


def test_a_cursor_hiding_a_nul_is_refused(client_for, chi, tree):
    import base64

    cursor = base64.urlsafe_b64encode(json.dumps(["\u0000"]).encode()).decode().rstrip("=")
    response = client_for(chi).get(f"/api/v1/u/{tree.A.code}/subtree?cursor={cursor}")
    assert response.status_code == 400 and response.json()["code"] == "invalid_cursor"
