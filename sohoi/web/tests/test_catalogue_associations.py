"""The association catalogue: everyone signed in reads it, only a superuser adds to it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sohoi.core.models import AuditEvent
from sohoi.orgunits.models import Association

NEW = {
    "name": "Hội Cựu giáo chức",
    "short_name": "Hội CGC",
    "abbreviation": "CGC",
    "code": "cuu-giao-chuc",
    "min_age": "55",
    "note": "Nhà giáo đã nghỉ hưu.",
}


def test_the_list_shows_each_membership_rule_in_words(tree, binh, client_for):
    html = client_for(binh).get(reverse("catalogue:associations")).content.decode()
    assert "Hội Người cao tuổi" in html and "Hội Khuyến học" in html
    assert "Công dân từ đủ 60 tuổi." in html
    assert "Trường hợp đặc biệt: từ 55 đến dưới 60 tuổi có thể được kết nạp." in html
    assert "Không quy định tuổi tối thiểu." in html  # e.g. Hội Cựu chiến binh
    assert reverse("catalogue:association_create") not in html  # no "add" button for a non-superuser


def test_the_list_needs_a_login(client, db):
    response = client.get(reverse("catalogue:associations"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_superuser_adds_an_association(staff, client_for):
    client = client_for(staff)
    response = client.post(reverse("catalogue:association_create"), NEW)
    assert response.status_code == 302 and response.url == reverse("catalogue:associations")
    association = Association.objects.get(code="cuu-giao-chuc")
    assert association.membership_rule == {"min_age": 55, "note": "Nhà giáo đã nghỉ hưu."}
    assert AuditEvent.unscoped.filter(action="association.created", actor=staff).exists()
    html = client.get(response.url).content.decode()
    assert "Đã thêm “Hội Cựu giáo chức” vào danh mục." in html and "Công dân từ đủ 55 tuổi." in html


@pytest.mark.parametrize("who", ["chi", "binh", "an"])
def test_others_get_404_on_the_add_page_and_add_nothing(cast, client_for, who):
    before = Association.objects.count()
    client = client_for(cast[who])
    assert client.get(reverse("catalogue:association_create")).status_code == 404
    assert client.post(reverse("catalogue:association_create"), NEW).status_code == 404
    assert Association.objects.count() == before


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": "HỘI NGƯỜI CAO TUỔI"}, "Hội này đã có trong danh mục."),
        ({"code": "nct"}, "Hội này đã có trong danh mục."),
        ({"code": "Cựu giáo chức"}, "Mã chỉ gồm chữ thường không dấu, số và dấu gạch nối."),
        ({"name": "x" * 201}, "Dài quá 200 ký tự (hiện có 201)."),
        ({"min_age": "-1"}, "Tuổi không thể âm."),
        ({"min_age": "sáu mươi"}, "Hãy nhập một số tuổi."),
        ({"name": "   "}, "Mục này không được để trống."),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_adds_nothing(staff, client_for, change, message):
    before = Association.objects.count()
    response = client_for(staff).post(reverse("catalogue:association_create"), {**NEW, **change})
    assert response.status_code == 200 and message in response.content.decode()
    assert Association.objects.count() == before
