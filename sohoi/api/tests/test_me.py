"""GET /api/v1/me: the caller and their grants, nobody else's."""

from __future__ import annotations


def test_me_shows_the_admin_and_their_unit_grant(chi, an, tree, api_as):
    body = api_as(chi).get("/api/v1/me").json()
    assert body["username"] == "chi" and body["full_name"] == "Chi"
    assert body["is_superuser"] is False
    (grant,) = body["grants"]
    assert grant["role"] == "admin"
    assert grant["unit"] == {"code": tree.A.code, "name": "Hội NCT huyện A", "association": "nct"}
    assert grant["area"] is None
    assert grant["can_export"] is True
    assert tree.B.code not in str(body)


def test_me_shows_a_viewer_without_export(binh, api_as):
    (grant,) = api_as(binh).get("/api/v1/me").json()["grants"]
    assert grant["role"] == "viewer" and grant["can_export"] is False


def test_me_shows_an_area_grant_limited_to_some_associations(db, areas, nct, api_as):
    from sohoi.accounts.services import system_grant_area, user_create
    from sohoi.orgunits.models import Association

    ward = user_create(username="ubnd", full_name="UBND phường", password="Mật-khẩu-thử-2026", actor=None)
    system_grant_area(
        user=ward,
        role="viewer",
        area=areas["ba_dinh_ward"],
        associations=[nct, Association.objects.get(code="ccb")],
    )

    (grant,) = api_as(ward).get("/api/v1/me").json()["grants"]

    assert grant["unit"] is None
    assert grant["area"] == {"scheme": "2025", "code": "00004", "name": "Phường Ba Đình"}
    assert grant["associations"] == ["ccb", "nct"]


def test_a_revoked_grant_is_not_shown(chi, binh, tree, api_as):
    from sohoi.accounts.models import RoleGrant
    from sohoi.accounts.services import grant_revoke

    api = api_as(binh)
    assert len(api.get("/api/v1/me").json()["grants"]) == 1

    grant_revoke(grant=RoleGrant.unscoped.get(user=binh), actor=chi)

    assert api.get("/api/v1/me").json()["grants"] == []


def test_the_superuser_is_marked(staff, api_as):
    body = api_as(staff).get("/api/v1/me").json()
    assert body["is_superuser"] is True
    assert body["grants"] == []
