"""A ward cadre's day with the register, on the demo ``make run`` serves.

canbo.chanhlo (admin of Hội NCT phường Chánh Lộ, with the export right) opens the member list,
searches without accents, adds a member whose birth year needs a warning confirmed, imports an
Excel list (preview, then write), exports the list and imports it back unchanged, prints cards,
and a stranger checks a card's QR page. Every page passes axe-core and is photographed at phone
and desktop width (var/test-output/members-*.png).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WARD = "nct/quangngai/chanhlo"


def _list_file(path: Path) -> Path:
    """A classic ward list: title rows, STT, Họ và tên, Năm sinh under Nam | Nữ, CCCD, phone."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Danh sách")
    sheet.write(0, 0, "HỘI NGƯỜI CAO TUỔI PHƯỜNG CHÁNH LỘ")
    sheet.write(1, 0, "DANH SÁCH HỘI VIÊN NĂM 2026")
    sheet.write_row(3, 0, ["STT", "Họ và tên", "Năm sinh", "", "Số CCCD", "Số điện thoại", "Ngày vào Hội"])
    sheet.write_row(4, 0, ["", "", "Nam", "Nữ", "", "", ""])
    rows = [
        ["1", "Huỳnh Văn Trường", "1948", "", "051048001234", "0905 111 222", "12/03/2010"],
        ["2", "Phạm Thị Ngọc Ánh", "", "1952", "", "0935222333", "2012"],
        ["3", "Võ Đình Khiêm", "15/08/1950", "", "", "", "05/2015"],
    ]
    for index, row in enumerate(rows):
        sheet.write_row(5 + index, 0, row)
    sheet.write(10, 4, "Chánh Lộ, ngày 20 tháng 11 năm 2026")
    sheet.write(11, 4, "CHỦ TỊCH")
    workbook.close()
    return path


def test_ward_cadre_keeps_the_register_imports_exports_and_prints_cards(
    small_demo_site, demo_unit_path, log_in, page: Page, check_accessibility, screenshot, tmp_path
):
    site, ward = small_demo_site, demo_unit_path(WARD)
    page.goto(site + "/")
    log_in(page, "canbo.chanhlo")

    # The ward's page leads to its members.
    page.goto(site + ward)
    page.get_by_role("link", name=re.compile(r"^Hội viên")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hội viên")
    check_accessibility(page, "members-01-list")
    screenshot(page, "members-01-list")

    # A new member: the birth year puts her under 60 when she joined, so the age rule asks for
    # a reason and a confirmation; nothing is saved until both are given.
    page.get_by_role("link", name="Thêm hội viên").click()
    page.locator("#id_full_name").fill("Nguyễn Thị Hường")
    page.locator("#id_birth").fill("1968")
    page.get_by_label("Nữ").check()
    page.locator("#id_phone").fill("0905 123 456")
    page.locator("#id_joined").fill("01/06/2026")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("main")).to_contain_text("dưới 60 tuổi")
    check_accessibility(page, "members-02-add-warning")
    screenshot(page, "members-02-add-warning")
    page.locator("textarea[name=exception_reason], input[name=exception_reason]").fill(
        "Được giao công tác Hội ở tổ dân phố"
    )
    page.get_by_label("Tôi đã kiểm tra, vẫn lưu").check()
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Thị Hường")
    expect(page.locator("main")).to_contain_text("Vào hội")  # the timeline's first event
    check_accessibility(page, "members-03-member")
    screenshot(page, "members-03-member")

    # Search ignores accents and case: "nguyen thi huong" finds her in the list.
    page.goto(site + ward + "hoi-vien/")
    page.get_by_label("Tìm hội viên").fill("nguyen thi huong")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator("#member-results")).to_contain_text("Nguyễn Thị Hường")

    # Import an Excel list: the preview first, then the write.
    page.goto(site + ward + "hoi-vien/")
    page.get_by_role("link", name="Nhập từ Excel").click()
    page.get_by_label("Tệp danh sách hội viên").set_input_files(str(_list_file(tmp_path / "chanh-lo.xlsx")))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_role("button", name="Ghi vào sổ")).to_be_visible(timeout=30_000)
    expect(page.locator("main")).to_contain_text("Sẽ thêm mới")
    check_accessibility(page, "members-04-import-preview")
    screenshot(page, "members-04-import-preview")
    page.get_by_role("button", name="Ghi vào sổ").click()
    expect(page.locator("main")).to_contain_text("Đã ghi vào sổ.", timeout=30_000)
    check_accessibility(page, "members-05-import-done")
    screenshot(page, "members-05-import-done")
    page.goto(site + ward + "hoi-vien/?q=khiem")
    expect(page.locator("#member-results")).to_contain_text("Võ Đình Khiêm")

    # Export the list in the classic form; it reads back with every row and no error.
    page.goto(site + ward + "hoi-vien/")
    page.get_by_role("link", name="Xuất Excel").click()
    check_accessibility(page, "members-06-export")
    screenshot(page, "members-06-export")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Xuất ra Excel").click()
    exported = tmp_path / "xuat.xlsx"
    download_info.value.save_as(exported)
    from sohoi.imports.rows import parse_file

    parsed = [row for sheet in parse_file(exported) for row in sheet.rows]
    names = {row.full_name for row in parsed}
    assert {"Nguyễn Thị Hường", "Huỳnh Văn Trường", "Võ Đình Khiêm"} <= names
    assert not [row for row in parsed if row.has_errors]

    # Member cards: a PDF of the filtered list.
    page.goto(site + ward + "hoi-vien/?q=khiem")
    page.get_by_role("link", name="In thẻ").click()
    check_accessibility(page, "members-07-cards")
    screenshot(page, "members-07-cards")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Tạo tệp PDF").click()
    cards = tmp_path / "the.pdf"
    download_info.value.save_as(cards)
    assert cards.read_bytes()[:4] == b"%PDF"

    # Anyone scanning a card's QR code sees only the name, the unit and whether it is active.
    from django_scopes import scopes_disabled

    from sohoi.members.models import Membership

    with scopes_disabled():
        code = Membership.objects.get(person__full_name="Võ Đình Khiêm").code
    stranger = page.context.browser.new_page()
    stranger.goto(site + f"/xac-minh/{code}/")
    expect(stranger.locator("main")).to_contain_text("Võ Đình Khiêm")
    expect(stranger.locator("main")).to_contain_text("Đang sinh hoạt")
    expect(stranger.locator("main")).not_to_contain_text("1950")
    check_accessibility(stranger, "members-08-card-check")
    screenshot(stranger, "members-08-card-check")
    stranger.close()
