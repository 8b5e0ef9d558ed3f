from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import PASSWORD
from sohoi.accounts.models import RoleGrant, User
from sohoi.accounts.services import grant_create, user_create
from sohoi.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def users_url(unit):
    return reverse("accounts:users", args=[unit.code])


def create_url(unit):
    return reverse("accounts:user_create", args=[unit.code])


def detail_url(unit, user):
    return reverse("accounts:user_detail", args=[unit.code, user.code])


def active_grants(user):
    return list(RoleGrant.unscoped.filter(user=user, revoked_at__isnull=True).order_by("id"))


def new_user_data(tree, **overrides):
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "username": "hoa",
        "phone": "0912345678",
        "password": "Một-mật-khẩu-dài-2026",
        "unit": tree.A1.code,
        "role": "editor",
    }
    data.update(overrides)
    return data


# ---------- The list ----------


def test_admin_sees_the_users_of_the_subtree_with_their_roles(client_for, chi, binh, dung, an, tree):
    response = client_for(chi).get(users_url(tree.A))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Chi", "Binh", "Dung"):
        assert name in body
    assert "Xem" in body and "Quản trị" in body
    # an has grants on B only.
    assert ">An<" not in body
    assert '<td class="mono">an</td>' not in body
    assert '<td class="mono">binh</td>' in body


def test_list_lists_users_of_child_units(client_for, chi, tree):
    user_create(username="tu", full_name="Tư", password=PASSWORD, actor=None, unit=tree.A1, role="viewer")
    assert "Tư" in client_for(chi).get(users_url(tree.A)).content.decode()


def test_revoked_grants_do_not_count(client_for, chi, binh, tree):
    RoleGrant.unscoped.filter(user=binh).update(revoked_at="2026-01-01T00:00:00Z")
    assert "Binh" not in client_for(chi).get(users_url(tree.A)).content.decode()


def test_viewer_is_refused_the_users_page_with_403(client_for, binh, tree):
    response = client_for(binh).get(users_url(tree.A))
    assert response.status_code == 403
    assert "Bạn không có quyền" in response.content.decode()


def test_admin_of_sibling_gets_404_on_the_users_pages(client_for, an, chi, binh, tree):
    client = client_for(an)
    for url in (users_url(tree.A), create_url(tree.A), detail_url(tree.A, binh)):
        response = client.get(url)
        assert response.status_code == 404
        assert "Không tìm thấy trang hoặc bạn không có quyền truy cập" in response.content.decode()


def test_anonymous_is_sent_to_login(client, tree, chi):
    response = client.get(users_url(tree.A))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_user_list_query_count_does_not_grow_with_users(client_for, chi, tree, django_assert_num_queries):
    client = client_for(chi)
    client.get(users_url(tree.A))  # warm the session

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(users_url(tree.A)).status_code == 200
        return len(ctx)

    few = count()
    for i in range(10):
        user_create(
            username=f"u{i}",
            full_name=f"Người {i}",
            password=PASSWORD,
            actor=None,
            unit=tree.A1,
            role="viewer",
        )
    many = count()
    assert few == many
    # session, user, unit, perms_for, grants (one query with users and units).
    with django_assert_num_queries(5):
        client.get(users_url(tree.A))


# ---------- Creating a user ----------


def test_admin_creates_a_user_with_a_first_grant_in_the_subtree(client_for, chi, tree):
    assert not User.objects.filter(username="hoa").exists()
    response = client_for(chi).post(create_url(tree.A), new_user_data(tree))
    assert response.status_code == 302
    hoa = User.objects.get(username="hoa")
    assert response["Location"] == detail_url(tree.A, hoa)
    assert hoa.full_name == "Nguyễn Thị Hoa"
    assert hoa.check_password("Một-mật-khẩu-dài-2026")
    [grant] = active_grants(hoa)
    assert (grant.org_unit_id, grant.role, grant.can_export, grant.granted_by_id) == (
        tree.A1.pk,
        "editor",
        False,
        chi.pk,
    )
    assert AuditEvent.unscoped.filter(action="user.created", actor=chi, target_code=hoa.code).count() == 1
    assert AuditEvent.unscoped.filter(action="grant.created", actor=chi, target_code=hoa.code).count() == 1


def test_create_form_offers_only_units_of_the_subtree(client_for, chi, tree):
    body = client_for(chi).get(create_url(tree.A)).content.decode()
    assert "Hội NCT xã A1" in body
    assert "Hội NCT huyện B" not in body and "Hội NCT xã B1" not in body
    assert f'value="{tree.A1.code}"' in body


def test_viewer_cannot_create_a_user(client_for, binh, tree):
    response = client_for(binh).post(create_url(tree.A), new_user_data(tree))
    assert response.status_code == 403
    assert not User.objects.filter(username="hoa").exists()


def test_sibling_admin_cannot_create_a_user_in_a(client_for, an, tree):
    response = client_for(an).post(create_url(tree.A), new_user_data(tree))
    assert response.status_code == 404
    assert not User.objects.filter(username="hoa").exists()


def _refused(client, tree, text, **overrides):
    users_before = User.objects.count()
    grants_before = RoleGrant.unscoped.count()
    response = client.post(create_url(tree.A), new_user_data(tree, **overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert "errorlist" in body
    assert text in body
    assert User.objects.count() == users_before
    assert RoleGrant.unscoped.count() == grants_before
    return body


def test_unit_outside_the_subtree_is_an_invalid_choice(client_for, chi, tree):
    _refused(client_for(chi), tree, "Hãy chọn", unit=tree.B1.code)


def test_duplicate_user_name_is_refused(client_for, chi, binh, tree):
    _refused(client_for(chi), tree, "đã có người dùng", username="BINH")


def test_weak_password_is_refused(client_for, chi, tree):
    _refused(client_for(chi), tree, "errorlist", password="12345678")


def test_user_name_with_spaces_is_refused(client_for, chi, tree):
    _refused(client_for(chi), tree, "không có khoảng trắng", username="hoa nguyen")


def test_over_long_user_name_is_refused(client_for, chi, tree):
    _refused(client_for(chi), tree, "errorlist", username="a" * 10_000)


def test_over_long_full_name_is_refused(client_for, chi, tree):
    _refused(client_for(chi), tree, "errorlist", full_name="Ă" * 10_000)


def test_unknown_role_is_refused(client_for, chi, tree):
    _refused(client_for(chi), tree, "errorlist", role="owner")


def test_export_right_cannot_be_given_by_an_admin_without_it(client, tree, chi, client_for):
    hung = user_create(
        username="hung", full_name="Hùng", password=PASSWORD, actor=None, unit=tree.A, role="admin"
    )
    _refused(client_for(hung), tree, "Không thể cấp quyền xuất dữ liệu cá nhân", can_export="on")


def test_role_above_own_is_refused_on_the_form(client_for, tree, chi):
    # An admin of A1 only: A is above their subtree, so it is not even a choice.
    hai = user_create(
        username="hai", full_name="Hải", password=PASSWORD, actor=None, unit=tree.A1, role="admin"
    )
    client = client_for(hai)
    before = User.objects.count()
    response = client.post(create_url(tree.A1), new_user_data(tree, unit=tree.A.code, role="admin"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert User.objects.count() == before


def test_non_utf8_body_changes_nothing(client_for, chi, tree):
    before = User.objects.count()
    response = client_for(chi).post(
        create_url(tree.A),
        data=b"username=\xff\xfe&full_name=\xc3\x28&password=\x80",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert User.objects.count() == before


# ---------- A user's page ----------


def test_detail_shows_grants_inside_the_subtree_only(client_for, chi, tree):
    multi = user_create(
        username="multi", full_name="Đa Đơn Vị", password=PASSWORD, actor=None, unit=tree.A1, role="viewer"
    )
    RoleGrant.unscoped.create(user=multi, org_unit=tree.B1, role="editor")
    body = client_for(chi).get(detail_url(tree.A, multi)).content.decode()
    assert "Hội NCT xã A1" in body
    assert "Hội NCT xã B1" not in body


def test_user_without_grants_in_the_subtree_is_404(client_for, chi, an, tree):
    response = client_for(chi).get(detail_url(tree.A, an))
    assert response.status_code == 404


def test_unknown_user_code_is_404(client_for, chi, tree):
    assert (
        client_for(chi).get(reverse("accounts:user_detail", args=[tree.A.code, "khongco"])).status_code == 404
    )


def test_viewer_gets_403_on_a_user_page(client_for, binh, dung, tree):
    assert client_for(binh).get(detail_url(tree.A, dung)).status_code == 403


def test_admin_adds_a_grant(client_for, chi, binh, tree):
    assert len(active_grants(binh)) == 1
    response = client_for(chi).post(detail_url(tree.A, binh), {"unit": tree.A1.code, "role": "editor"})
    assert response.status_code == 302
    grants = active_grants(binh)
    assert [(g.org_unit_id, g.role) for g in grants] == [(tree.A.pk, "viewer"), (tree.A1.pk, "editor")]


def test_adding_a_grant_outside_the_subtree_is_refused(client_for, chi, binh, tree):
    response = client_for(chi).post(detail_url(tree.A, binh), {"unit": tree.B.code, "role": "viewer"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert len(active_grants(binh)) == 1


def test_adding_an_export_grant_without_having_it_is_refused(client_for, binh, tree, chi):
    hung = user_create(
        username="hung", full_name="Hùng", password=PASSWORD, actor=None, unit=tree.A, role="admin"
    )
    response = client_for(hung).post(
        detail_url(tree.A, binh), {"unit": tree.A1.code, "role": "viewer", "can_export": "on"}
    )
    assert response.status_code == 200
    assert "Không thể cấp quyền xuất dữ liệu cá nhân" in response.content.decode()
    assert len(active_grants(binh)) == 1


def test_viewer_cannot_add_a_grant(client_for, binh, dung, tree):
    response = client_for(binh).post(detail_url(tree.A, dung), {"unit": tree.A.code, "role": "admin"})
    assert response.status_code == 403
    assert [g.role for g in active_grants(dung)] == ["editor"]


def test_admin_revokes_a_grant(client_for, chi, binh, tree):
    grant = grant_create(user=binh, unit=tree.A1, role="editor", actor=chi)
    client = client_for(chi)
    response = client.post(reverse("accounts:grant_revoke", args=[tree.A.code, binh.code, grant.code]))
    assert response.status_code == 302
    assert response["Location"] == detail_url(tree.A, binh)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert AuditEvent.unscoped.filter(action="grant.revoked", actor=chi).count() == 1


def test_revoking_the_last_grant_goes_back_to_the_list(client_for, chi, binh, tree):
    [grant] = active_grants(binh)
    response = client_for(chi).post(
        reverse("accounts:grant_revoke", args=[tree.A.code, binh.code, grant.code])
    )
    assert response["Location"] == users_url(tree.A)
    assert active_grants(binh) == []


def test_revoke_is_post_only(client_for, chi, binh, tree):
    [grant] = active_grants(binh)
    response = client_for(chi).get(
        reverse("accounts:grant_revoke", args=[tree.A.code, binh.code, grant.code])
    )
    assert response.status_code == 405
    assert len(active_grants(binh)) == 1


def test_grant_outside_the_subtree_cannot_be_revoked_from_here(client_for, chi, tree):
    multi = user_create(
        username="multi", full_name="Đa", password=PASSWORD, actor=None, unit=tree.A1, role="viewer"
    )
    outside = RoleGrant.unscoped.create(user=multi, org_unit=tree.B1, role="editor")
    response = client_for(chi).post(
        reverse("accounts:grant_revoke", args=[tree.A.code, multi.code, outside.code])
    )
    assert response.status_code == 404
    outside.refresh_from_db()
    assert outside.revoked_at is None


def test_sibling_admin_cannot_revoke_a_grant_in_a(client_for, an, binh, tree):
    [grant] = active_grants(binh)
    response = client_for(an).post(
        reverse("accounts:grant_revoke", args=[tree.A.code, binh.code, grant.code])
    )
    assert response.status_code == 404
    assert len(active_grants(binh)) == 1


def test_admin_resets_a_password(client_for, chi, binh, tree):
    url = reverse("accounts:user_reset_password", args=[tree.A.code, binh.code])
    response = client_for(chi).post(url, {"password": "Mật-khẩu-mới-dài-2027"})
    assert response.status_code == 302
    binh.refresh_from_db()
    assert binh.check_password("Mật-khẩu-mới-dài-2027")
    assert AuditEvent.unscoped.filter(action="user.password_reset", actor=chi, target_code=binh.code).exists()


def test_weak_reset_password_is_refused(client_for, chi, binh, tree):
    url = reverse("accounts:user_reset_password", args=[tree.A.code, binh.code])
    response = client_for(chi).post(url, {"password": "binh"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    binh.refresh_from_db()
    assert binh.check_password(PASSWORD)


def test_over_long_reset_password_is_refused(client_for, chi, binh, tree):
    url = reverse("accounts:user_reset_password", args=[tree.A.code, binh.code])
    response = client_for(chi).post(url, {"password": "Xy-1" * 2500})
    assert response.status_code == 200
    binh.refresh_from_db()
    assert binh.check_password(PASSWORD)


def test_password_of_a_user_with_grants_elsewhere_cannot_be_reset(client_for, chi, tree):
    multi = user_create(
        username="multi", full_name="Đa", password=PASSWORD, actor=None, unit=tree.A1, role="viewer"
    )
    RoleGrant.unscoped.create(user=multi, org_unit=tree.B1, role="editor")
    url = reverse("accounts:user_reset_password", args=[tree.A.code, multi.code])
    response = client_for(chi).post(url, {"password": "Mật-khẩu-mới-dài-2027"})
    assert response.status_code == 200
    assert "Bạn không thể thay đổi tài khoản này" in response.content.decode()
    multi.refresh_from_db()
    assert multi.check_password(PASSWORD)


def test_viewer_cannot_reset_a_password(client_for, binh, dung, tree):
    url = reverse("accounts:user_reset_password", args=[tree.A.code, dung.code])
    assert client_for(binh).post(url, {"password": "Mật-khẩu-mới-dài-2027"}).status_code == 403
    dung.refresh_from_db()
    assert dung.check_password(PASSWORD)


def test_admin_deactivates_and_reactivates_a_user(client_for, chi, binh, tree):
    url = reverse("accounts:user_set_active", args=[tree.A.code, binh.code])
    client = client_for(chi)
    assert client.post(url, {"is_active": "0"}).status_code == 302
    binh.refresh_from_db()
    assert binh.is_active is False
    assert "Đã khoá" in client.get(users_url(tree.A)).content.decode()
    assert client.post(url, {"is_active": "1"}).status_code == 302
    binh.refresh_from_db()
    assert binh.is_active is True
    actions = set(AuditEvent.unscoped.filter(target_code=binh.code).values_list("action", flat=True))
    assert {"user.deactivated", "user.activated"} <= actions


def test_admin_cannot_deactivate_themself(client_for, chi, tree):
    url = reverse("accounts:user_set_active", args=[tree.A.code, chi.code])
    response = client_for(chi).post(url, {"is_active": "0"})
    assert response.status_code == 200
    assert "Bạn không thể thay đổi tài khoản này" in response.content.decode()
    chi.refresh_from_db()
    assert chi.is_active is True


def test_garbage_active_value_changes_nothing(client_for, chi, binh, tree):
    url = reverse("accounts:user_set_active", args=[tree.A.code, binh.code])
    response = client_for(chi).post(url, {"is_active": "x" * 10_000})
    assert response.status_code == 200
    binh.refresh_from_db()
    assert binh.is_active is True


def test_sibling_admin_cannot_deactivate_a_user_of_a(client_for, an, binh, tree):
    url = reverse("accounts:user_set_active", args=[tree.A.code, binh.code])
    assert client_for(an).post(url, {"is_active": "0"}).status_code == 404
    binh.refresh_from_db()
    assert binh.is_active is True
