"""A ward cadre's year-end report, on the demo ``make run`` serves.

canbo.chanhlo (admin of Hội NCT phường Chánh Lộ) opens the report of the year from the ward's
page, writes its narrative, sets the year's targets (a rate over 100 % is refused first) and hands
one down to the chi hội, enters the ward's population, and sees the report with its four charts,
on screen and as printed; the letterhead page previews the heading. Then the ward's People's
Committee (ubnd.chanhlo, an area grant) sees every association of the ward side by side. Every
page passes axe-core and is photographed at phone and desktop width (var/test-output/reports-*.png).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WARD = "nct/quangngai/chanhlo"


def test_ward_cadre_writes_the_year_report_and_sees_its_charts(
    small_demo_site, demo_unit_path, log_in, page: Page, check_accessibility, screenshot
):
    site, ward = small_demo_site, demo_unit_path(WARD)
    page.goto(site + "/")
    log_in(page, "canbo.chanhlo")

    # The ward's page leads to the report of the current year.
    page.goto(site + ward)
    page.get_by_role("link", name="Báo cáo, thống kê").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo năm")
    year = re.search(r"/bao-cao/(\d{4})/", page.url).group(1)
    report_url = page.url
    expect(page.locator("svg[role='img']")).to_have_count(4)
    check_accessibility(page, "reports-01-report-new")
    screenshot(page, "reports-01-report-new")

    # The narrative of the year.
    page.get_by_role("link", name="Soạn nội dung báo cáo").click()
    page.locator("#id_number").fill("15/BC-NCT")
    page.locator("#id_place").fill("Chánh Lộ")
    page.locator("#id_issued_on").fill(f"05/12/{year}")
    page.locator("#id_situation").fill("Phường có 5 tổ dân phố; người cao tuổi chiếm 14 % dân số.")
    page.locator("#id_achievements").fill(
        "Kết nạp hội viên mới ở cả 5 chi hội.\n\nTổ chức mừng thọ cho các cụ tròn 70, 75, 80 tuổi."
    )
    page.locator("#id_shortcomings").fill("Một số chi hội sinh hoạt chưa đều.")
    page.locator("#id_directions").fill("Phấn đấu tỷ lệ tập hợp trên 95 %.")
    page.locator("#id_signer_authority").fill("TM. BAN CHẤP HÀNH")
    page.locator("#id_signer_title").fill("CHỦ TỊCH")
    page.locator("#id_signer_name").fill("Nguyễn Văn Bảy")
    check_accessibility(page, "reports-02-narrative")
    screenshot(page, "reports-02-narrative")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("main")).to_contain_text(f"Đã lưu nội dung báo cáo năm {year}.")
    expect(page.locator("main")).to_contain_text("Nội dung báo cáo đã soạn")

    # Targets: a rate over 100 % is refused and nothing is saved; then the right figures.
    page.get_by_role("link", name="Chỉ tiêu", exact=True).click()
    page.locator("#id_members").fill("1.500")
    page.locator("#id_new_members").fill("40")
    page.locator("#id_gathering_rate").fill("120")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    expect(page.locator("main")).to_contain_text("Tỷ lệ không được quá 100 %.")
    check_accessibility(page, "reports-03-targets-refused")
    screenshot(page, "reports-03-targets-refused")
    page.locator("#id_gathering_rate").fill("95,5")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    expect(page.locator("main")).to_contain_text(f"Đã lưu chỉ tiêu năm {year}")

    # Hand the new members' target down to the chi hội.
    page.goto(report_url.replace(f"/bao-cao/{year}/", f"/bao-cao/{year}/chi-tieu/"))
    page.get_by_role("link", name="Giao “Kết nạp mới” cho đơn vị trực thuộc").click()
    boxes = page.locator("input[name^='don-vi-']")
    expect(boxes.first).to_be_visible()
    for index in range(boxes.count()):
        boxes.nth(index).fill("8")
    check_accessibility(page, "reports-04-hand-down")
    screenshot(page, "reports-04-hand-down")
    page.get_by_role("button", name="Giao chỉ tiêu").click()
    expect(page.locator("main")).to_contain_text("Đã giao chỉ tiêu “Kết nạp mới”")
    expect(page.locator("main")).to_contain_text("Tổng đã giao")

    # The ward's population: the denominator of the gathering rate.
    page.goto(report_url)
    page.get_by_role("link", name="Dân số địa bàn").click()
    expect(page.locator("main")).to_contain_text("Chánh Lộ")
    page.locator("#id_aged_60_plus").fill("hai nghìn")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("main")).to_contain_text("không phải là một số")
    page.locator("#id_aged_60_plus").fill("1.850")
    page.locator("#id_total").fill("13.200")
    page.locator("#id_source").fill(f"UBND phường Chánh Lộ, tháng 11/{year}")
    check_accessibility(page, "reports-05-population")
    screenshot(page, "reports-05-population")
    page.get_by_role("button", name="Lưu").click()

    # The report: the figures, the targets beside them, and the four charts.
    expect(page).to_have_url(report_url)
    main = page.locator("main")
    expect(main).to_contain_text(f"Đã lưu dân số năm {year}")
    expect(page.locator("svg[role='img']")).to_have_count(4)
    for title in ("Số hội viên qua các năm", "Tháp tuổi hội viên", "Tỷ lệ tập hợp hội viên theo đơn vị",
                  f"Tiến độ thực hiện chỉ tiêu năm {year}"):  # fmt: skip
        expect(page.locator("svg title", has_text=title)).to_have_count(1)
    gathering = page.locator(
        "#chi-tieu tr", has=page.get_by_role("rowheader", name="Tỷ lệ tập hợp", exact=True)
    )
    expect(gathering).to_contain_text("95,5\u00a0%")  # the target
    expect(gathering).to_contain_text("%")
    expect(page.locator("#don-vi")).to_contain_text("Chi hội tổ dân phố")
    check_accessibility(page, "reports-06-report")
    screenshot(page, "reports-06-report")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("svg[role='img']").first).to_be_visible()
    screenshot(page, "reports-07-report-print")
    page.emulate_media(media="screen")

    # The letterhead of the ward's documents, previewed.
    page.get_by_role("link", name="Tiêu đề văn bản").click()
    expect(page.locator(".letterhead-sample")).to_contain_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    page.locator("#id_issuer").fill("BCH HỘI NCT PHƯỜNG CHÁNH LỘ")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".letterhead-sample")).to_contain_text("BCH HỘI NCT PHƯỜNG CHÁNH LỘ")
    check_accessibility(page, "reports-08-letterhead")
    screenshot(page, "reports-08-letterhead")

    # The ward's People's Committee sees every association of the ward side by side.
    committee = page.context.browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    other = committee.new_page()
    other.goto(site + "/")
    log_in(other, "ubnd.chanhlo")
    other.goto(report_url)
    expect(other.get_by_role("link", name="Soạn nội dung báo cáo")).to_have_count(0)  # a viewer
    other.get_by_role("link", name="Các hội trên địa bàn").click()
    expect(other.get_by_role("heading", level=1)).to_contain_text("Các hội trên địa bàn")
    headers = other.locator("thead th a")
    expect(headers).to_have_count(5)  # the five special associations of Chánh Lộ
    expect(other.locator("main")).to_contain_text("Số người là hội viên của ít nhất một hội")
    check_accessibility(other, "reports-09-area")
    screenshot(other, "reports-09-area")
    committee.close()
