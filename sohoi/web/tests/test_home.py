from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_home_lists_the_units_of_the_user_with_links(client_for, chi, tree):
    response = client_for(chi).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hội NCT huyện A" in body
    assert f"/u/{tree.A.code}/" in body
    assert tree.association.name in body
    assert "Đang hoạt động" in body
    # The sibling unit B is not the user's.
    assert "Hội NCT huyện B" not in body
    assert f"/u/{tree.B.code}/" not in body


def test_admin_of_b_sees_only_b(client_for, an, tree):
    body = client_for(an).get("/").content.decode()
    assert "Hội NCT huyện B" in body
    assert "Hội NCT huyện A" not in body


def test_home_of_a_user_without_grants_shows_the_empty_state(client_for, tree, chi):
    from sohoi.accounts.services import user_create

    lonely = user_create(username="le", full_name="Lê", password="Mật-khẩu-thử-2026", actor=None)
    body = client_for(lonely).get("/").content.decode()
    assert "Bạn chưa được phân quyền ở đơn vị nào" in body
    assert "Hội NCT huyện A" not in body


def test_closed_unit_shows_a_closed_badge(client_for, binh, tree):
    from datetime import date

    from sohoi.orgunits.models import OrgUnit

    OrgUnit.unscoped.filter(pk=tree.A.pk).update(closed_on=date(2025, 1, 1))
    body = client_for(binh).get("/").content.decode()
    assert "Đã giải thể/sáp nhập" in body


def test_page_has_the_accessible_base_layout(client_for, binh):
    body = client_for(binh).get("/").content.decode()
    assert '<html lang="vi"' in body
    assert 'class="skip-link" href="#main"' in body
    assert 'id="main"' in body
    assert 'hx-headers=\'{"X-CSRFToken":' in body
    assert "/static/css/sohoi.css" in body
    assert "htmx" in body and "cdn" not in body.lower()
    assert "Binh" in body
    for label in ("Trang chủ", "Mã API", "Đổi mật khẩu", "Đăng xuất"):
        assert label in body
    assert f'action="{reverse("accounts:logout")}"' in body


def test_superuser_home_links_to_the_login_log(client_for, staff, binh):
    body = client_for(staff).get("/").content.decode()
    assert reverse("accounts:login_log") in body
    assert reverse("accounts:login_log") not in client_for(binh).get("/").content.decode()


def test_language_switch_is_offered_and_switches_to_english(client_for, binh):
    client = client_for(binh)
    body = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert 'value="en"' in body
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en"' in client.get("/").content.decode()


def test_messages_are_announced_politely(client_for, binh):
    from sohoi.accounts.services import token_create

    token, _ = token_create(user=binh, name="Thử")
    client = client_for(binh)
    response = client.post(f"/tai-khoan/ma-api/{token.code}/thu-hoi/", follow=True)
    body = response.content.decode()
    assert 'role="status">Đã thu hồi mã “Thử”' in body
