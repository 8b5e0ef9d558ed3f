"""Browsing the administrative areas, and adding thôn / tổ dân phố where one may."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from sohoi.accounts.services import system_grant_area
from sohoi.core.models import AuditEvent
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme, AreaSuccession, OrgUnit


def root(code, name, scheme=AreaScheme.FROM_2025):
    return Area.objects.add_root(instance=Area(scheme=scheme, level=AreaLevel.PROVINCE, code=code, name=name))


def child(parent, code, name, level=AreaLevel.COMMUNE, division_type=""):
    return Area.objects.add_child(
        parent,
        instance=Area(parent=parent, scheme=parent.scheme, level=level, code=code, name=name,
                      division_type=division_type),
    )  # fmt: skip


@pytest.fixture
def areas(db):
    new_province = root("48", "Thành phố Đà Nẵng")
    root("91", "Tỉnh An Giang")
    hai_chau = child(new_province, "20194", "Phường Hải Châu", division_type="Phường")
    old_province = root("48", "Thành phố Đà Nẵng", AreaScheme.BEFORE_2025)
    old_district = child(old_province, "490", "Quận Hải Châu", AreaLevel.DISTRICT, "Quận")
    thach_thang = child(old_district, "20200", "Phường Thạch Thang", division_type="Phường")
    phuoc_ninh = child(old_district, "20203", "Phường Phước Ninh", division_type="Phường")
    AreaSuccession.objects.create(old_area=thach_thang, new_area=hai_chau)
    AreaSuccession.objects.create(old_area=phuoc_ninh, new_area=hai_chau, is_partial=True)
    return {
        "province": new_province,
        "hai_chau": hai_chau,
        "thach_thang": thach_thang,
        "old_district": old_district,
    }


@pytest.fixture
def a1_in_hai_chau(tree, areas):
    """A works in Đà Nẵng and A1 in phường Hải Châu, so chi (admin of A) may add tổ dân phố there."""
    with scopes_disabled():
        OrgUnit.unscoped.filter(pk=tree.A.pk).update(area=areas["province"])
        OrgUnit.unscoped.filter(pk=tree.A1.pk).update(area=areas["hai_chau"])
    return areas["hai_chau"]


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_browse_starts_with_the_2025_provinces_in_vietnamese_order(areas, binh, client_for):
    html = html_of(client_for(binh).get(reverse("catalogue:areas")))
    assert html.index("Thành phố Đà Nẵng") < html.index("Tỉnh An Giang")
    assert 'aria-current="page">Từ 1/7/2025 (2 cấp)</a>' in html
    # Provinces only: communes come with the toggle.
    assert "Phường Hải Châu" not in html
    assert 'hx-get="/dia-ban/2025/48/con/"' in html and 'aria-expanded="false"' in html


def test_an_unknown_scheme_falls_back_to_2025_and_pre2025_lists_the_old_provinces(areas, binh, client_for):
    client = client_for(binh)
    assert "Tỉnh An Giang" in html_of(client.get(reverse("catalogue:areas") + "?he=1975"))
    old = html_of(client.get(reverse("catalogue:areas") + "?he=pre2025"))
    assert "Tỉnh An Giang" not in old and 'hx-get="/dia-ban/pre2025/48/con/"' in old


def test_children_come_as_a_partial_to_htmx_and_as_a_page_otherwise(areas, binh, client_for):
    client = client_for(binh)
    url = reverse("catalogue:area_children", args=["pre2025", "490"])
    partial = html_of(client.get(url, headers={"HX-Request": "true"}))
    assert "<html" not in partial and "Phường Phước Ninh" in partial and "Phường Thạch Thang" in partial
    # An old ward names the ward it became, with the partial transfer marked.
    assert (
        "từ 1/7/2025:" in partial and 'href="/dia-ban/2025/20194/">Phường Hải Châu</a> (một phần)' in partial
    )
    full = html_of(client.get(url))
    assert "<html" in full and '<a href="/dia-ban/pre2025/48/">Thành phố Đà Nẵng</a>' in full


def test_a_new_ward_lists_the_old_wards_it_came_from(areas, binh, client_for):
    html = html_of(client_for(binh).get(reverse("catalogue:area", args=["2025", "20194"])))
    assert "Hình thành từ (trước 1/7/2025)" in html
    assert '<a href="/dia-ban/pre2025/20200/">Phường Thạch Thang</a>' in html
    assert '<a href="/dia-ban/pre2025/20203/">Phường Phước Ninh</a> (một phần)' in html


def test_an_old_ward_says_which_new_ward_it_belongs_to(areas, binh, client_for):
    html = html_of(client_for(binh).get(reverse("catalogue:area", args=["pre2025", "20200"])))
    assert (
        "Từ ngày 1/7/2025 thuộc về" in html and '<a href="/dia-ban/2025/20194/">Phường Hải Châu</a>' in html
    )


def test_an_unknown_area_or_scheme_is_404(areas, binh, client_for):
    client = client_for(binh)
    assert client.get(reverse("catalogue:area", args=["2025", "00000"])).status_code == 404
    assert client.get(reverse("catalogue:area", args=["1975", "48"])).status_code == 404
    assert client.get(reverse("catalogue:area_children", args=["2025", "20200"])).status_code == 404


def test_area_pages_need_a_login(areas, client):
    for url in (reverse("catalogue:areas"), reverse("catalogue:area", args=["2025", "48"])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_admin_of_a_unit_in_the_commune_adds_a_to_dan_pho(a1_in_hai_chau, chi, client_for):
    client = client_for(chi)
    page = html_of(client.get(reverse("catalogue:area", args=["2025", "20194"])))
    url = reverse("catalogue:hamlet_create", args=["2025", "20194"])
    assert f'href="{url}"' in page
    response = client.post(url, {"division_type": "Tổ dân phố", "name": "Tổ dân phố số 5"})
    assert response.status_code == 302 and response.url == reverse("catalogue:area", args=["2025", "20194"])
    hamlet = Area.objects.get(name="Tổ dân phố số 5")
    assert (hamlet.parent, hamlet.level, hamlet.code, hamlet.division_type) == (
        a1_in_hai_chau, AreaLevel.HAMLET, "20194-001", "Tổ dân phố",
    )  # fmt: skip
    assert AuditEvent.unscoped.filter(action="area.hamlet_created", actor=chi).exists()
    assert "Đã thêm “Tổ dân phố số 5”." in html_of(client.get(response.url))


def test_an_area_admin_above_the_commune_may_add_too(areas, staff, db, client_for):
    from sohoi.accounts.services import user_create

    cadre = user_create(username="canbo", full_name="Cán bộ", password="Mật-khẩu-thử-2026", actor=None,
                        unit=None, role="admin")  # fmt: skip
    system_grant_area(user=cadre, area=areas["province"], role="admin")
    response = client_for(cadre).post(reverse("catalogue:hamlet_create", args=["2025", "20194"]),
                                      {"division_type": "Thôn", "name": "Thôn Mới"})  # fmt: skip
    assert response.status_code == 302 and Area.objects.filter(name="Thôn Mới").exists()


@pytest.mark.parametrize("who", ["binh", "an", "dung"])
def test_others_get_404_on_the_add_page_and_add_nothing(a1_in_hai_chau, cast, client_for, who):
    # binh and dung are not admins; an is admin of B, whose units are elsewhere.
    before = Area.objects.count()
    client = client_for(cast[who])
    url = reverse("catalogue:hamlet_create", args=["2025", "20194"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"division_type": "Thôn", "name": "Thôn Lạ"}).status_code == 404
    assert f'href="{url}"' not in html_of(client.get(reverse("catalogue:area", args=["2025", "20194"])))
    assert Area.objects.count() == before


@pytest.mark.parametrize(
    "data, message",
    [
        ({"division_type": "Thôn", "name": "THÔN ĐÔNG"}, "“THÔN ĐÔNG” đã có trong Phường Hải Châu."),
        ({"division_type": "Thôn", "name": "x" * 121}, "Dài quá 120 ký tự (hiện có 121)."),
        ({"division_type": "Thôn", "name": "  "}, "Mục này không được để trống."),
        ({"division_type": "Quận", "name": "Thôn Tây"}, "Hãy chọn một lựa chọn hợp lệ."),
    ],
)
def test_bad_hamlets_are_refused_in_vietnamese_and_add_nothing(
    a1_in_hai_chau, chi, client_for, data, message
):
    client = client_for(chi)
    url = reverse("catalogue:hamlet_create", args=["2025", "20194"])
    assert client.post(url, {"division_type": "Thôn", "name": "Thôn Đông"}).status_code == 302
    before = Area.objects.count()
    response = client.post(url, data)
    assert message in html_of(response)
    assert Area.objects.count() == before


def test_a_hamlet_cannot_be_added_to_a_province(areas, staff, client_for):
    before = Area.objects.count()
    response = client_for(staff).post(reverse("catalogue:hamlet_create", args=["2025", "48"]),
                                      {"division_type": "Thôn", "name": "Thôn Lạ"})  # fmt: skip
    assert "Chỉ thêm thôn, tổ dân phố vào một xã, phường." in html_of(response)
    assert Area.objects.count() == before
