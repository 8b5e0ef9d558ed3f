from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import path

from conftest import PASSWORD
from sohoi.web.views import errors

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


# A tiny URLconf for driving the 500 handler through the real stack.
urlpatterns = [path("no/", _boom)]
handler500 = "sohoi.web.views.errors.server_error"


def _main(response) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không tìm thấy trang hoặc bạn không có quyền truy cập" in body
    assert '<html lang="vi"' in body


def test_404_for_a_logged_in_user_keeps_the_layout(client_for, binh):
    response = client_for(binh).get("/u/khongco/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không tìm thấy trang hoặc bạn không có quyền truy cập" in body
    assert "Đăng xuất" in body


def test_unit_of_another_branch_gives_the_same_404_as_a_missing_one(client_for, an, tree):
    client = client_for(an)
    missing = client.get("/u/khongco/nguoi-dung/")
    foreign = client.get(f"/u/{tree.A.code}/nguoi-dung/")
    assert missing.status_code == foreign.status_code == 404
    assert _main(missing) == _main(foreign)


def test_missing_permission_is_a_vietnamese_403(client_for, binh, tree):
    response = client_for(binh).get(f"/u/{tree.A.code}/nguoi-dung/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Bạn không có quyền thực hiện việc này" in body
    assert "Bạn không có quyền thực hiện thao tác này ở đơn vị này" in body


def test_unreadable_body_is_a_vietnamese_400(client):
    response = client.post("/tai-khoan/dang-nhap/", data=b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_500_page_is_self_contained_and_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Hệ thống đang gặp lỗi" in body
    assert "<style>" in body and "/static/" not in body


def test_an_exception_in_a_view_gives_the_vietnamese_500_page(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/no/")
    assert response.status_code == 500
    assert "Hệ thống đang gặp lỗi" in response.content.decode()


def test_csrf_failure_view_explains_in_vietnamese(settings, chi):
    settings.CSRF_FAILURE_VIEW = "sohoi.web.views.errors.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    response = client.post("/tai-khoan/dang-nhap/", {"username": "chi", "password": PASSWORD})
    assert response.status_code == 403
    assert "phiên làm việc đã hết hạn" in response.content.decode()
    assert client.get("/").status_code == 302
