from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/tai-khoan/chu-lon/"


def test_large_text_switch_sets_a_cookie_and_returns_to_the_page(client):
    response = client.post(URL, {"large_text": "1", "next": "/tai-khoan/dang-nhap/"})
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/dang-nhap/"
    assert response.cookies["sohoi_large_text"].value == "1"
    body = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert 'class="large-text"' in body
    assert "Chữ cỡ thường" in body


def test_large_text_switch_off_removes_the_cookie(client):
    client.cookies["sohoi_large_text"] = "1"
    assert 'class="large-text"' in client.get("/tai-khoan/dang-nhap/").content.decode()
    client.post(URL, {"large_text": "0", "next": "/tai-khoan/dang-nhap/"})
    body = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert 'class="large-text"' not in body
    assert "Chữ to hơn" in body


def test_large_text_switch_never_redirects_off_site(client):
    response = client.post(URL, {"large_text": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_large_text_switch_is_post_only(client):
    assert client.get(URL).status_code == 405


def test_large_text_switch_works_for_a_logged_in_user(client_for, binh):
    client = client_for(binh)
    client.post(URL, {"large_text": "1", "next": "/"})
    assert 'class="large-text"' in client.get("/").content.decode()
