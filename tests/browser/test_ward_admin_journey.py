"""A commune admin founds and renames a chi hội; the ward's People's Committee sees every Hội.

On the demo: canbo.chanhlo (admin of Hội NCT phường Chánh Lộ) adds a chi hội through the form,
is told in Vietnamese what is wrong with an empty and a duplicate name, then renames the new
chi hội. ubnd.chanhlo, whose grant is on the ward's area rather than on a unit, finds the five
associations of phường Chánh Lộ side by side on the home page, sees the renamed chi hội, and
may not change anything. Every page passes axe-core and is photographed at phone and desktop width.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WARD_ASSOCIATIONS = {
    "Hội NCT phường Chánh Lộ": "Hội Người cao tuổi",
    "Hội Khuyến học phường Chánh Lộ": "Hội Khuyến học",
    "Hội NNCĐDC/Dioxin phường Chánh Lộ": "Hội Nạn nhân chất độc da cam/Dioxin",
    "Hội Cựu TNXP phường Chánh Lộ": "Hội Cựu Thanh niên xung phong",
    "Hội Tù yêu nước phường Chánh Lộ": "Hội Tù yêu nước",
}
NEW_NAME = "Chi hội khu dân cư Bàu Giang"
RENAMED = "Chi hội khu dân cư Bàu Giang – Nghĩa Lộ"


def test_admin_founds_and_renames_a_chi_hoi_and_the_peoples_committee_sees_the_ward_side_by_side(
    small_demo_site, demo_unit_path, log_in, page: Page, check_accessibility, screenshot
):
    site, ward = small_demo_site, demo_unit_path("nct/quangngai/chanhlo")
    page.goto(site + ward)
    log_in(page, "canbo.chanhlo")
    expect(page).to_have_url(site + ward)  # back where the login was asked for
    tree = page.locator("ul.tree").first
    expect(tree.locator(":scope > li")).to_have_count(8)
    expect(tree).not_to_contain_text(NEW_NAME)

    # The form to found a unit below the ward: the level a ward's unit usually gets is chosen.
    page.get_by_role("link", name="Thêm đơn vị trực thuộc").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thêm đơn vị trực thuộc Hội NCT phường Chánh Lộ"
    )
    expect(page.get_by_label("Cấp")).to_have_value("branch")
    check_accessibility(page, "admin-01-create")
    screenshot(page, "admin-01-create")

    # No name: refused in Vietnamese, nothing created.
    page.get_by_role("button", name="Thành lập đơn vị").click()
    expect(page.get_by_role("alert")).to_contain_text("Chưa thực hiện được")
    expect(page.get_by_text("Hãy nhập tên đơn vị.")).to_be_visible()
    check_accessibility(page, "admin-02-create-errors")
    screenshot(page, "admin-02-create-errors")

    # The name of an open sibling (typed in other case): refused, the typed values kept.
    page.get_by_label("Tên đơn vị").fill("chi hội tổ dân phố 1")
    quarter = page.get_by_label("Địa bàn").locator("option", has_text="Tổ dân phố 8")
    page.get_by_label("Địa bàn").select_option(value=quarter.get_attribute("value"))
    page.get_by_role("button", name="Thành lập đơn vị").click()
    expect(
        page.get_by_text("Đã có đơn vị tên “chi hội tổ dân phố 1” trong cùng đơn vị cấp trên.")
    ).to_be_visible()
    expect(page.get_by_label("Tên đơn vị")).to_have_value("chi hội tổ dân phố 1")

    # A good name: the new chi hội's page, with a confirmation.
    page.get_by_label("Tên đơn vị").fill(NEW_NAME)
    page.get_by_label("Ngày thành lập").fill("15/03/2026")
    page.get_by_role("button", name="Thành lập đơn vị").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_NAME)
    expect(page.get_by_role("status")).to_contain_text(f"Đã thành lập “{NEW_NAME}”.")
    meta = page.locator("dl.meta")
    expect(meta).to_contain_text("Chi hội")
    expect(meta).to_contain_text("15/03/2026")
    expect(meta.get_by_role("link", name="Tổ dân phố 8")).to_be_visible()
    new_unit_url = page.url
    check_accessibility(page, "admin-03-created")
    screenshot(page, "admin-03-created")

    # Rename it; the history keeps the old name.
    page.get_by_role("link", name="Đổi tên, địa bàn").click()
    expect(page.get_by_label("Tên đơn vị")).to_have_value(NEW_NAME)
    check_accessibility(page, "admin-04-edit")
    screenshot(page, "admin-04-edit")
    page.get_by_label("Tên đơn vị").fill(RENAMED)
    page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(new_unit_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(RENAMED)
    expect(page.get_by_role("status")).to_contain_text("Đã lưu thông tin đơn vị.")
    page.get_by_role("link", name="Lịch sử").click()
    expect(page.locator("main")).to_contain_text(f"Từ “{NEW_NAME}” thành “{RENAMED}”.")
    check_accessibility(page, "admin-05-history")
    screenshot(page, "admin-05-history")

    # The ward's tree now lists nine chi hội, the new one under its new name.
    page.goto(site + ward)
    expect(tree.locator(":scope > li")).to_have_count(9)
    expect(tree.get_by_role("link", name=RENAMED)).to_be_visible()

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("status")).to_contain_text("Bạn đã đăng xuất.")

    # The People's Committee: the five associations of the ward, each with its Hội and area.
    page.goto(site + "/")
    log_in(page, "ubnd.chanhlo")
    expect(page).to_have_url(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, UBND phường Chánh Lộ")
    cards = page.locator("article.card")
    expect(cards).to_have_count(5)
    for name, association in WARD_ASSOCIATIONS.items():
        card = cards.filter(has=page.get_by_role("heading", name=name, exact=True))
        expect(card).to_have_count(1)
        expect(card.locator("dd").nth(0)).to_have_text(association)
        expect(card.locator("dd").nth(2)).to_have_text("Phường Chánh Lộ")
    # Side by side on a desktop: the first two cards share a row.
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first is not None and second is not None
    assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"]
    check_accessibility(page, "ubnd-01-home")
    screenshot(page, "ubnd-01-home")

    # It reads the Hội NCT's tree, the renamed chi hội included, and may change nothing.
    cards.get_by_role("link", name="Hội NCT phường Chánh Lộ").click()
    expect(page).to_have_url(site + ward)
    expect(page.locator("ul.tree").first.get_by_role("link", name=RENAMED)).to_be_visible()
    expect(page.get_by_role("link", name="Thêm đơn vị trực thuộc")).to_have_count(0)
    expect(page.get_by_role("link", name="Đổi tên, địa bàn")).to_have_count(0)
    check_accessibility(page, "ubnd-02-unit")
    screenshot(page, "ubnd-02-unit")

    # Typing the address of the form anyway: refused, in Vietnamese, and nothing is founded.
    response = page.goto(site + ward + "them/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Bạn không có quyền thực hiện việc này")
    check_accessibility(page, "ubnd-03-forbidden")
    screenshot(page, "ubnd-03-forbidden")
    # Nor may it open a unit of another ward.
    response = page.goto(site + demo_unit_path("nct/bacninh/07375"))
    assert response is not None and response.status == 404
