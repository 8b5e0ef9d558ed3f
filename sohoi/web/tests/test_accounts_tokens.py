from __future__ import annotations

import pytest
from django.urls import reverse

from sohoi.accounts.models import ApiToken
from sohoi.accounts.services import token_create, user_for_token
from sohoi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/tai-khoan/ma-api/"


def test_tokens_page_needs_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_empty_tokens_page(client_for, binh):
    body = client_for(binh).get(URL).content.decode()
    assert "Bạn chưa có mã API nào" in body


def test_created_key_is_shown_once_on_the_next_page(client_for, binh):
    client = client_for(binh)
    assert ApiToken.objects.filter(user=binh).count() == 0
    response = client.post(URL, {"name": "Bảng tính quý"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:token_created")
    token = ApiToken.objects.get(user=binh)
    assert token.name == "Bảng tính quý"

    shown = client.get(response["Location"])
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"] or "no-cache" in shown["Cache-Control"]
    body = shown.content.decode()
    assert "chỉ hiện một lần" in body
    key = body.split('id="token-key" class="key" type="text" value="')[1].split('"')[0]
    assert user_for_token(key) == binh
    assert AuditEvent.unscoped.filter(action="token.created", actor=binh).count() == 1

    # A second visit does not show it again.
    again = client.get(reverse("accounts:token_created"))
    assert again.status_code == 302
    assert key not in client.get(URL).content.decode()


def test_list_shows_own_tokens_only(client_for, binh, chi):
    token_create(user=chi, name="Của Chi")
    token_create(user=binh, name="Của Bình")
    body = client_for(binh).get(URL).content.decode()
    assert "Của Bình" in body
    assert "Của Chi" not in body


def test_empty_name_is_refused_and_nothing_created(client_for, binh):
    response = client_for(binh).post(URL, {"name": "   "})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert ApiToken.objects.filter(user=binh).count() == 0


def test_over_long_name_is_refused_and_nothing_created(client_for, binh):
    response = client_for(binh).post(URL, {"name": "x" * 10_000})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert ApiToken.objects.filter(user=binh).count() == 0


def test_non_utf8_name_does_not_crash(client_for, binh):
    response = client_for(binh).post(
        URL, data=b"name=\xff\xfe", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 302)


def test_revoke_own_token(client_for, binh):
    token, key = token_create(user=binh, name="Cũ")
    client = client_for(binh)
    assert user_for_token(key) == binh
    response = client.post(reverse("accounts:token_revoke", args=[token.code]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token(key) is None
    assert "Đã thu hồi" in client.get(URL).content.decode()
    assert AuditEvent.unscoped.filter(action="token.revoked", actor=binh).count() == 1


def test_revoke_is_post_only(client_for, binh):
    token, _ = token_create(user=binh, name="Cũ")
    assert client_for(binh).get(reverse("accounts:token_revoke", args=[token.code])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_users_token_cannot_be_revoked(client_for, binh, an):
    token, key = token_create(user=binh, name="Của Bình")
    response = client_for(an).post(reverse("accounts:token_revoke", args=[token.code]))
    assert response.status_code == 404
    assert "Không tìm thấy trang hoặc bạn không có quyền truy cập" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert user_for_token(key) == binh
