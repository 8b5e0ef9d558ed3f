"""The .docx and the .xlsx open in LibreOffice: each is converted to PDF with ``soffice --headless``
(a profile of its own per test, so runs in parallel never share one) and the PDF's text is read
back. Skipped, with the reason, only where LibreOffice is not installed; CI installs it and sets
SOHOI_REQUIRE_LIBREOFFICE=1, so there a missing LibreOffice is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sohoi.reports.documents import Format

from .test_documents import YEAR, build, joint_units, make_report_world, pdf_text

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Calc is a package of its own (libreoffice-calc-nogui); without it an .xlsx has no PDF filter.
CALC = Path("/usr/lib/libreoffice/program/libsclo.so")


def _require(what: str, present: bool) -> None:
    if present:
        return
    if os.environ.get("SOHOI_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail(f"SOHOI_REQUIRE_LIBREOFFICE=1 but {what} is missing (apt-get install {what})")
    pytest.skip(f"{what} is not installed: apt-get install {what} to check the documents in LibreOffice")


@pytest.fixture
def report_world(tree):  # noqa: ANN001, ANN201
    return make_report_world(tree)


def to_pdf(source: Path, tmp_path: Path) -> Path:
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    target = tmp_path / "pdf" / (source.stem + ".pdf")
    assert target.is_file(), f"soffice made no PDF: {result.stdout} {result.stderr}"
    return target


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_docx_converts_to_a_pdf_that_reads_as_the_report(report_world, tmp_path):
    _require("libreoffice-writer-nogui", SOFFICE is not None)
    source = build(report_world.tree.A, tmp_path / "bao-cao.docx", Format.DOCX)
    pages, text = pdf_text(to_pdf(source, tmp_path))
    text = flat(text)
    assert pages >= 3  # the report, then the landscape appendix
    for expected in (
        "HỘI NCT TỈNH P", "HỘI NCT HUYỆN A", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Số: 15/BC-NCT", "An Phú, ngày 05 tháng 12 năm 2025", "BÁO CÁO",
        "Tổng kết công tác Hội năm 2025 và phương hướng, nhiệm vụ năm 2026",
        "PHẦN I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2025", "1. Đặc điểm tình hình", "3. Đánh giá chung",
        "PHẦN II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026", "PHẦN III. ĐỀ XUẤT, KIẾN NGHỊ",
        "Hội NCT huyện A có 6 hội viên, trong đó nữ 2 người (chiếm 33,3%)", "Tổ chức mừng thọ cho 120 hội viên.",
        "của Hội NCT huyện A./.", "TM. BAN CHẤP HÀNH", "CHỦ TỊCH", "Nguyễn Văn Chủ", "Nơi nhận:", "- Lưu: VT.",
        "BIỂU SỐ LIỆU", "Toàn Hội NCT huyện A", "Hội NCT xã A1",
    ):  # fmt: skip
        assert expected in text, expected
    # The page number appears from page 2 on, never on the first page.
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(tmp_path / "pdf" / "bao-cao.pdf"))
    try:
        first, second = (pdf[i].get_textpage().get_text_range().split() for i in (0, 1))
    finally:
        pdf.close()
    assert first[:3] == ["HỘI", "NCT", "TỈNH"]
    assert second[0] == "2"


def test_the_joint_docx_converts_to_a_pdf_with_a_part_per_association(report_world, tmp_path):
    _require("libreoffice-writer-nogui", SOFFICE is not None)
    units = joint_units(unit=report_world.tree.A1, year=YEAR, user=None)
    source = build(report_world.tree.A1, tmp_path / "chung.docx", Format.DOCX, joint=units)
    _pages, text = pdf_text(to_pdf(source, tmp_path))
    text = flat(text)
    assert "I. HỘI KHUYẾN HỌC XÃ AN PHÚ" in text and "II. HỘI NCT XÃ A1" in text


def test_the_xlsx_converts_to_a_pdf_with_its_tables(report_world, tmp_path):
    _require("libreoffice-calc-nogui", SOFFICE is not None and CALC.exists())
    source = build(report_world.tree.A, tmp_path / "bieu.xlsx", Format.XLSX)
    pages, text = pdf_text(to_pdf(source, tmp_path))
    text = flat(text)
    assert pages == 2  # each sheet one page wide; this one fits a page each
    for expected in (
        "BIỂU SỐ LIỆU TỔNG KẾT NĂM 2025", "Số liệu tính đến ngày 31/12/2025", "I. Hội viên", "Tổng số hội viên",
        "Hội viên từ trần", "V. Tập hợp hội viên", "Toàn Hội NCT huyện A", "Hội NCT xã A1", "Trang 1/2",
    ):  # fmt: skip
        assert expected in text, expected
