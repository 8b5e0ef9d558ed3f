"""A ward cadre downloads the year-end report, on the demo ``make run`` serves.

canbo.chanhlo (admin of Hội NCT phường Chánh Lộ) opens the documents page of the current year,
makes the Word report and the PDF (each in the background, with its progress page), and
downloads both. The pages pass axe-core and are photographed (var/test-output/report-documents-*),
and so is the first page of the PDF, as a PNG.
"""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WARD = "nct/quangngai/chanhlo"


def _download(page: Page, link_name: str, target) -> bytes:  # noqa: ANN001
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name).click()
    download_info.value.save_as(target)
    return target.read_bytes()


def test_ward_cadre_downloads_the_year_end_report_as_word_and_pdf(
    small_demo_site, demo_unit_path, log_in, page: Page, check_accessibility, screenshot, output_dir, tmp_path
):
    site, ward = small_demo_site, demo_unit_path(WARD)
    year = timezone.localdate().year
    page.goto(site + "/")
    log_in(page, "canbo.chanhlo")

    page.goto(f"{site}{ward}bao-cao/{year}/tai-ve/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tải báo cáo năm {year}")
    check_accessibility(page, "report-documents-01-page")
    screenshot(page, "report-documents-01-page")

    # The Word report: made in the background, then downloaded from its job's page.
    page.get_by_role("button", name="Tạo tệp Word (.docx)").click()
    expect(page.locator("#job-status")).to_contain_text("Đã xong.")
    check_accessibility(page, "report-documents-02-job")
    screenshot(page, "report-documents-02-job")
    word = _download(page, "Tải tệp Word về", tmp_path / "bao-cao.docx")
    from docx import Document

    lines = [p.text for p in Document(io.BytesIO(word)).paragraphs]
    assert "BÁO CÁO" in lines and f"PHẦN I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM {year}" in lines
    assert any("Hội NCT phường Chánh Lộ có" in line for line in lines)

    # The PDF, from the documents page again.
    page.get_by_role("link", name="Tạo tệp khác").click()
    page.get_by_role("button", name="Tạo tệp PDF").click()
    expect(page.locator("#job-status")).to_contain_text("Đã xong.")
    pdf_path = tmp_path / "bao-cao.pdf"
    assert _download(page, "Tải tệp PDF về", pdf_path)[:5] == b"%PDF-"

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        first = pdf[0]
        text = " ".join(first.get_textpage().get_text_range().split())
        first.render(scale=2).to_pil().save(output_dir / "report-documents-03-pdf-page1.png")
    finally:
        pdf.close()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "HỘI NCT PHƯỜNG CHÁNH LỘ" in text
    assert (output_dir / "report-documents-03-pdf-page1.png").stat().st_size > 10_000

    # Both files are listed on the documents page for the next visit.
    page.goto(f"{site}{ward}bao-cao/{year}/tai-ve/")
    expect(page.locator("main")).to_contain_text("Các tệp bạn đã tạo gần đây")
    screenshot(page, "report-documents-04-page-with-files")
