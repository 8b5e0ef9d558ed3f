from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/tai-khoan/doi-mat-khau/"
NEW = "Mật-khẩu-mới-2027"


def test_password_change_needs_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_change_page_is_in_vietnamese(client_for, binh):
    body = client_for(binh).get(URL).content.decode()
    assert "Mật khẩu hiện tại" in body and "Nhập lại mật khẩu mới" in body


def test_password_is_changed_with_the_right_old_password(client_for, binh):
    client = client_for(binh)
    response = client.post(URL, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    binh.refresh_from_db()
    assert binh.check_password(NEW)
    # The session stays valid after the change.
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_wrong_old_password_changes_nothing(client_for, binh):
    response = client_for(binh).post(URL, {"old_password": "sai", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng" in response.content.decode()
    binh.refresh_from_db()
    assert binh.check_password(PASSWORD)


def test_mismatched_new_passwords_change_nothing(client_for, binh):
    response = client_for(binh).post(
        URL, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"}
    )
    assert "Hai lần nhập mật khẩu mới không giống nhau" in response.content.decode()
    binh.refresh_from_db()
    assert binh.check_password(PASSWORD)


def test_weak_new_password_is_refused(client_for, binh):
    response = client_for(binh).post(
        URL, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    binh.refresh_from_db()
    assert binh.check_password(PASSWORD)


def test_over_long_new_password_is_refused(client_for, binh):
    long = "Ab1-" * 2500
    response = client_for(binh).post(
        URL, {"old_password": PASSWORD, "new_password1": long, "new_password2": long}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    binh.refresh_from_db()
    assert binh.check_password(PASSWORD)


def test_non_utf8_body_changes_nothing(client_for, binh):
    response = client_for(binh).post(
        URL, data=b"old_password=\xff&new_password1=\xfe\xfe&new_password2=\xfe\xfe",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 200
    binh.refresh_from_db()
    assert binh.check_password(PASSWORD)
