from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import PASSWORD
from sohoi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"


def _events(action):
    return AuditEvent.unscoped.filter(action=action)


def test_login_page_is_in_vietnamese(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tên đăng nhập" in body and "Mật khẩu" in body
    assert '<html lang="vi"' in body


def test_right_password_logs_in_and_is_audited(client, chi):
    assert _events("auth.login").count() == 0
    response = client.post(LOGIN, {"username": "chi", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.get("/").status_code == 200
    assert _events("auth.login").filter(actor=chi).count() == 1


def test_user_name_is_read_case_and_unicode_insensitively(client, chi):
    response = client.post(LOGIN, {"username": "  CHI ", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_is_refused_in_vietnamese_and_audited(client, chi):
    assert _events("auth.login_failed").count() == 0
    response = client.post(LOGIN, {"username": "chi", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert _events("auth.login_failed").count() == 1
    assert _events("auth.login_failed").get().data["username"] == "chi"
    assert client.get("/").status_code == 302


def test_after_a_failed_login_the_error_is_announced_and_the_cursor_is_on_the_password(client, chi):
    html = client.post(LOGIN, {"username": "chi", "password": "sai"}).content.decode()
    alert = html[html.index('role="alert"') :]
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in alert[:600]
    password_input = html[html.index('name="password"') - 200 : html.index('name="password"') + 200]
    username_input = html[html.index('name="username"') - 200 : html.index('name="username"') + 200]
    assert "autofocus" in password_input and "autofocus" not in username_input


def test_deactivated_user_cannot_log_in(client, chi):
    chi.is_active = False
    chi.save()
    response = client.post(LOGIN, {"username": "chi", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_five_wrong_passwords_lock_the_login_even_for_the_right_password(client, chi):
    for attempt in range(4):
        response = client.post(LOGIN, {"username": "chi", "password": f"sai-{attempt}"})
        assert response.status_code == 200
    assert _events("auth.login_failed").count() == 4

    fifth = client.post(LOGIN, {"username": "chi", "password": "sai-5"})
    assert fifth.status_code == 429
    assert "15 phút" in fifth.content.decode()

    response = client.post(LOGIN, {"username": "chi", "password": PASSWORD})
    assert response.status_code == 429
    body = response.content.decode()
    assert "Tạm khoá đăng nhập" in body
    assert "quản trị viên" in body
    assert client.get("/").status_code == 302
    assert _events("auth.login").count() == 0
    assert _events("auth.login_failed").count() >= 5


def test_lockout_of_one_user_name_does_not_lock_another(client, chi, binh):
    for attempt in range(5):
        client.post(LOGIN, {"username": "chi", "password": f"sai-{attempt}"})
    response = client.post(LOGIN, {"username": "binh", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post_and_is_audited(client, chi):
    client.post(LOGIN, {"username": "chi", "password": PASSWORD})
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get("/").status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert _events("auth.logout").filter(actor=chi).count() == 1


def test_over_long_user_name_is_refused_without_a_query_for_it(client, chi):
    from axes.models import AccessAttempt

    response = client.post(LOGIN, {"username": "a" * 10_000, "password": PASSWORD})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert _events("auth.login").count() == 0
    # Refused by the form before authentication: no failed-login row anywhere (on PostgreSQL an
    # attempt row would not even fit axes' varchar(255)).
    assert _events("auth.login_failed").count() == 0 and AccessAttempt.objects.count() == 0


def test_over_long_password_is_refused(client, chi):
    response = client.post(LOGIN, {"username": "chi", "password": "x" * 10_000})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_non_utf8_login_body_is_not_a_server_error(client, chi):
    response = client.post(
        LOGIN,
        data=b"username=\xff\xfe\xc3&password=\x80\x81",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert _events("auth.login").count() == 0
    assert client.get("/").status_code == 302


def test_nul_character_in_user_name_is_refused(client, chi):
    response = client.post(LOGIN, {"username": "chi\x00", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_multipart_login_body_without_boundary_gives_the_vietnamese_400_page(client, chi):
    response = client.post(LOGIN, data=b"username=chi", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()
    assert client.get("/").status_code == 302


def test_truncated_multipart_login_body_is_a_form_error(client, chi):
    response = client.post(LOGIN, data=b"--x\r\nbroken", content_type="multipart/form-data; boundary=x")
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert client.get("/").status_code == 302


def test_login_redirects_only_to_local_next(client, chi):
    response = client.post(LOGIN + "?next=https://evil.example/", {"username": "chi", "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
