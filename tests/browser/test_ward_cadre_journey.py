"""A ward cadre's first visit, on the demo a person gets from ``make run``.

canbo.chanhlo (admin of Hội NCT phường Chánh Lộ) logs in through the form, opens the ward's
unit and one chi hội, and types the addresses of units that are not theirs: another province,
the province above, and another association of the same ward. Each must be the Vietnamese
not-found page. A commune cadre of Bắc Ninh expands a chi hội in the tree (the htmx toggle).
Every page passes axe-core and is photographed at phone and desktop width.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOT_FOUND_TITLE = "Không tìm thấy trang hoặc bạn không có quyền truy cập"
WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."


def test_ward_cadre_logs_in_browses_the_ward_and_gets_not_found_for_units_not_theirs(
    demo_site, demo_unit_path, log_in, page: Page, check_accessibility, screenshot
):
    unit_path = demo_unit_path
    # The site asks who you are first, in Vietnamese.
    response = page.goto(demo_site + "/")
    assert response is not None and response.status == 200
    assert re.search(r"/tai-khoan/dang-nhap/\?next=/$", page.url)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    check_accessibility(page, "cadre-01-login")
    screenshot(page, "cadre-01-login")

    # A mistyped password: told so in Vietnamese, still on the login page, the name kept.
    log_in(page, "canbo.chanhlo", "sai-mat-khau")
    expect(page.get_by_text(WRONG_LOGIN)).to_be_visible()
    assert "/tai-khoan/dang-nhap/" in page.url
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("canbo.chanhlo")
    expect(page.get_by_label("Mật khẩu")).to_have_value("")
    check_accessibility(page, "cadre-02-login-failed")
    screenshot(page, "cadre-02-login-failed")

    # The right password: the home page lists the one unit, with its association and area.
    log_in(page, "canbo.chanhlo")
    expect(page).to_have_url(demo_site + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    cards = page.locator("article.card")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card.get_by_role("heading", level=2)).to_have_text("Hội NCT phường Chánh Lộ")
    expect(card.locator("dd").nth(0)).to_have_text("Hội Người cao tuổi")
    expect(card.locator("dd").nth(2)).to_have_text("Phường Chánh Lộ")
    check_accessibility(page, "cadre-03-home")
    screenshot(page, "cadre-03-home")

    # The ward's unit: its eight chi hội, one per tổ dân phố, and the cadre's tools.
    card.get_by_role("link", name="Hội NCT phường Chánh Lộ").click()
    expect(page).to_have_url(demo_site + unit_path("nct/quangngai/chanhlo"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hội NCT phường Chánh Lộ")
    tree = page.locator("ul.tree").first
    expect(tree.locator(":scope > li")).to_have_count(8)
    expect(tree).to_contain_text("Chi hội tổ dân phố 1")
    expect(page.get_by_role("link", name="Thêm đơn vị trực thuộc")).to_be_visible()
    # The province above is shown by name, not as a link the cadre could not open.
    breadcrumbs = page.get_by_role("navigation", name="Vị trí trang")
    expect(breadcrumbs).to_contain_text("Hội NCT tỉnh Quảng Ngãi")
    expect(breadcrumbs.get_by_role("link", name="Hội NCT tỉnh Quảng Ngãi")).to_have_count(0)
    check_accessibility(page, "cadre-04-unit")
    screenshot(page, "cadre-04-unit")

    # One chi hội: its page, with the ward as the unit above, reachable by a link.
    tree.get_by_role("link", name="Chi hội tổ dân phố 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chi hội tổ dân phố 3")
    expect(page.locator("dl.meta")).to_contain_text("Chi hội")
    expect(page.locator("dl.meta").get_by_role("link", name="Hội NCT phường Chánh Lộ")).to_be_visible()
    expect(page.locator("dl.meta").get_by_role("link", name="Tổ dân phố 3")).to_be_visible()
    check_accessibility(page, "cadre-05-branch")
    screenshot(page, "cadre-05-branch")

    # Typed addresses of units that are not the cadre's: another province, the province above,
    # another association of the same ward. The same Vietnamese 404 for each, no name leaked.
    others = {
        "nct/bacninh": "Hội NCT tỉnh Bắc Ninh",
        "nct/quangngai": "Hội NCT tỉnh Quảng Ngãi",
        "khuyen-hoc/quangngai/chanhlo": "Hội Khuyến học phường Chánh Lộ",
    }
    for key, name in others.items():
        response = page.goto(demo_site + unit_path(key))
        assert response is not None and response.status == 404, key
        expect(page.get_by_role("heading", level=1)).to_have_text(NOT_FOUND_TITLE)
        expect(page.locator("main")).not_to_contain_text(name)
    expect(page.get_by_role("link", name="Về trang chủ")).to_be_visible()
    check_accessibility(page, "cadre-06-not-found")
    screenshot(page, "cadre-06-not-found")

    # An address that does not exist at all looks exactly the same.
    response = page.goto(demo_site + "/u/KHONGCOMA1/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_FOUND_TITLE)

    # Large text: one button in the footer, kept across pages, and undone the same way.
    page.goto(demo_site + unit_path("nct/quangngai/chanhlo"))
    assert font_size(page) == 18
    page.get_by_role("button", name="Chữ to hơn").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    expect(page).to_have_url(demo_site + unit_path("nct/quangngai/chanhlo"))
    assert font_size(page) == 22
    check_accessibility(page, "cadre-07-large-text")
    screenshot(page, "cadre-07-large-text")
    page.goto(demo_site + "/")
    assert font_size(page) == 22
    page.get_by_role("button", name="Chữ cỡ thường").click()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\blarge-text\b"))
    assert font_size(page) == 18

    # Keyboard: the first Tab reaches the skip link, which appears on focus and leads to the content.
    page.goto(demo_site + unit_path("nct/quangngai/chanhlo"))
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    assert not in_viewport(page, skip)
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    assert in_viewport(page, skip)
    check_accessibility(page, "cadre-08-skip-link")
    screenshot(page, "cadre-08-skip-link")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab continues inside the content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_commune_cadre_expands_a_chi_hoi_in_the_tree_and_cannot_open_the_next_commune(
    small_demo_site, demo_unit_path, log_in, page: Page, check_accessibility, screenshot
):
    unit_path = demo_unit_path
    page.goto(small_demo_site + "/")
    log_in(page, "xa.langgiang.admin")
    expect(page).to_have_url(small_demo_site + "/")
    page.get_by_role("link", name="Hội NCT xã Lạng Giang").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hội NCT xã Lạng Giang")

    # The chi hội that has tổ hội shows a toggle; its children are not in the page yet.
    toggle = page.get_by_role("button", name="Các đơn vị trực thuộc Chi hội tổ dân phố 1")
    expect(toggle).to_have_count(1)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    children = page.locator("#" + toggle.get_attribute("aria-controls"))
    expect(children).to_be_hidden()
    expect(page.get_by_role("link", name="Tổ hội số 1")).to_have_count(0)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if "/con/" in request.url else None)

    # Open: htmx fetches the tổ hội, the list shows, aria-expanded flips.
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(children).to_be_visible()
    expect(children.get_by_role("link", name="Tổ hội số 1")).to_be_visible()
    expect(children.get_by_role("link", name="Tổ hội số 2")).to_be_visible()
    check_accessibility(page, "tree-01-expanded")
    screenshot(page, "tree-01-expanded")

    # Close, and open again by keyboard: no second request is needed, the state follows.
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(children).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(children.get_by_role("link", name="Tổ hội số 1")).to_be_visible()
    assert len(fetched) == 1, fetched
    children.get_by_role("link", name="Tổ hội số 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổ hội số 2")
    check_accessibility(page, "tree-02-group")
    screenshot(page, "tree-02-group")

    # Another commune of the same province is not this cadre's: not found.
    response = page.goto(small_demo_site + unit_path("nct/bacninh/07399"))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(NOT_FOUND_TITLE)
    # Nor is the htmx fragment of its children.
    response = page.goto(small_demo_site + unit_path("nct/bacninh/07399") + "con/")
    assert response is not None and response.status == 404


def font_size(page: Page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


def in_viewport(page: Page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]
