from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import PASSWORD
from sohoi.core.audit import audit
from sohoi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN_LOG = "/tai-khoan/nhat-ky-dang-nhap/"


def audit_url(unit):
    return reverse("accounts:audit", args=[unit.code])


def test_admin_sees_the_subtree_log_newest_first_with_vietnamese_labels(client_for, chi, tree):
    audit(action="unit.updated", actor=chi, unit=tree.A1)
    audit(action="unit.moved", actor=chi, unit=tree.A)
    audit(action="unit.updated", actor=None, unit=tree.B)
    response = client_for(chi).get(audit_url(tree.A))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chuyển đơn vị sang cấp trên khác" in body
    assert "Sửa thông tin đơn vị" in body
    assert "Tạo người dùng" in body  # chi's own creation at A
    assert body.index("Chuyển đơn vị sang cấp trên khác") < body.index("Sửa thông tin đơn vị")
    # B's event is not A's: the only 'Sửa thông tin' row is A1's.
    assert body.count("Sửa thông tin đơn vị") == 1
    assert "Hội NCT huyện B" not in body


def test_log_without_unit_events_like_logins_is_not_in_a_units_log(client, client_for, chi, tree):
    client.post("/tai-khoan/dang-nhap/", {"username": "chi", "password": "sai"})
    body = client_for(chi).get(audit_url(tree.A)).content.decode()
    assert "Đăng nhập sai" not in body


def test_log_is_paged_by_fifty_with_a_keyset_cursor(client_for, chi, tree):
    for i in range(120):
        audit(action="unit.updated", actor=chi, unit=tree.A1, name=f"sự-kiện-{i:03d}")
    client = client_for(chi)
    with_unit = AuditEvent.unscoped.filter(org_unit__in=[tree.A, tree.A1]).count()
    seen: list[str] = []
    first = client.get(audit_url(tree.A)).content.decode()
    assert "sự-kiện-119" in first and "sự-kiện-070" in first
    assert "sự-kiện-069" not in first
    url = audit_url(tree.A)
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        rows = body.count("<tr>") - 1
        assert rows <= 50
        seen.extend(f"sự-kiện-{i:03d}" for i in range(120) if f"sự-kiện-{i:03d}" in body)
        pages += 1
        marker = 'href="?sau='
        url = audit_url(tree.A) + "?sau=" + body.split(marker)[1].split('"')[0] if marker in body else None
    assert pages == (with_unit + 49) // 50
    assert len(seen) == len(set(seen)) == 120


def test_malformed_cursor_shows_the_first_page(client_for, chi, tree):
    for value in ("abc", "1_2_3", "9" * 100, "-1_-1", "99999999999999999999_1"):
        response = client_for(chi).get(audit_url(tree.A), {"sau": value})
        assert response.status_code == 200


def test_viewer_gets_403_on_the_audit_page(client_for, binh, tree):
    assert client_for(binh).get(audit_url(tree.A)).status_code == 403


def test_admin_of_sibling_gets_404_on_the_audit_page(client_for, an, tree):
    response = client_for(an).get(audit_url(tree.A))
    assert response.status_code == 404
    assert "Không tìm thấy trang hoặc bạn không có quyền truy cập" in response.content.decode()


def test_audit_page_query_count_does_not_grow_with_rows(client_for, chi, tree, django_assert_num_queries):
    client = client_for(chi)
    client.get(audit_url(tree.A))
    # session, user, unit, perms_for, events (with actor and unit joined).
    with django_assert_num_queries(5):
        client.get(audit_url(tree.A))
    for _ in range(30):
        audit(action="unit.updated", actor=chi, unit=tree.A1)
    with django_assert_num_queries(5):
        client.get(audit_url(tree.A))


def test_superuser_sees_site_wide_logins(client, client_for, staff, chi, an):
    client.post("/tai-khoan/dang-nhap/", {"username": "chi", "password": "sai"})
    client.post("/tai-khoan/dang-nhap/", {"username": "an", "password": PASSWORD})
    response = client_for(staff).get(LOGIN_LOG)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đăng nhập sai" in body
    assert ">An<" in body
    assert "unit.updated" not in body


def test_login_log_is_404_for_everyone_else(client_for, chi, binh):
    for user in (chi, binh):
        response = client_for(user).get(LOGIN_LOG)
        assert response.status_code == 404


def test_login_log_needs_login(client):
    response = client.get(LOGIN_LOG)
    assert response.status_code == 302
