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
        ({"member_number_pattern": "{so}"}, "Mẫu chỉ được dùng {seq} (có thể {seq:04d}) và {year}."),
        ({"member_number_pattern": "CGC-{year}"}, "Mẫu phải có {seq} và cho số không quá 30 ký tự."),
        ({"exception_min_age": "60"}, "Tuổi theo ngoại lệ phải nhỏ hơn tuổi tối thiểu."),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_adds_nothing(staff, client_for, change, message):
    before = Association.objects.count()
    response = client_for(staff).post(reverse("catalogue:association_create"), {**NEW, **change})
    assert response.status_code == 200 and message in response.content.decode()
    assert Association.objects.count() == before


def test_an_association_can_number_its_members_by_a_pattern(staff, client_for, tree):
    from datetime import date

    from sohoi.core.scoping import unit_scope
    from sohoi.imports.values import PartialDate
    from sohoi.members.person_data import PersonInput
    from sohoi.members.services import MembershipInput, member_admit

    client = client_for(staff)
    response = client.post(reverse("catalogue:association_create"),
                           {**NEW, "exception_min_age": "50", "member_number_pattern": "CGC{year}-{seq:03d}"})  # fmt: skip
    assert response.status_code == 302
    association = Association.objects.get(code="cuu-giao-chuc")
    assert association.membership_rule["member_number_pattern"] == "CGC{year}-{seq:03d}"
    assert (
        "Số hội viên tự cấp theo mẫu CGC{year}-{seq:03d} (ví dụ CGC2025-001)."
        in client.get(response.url).content.decode()
    )
    from sohoi.orgunits.services import orgunit_create_root

    root = orgunit_create_root(association=association, name="Hội CGC xã Thử", area=None, actor=None)
    numbers = []
    with unit_scope(root):
        for name in ("Lê Văn Một", "Lê Văn Hai"):
            membership, _w = member_admit(unit=root, person=PersonInput(full_name=name, birth=PartialDate(1950)),
                                          membership=MembershipInput(joined=PartialDate.from_date(date(2024, 5, 1))),
                                          actor=staff)  # fmt: skip
            numbers.append(membership.member_number)
    assert numbers == ["CGC2024-001", "CGC2024-002"]
