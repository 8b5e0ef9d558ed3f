"""The documents of the year-end report: the .docx (Nghị định 30/2020 layout), the PDF, the .xlsx,
the joint report of an area's associations, the background job and ``sohoi report``.

The world (``report_world``): district A has six members on 31/12/2025 (five in commune A1, one
kept at A itself), two admitted and one dead in 2025, five a year earlier; A1 sits in the commune
"Xã An Phú" with 10 people aged 60+; A has a target of 8 members for 2025 and one handed down by
P for 2026, and a written report (number 15, An Phú, 05/12/2025). Hội Khuyến học of An Phú, with
one member, shares A1's area (the joint report).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from sohoi.core.models import AuditEvent
from sohoi.core.scoping import unit_scope
from sohoi.members.models import FileJob, JobKind, JobStatus
from sohoi.members.services import member_record_death
from sohoi.members.tests.factories import admit
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme, Association, OrgUnit, UnitLevel
from sohoi.orgunits.services import orgunit_create, orgunit_create_root
from sohoi.reports.documents import Format, document_filename, write_document
from sohoi.reports.documents import formatting as fmt
from sohoi.reports.documents.content import (
    PLACEHOLDER,
    Column,
    Paragraph,
    ReportDocument,
    Signature,
    Table,
    TableRow,
    unit_document,
)
from sohoi.reports.documents.jobs import joint_units, report_job_start
from sohoi.reports.documents.word import write_docx
from sohoi.reports.services import YearReportInput, population_set, target_set, year_report_save

YEAR = 2025
TODAY = date(2026, 3, 1)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class ReportWorld:
    tree: Any
    area: Area
    kh_unit: OrgUnit


def _commune_area() -> Area:
    province = Area.objects.add_root(
        instance=Area(scheme=AreaScheme.FROM_2025, level=AreaLevel.PROVINCE, code="97", name="Tỉnh Thử")
    )
    province = Area.objects.get(pk=province.pk)
    return Area.objects.add_child(
        province,
        instance=Area(parent=province, scheme=AreaScheme.FROM_2025, level=AreaLevel.COMMUNE, code="97001",
                      name="Xã An Phú"),
    )  # fmt: skip


@pytest.fixture
def report_world(tree) -> ReportWorld:
    return make_report_world(tree)


def make_report_world(tree: Any) -> ReportWorld:
    """The world of these tests (the module docstring); the other test_documents_* modules use it too."""
    area = _commune_area()
    with scopes_disabled():
        OrgUnit.unscoped.filter(pk=tree.A1.pk).update(area=area)
        tree.A1 = OrgUnit.unscoped.select_related("area", "association").get(pk=tree.A1.pk)
    A, A1 = tree.A, tree.A1
    admit(A1, "Nguyễn Văn An", 1950, gender="male")
    admit(A1, "Trần Thị Bích", 1940, gender="female")
    cuc = admit(A1, "Lê Thị Cúc", 1930, gender="female")
    admit(A1, "Phạm Văn Dũng", 1920, gender="male")
    admit(A1, "Hoàng Thị Em", 1958, date(2025, 5, 1), gender="female")
    admit(A1, "Vũ Văn Hải", 1955, date(2025, 9, 1), gender="male")
    admit(A, "Đỗ Văn Giang", 1945, gender="male")
    with unit_scope(A1):
        member_record_death(membership=cuc, on=date(2025, 6, 1), actor=None)
        population_set(unit=A1, year=YEAR, aged_60_plus=10, actor=None)
    with unit_scope(A):
        target_set(unit=A, setter=A, year=YEAR, indicator="members", value="8", actor=None)
        year_report_save(
            unit=A, year=YEAR, version=None, actor=None,
            data=YearReportInput(
                number="15", place="An Phú", issued_on=date(2025, 12, 5),
                achievements="Tổ chức mừng thọ cho 120 hội viên.\nThăm hỏi 35 hội viên ốm đau.",
                directions="Phát triển hội viên ở các thôn còn ít hội viên.",
                recipients="Hội NCT tỉnh P (để b/c);\nLưu: VT.", signer_name="Nguyễn Văn Chủ",
            ),
        )  # fmt: skip
    with unit_scope(tree.P):
        target_set(unit=A, setter=tree.P, year=YEAR + 1, indicator="new_members", value="5", actor=None)

    kh = Association.objects.get(code="khuyen-hoc")
    kh_root = orgunit_create_root(association=kh, name="Hội Khuyến học Việt Nam", area=None, actor=None)
    kh_unit = orgunit_create(parent=kh_root, name="Hội Khuyến học xã An Phú", level=UnitLevel.COMMUNE, area=area,
                             actor=None)  # fmt: skip
    admit(kh_unit, "Ngô Thị Hoa", 1980, date(2020, 1, 1), gender="female")
    with scopes_disabled():
        for name in ("A", "A1", "P"):
            setattr(
                tree,
                name,
                OrgUnit.unscoped.select_related("area", "association").get(pk=getattr(tree, name).pk),
            )
        kh_unit = OrgUnit.unscoped.select_related("area", "association").get(pk=kh_unit.pk)
    return ReportWorld(tree=tree, area=area, kh_unit=kh_unit)


def build(unit: OrgUnit, path: Path, fmt_: Format, *, joint: list[OrgUnit] | None = None) -> Path:
    with unit_scope(joint or unit):
        write_document(fmt_=fmt_, unit=unit, year=YEAR, path=path, joint_units=joint, today=TODAY)
    return path


def docx_text(path: Path) -> list[str]:
    """The body paragraphs' text, in order (tables left out)."""
    from docx import Document

    return [p.text for p in Document(str(path)).paragraphs]


# ---------- formatting ----------


def test_numbers_are_written_the_vietnamese_way():
    from decimal import Decimal

    assert fmt.number(1114) == "1.114"
    assert fmt.number(1234567) == "1.234.567"
    assert fmt.number(Decimal("59.78"), 1) == "59,8"
    assert fmt.number(-1500) == "-1.500"
    assert fmt.number(None) == "–"


def test_the_place_and_date_line_takes_leading_zeros_for_small_days_and_the_first_two_months():
    assert fmt.place_and_date("Chánh Lộ", date(2024, 12, 5)) == "Chánh Lộ, ngày 05 tháng 12 năm 2024"
    assert fmt.place_and_date("Chánh Lộ", date(2025, 2, 3)) == "Chánh Lộ, ngày 03 tháng 02 năm 2025"
    assert fmt.place_and_date("Chánh Lộ", date(2025, 3, 21)) == "Chánh Lộ, ngày 21 tháng 3 năm 2025"


def test_the_document_number_gets_type_and_issuer_or_a_blank_to_fill_in():
    assert fmt.document_number("15", "NCT") == "Số: 15/BC-NCT"
    assert fmt.document_number("7", "NCT") == "Số: 07/BC-NCT"
    assert fmt.document_number("028-BC/NCT", "NCT") == "Số: 028-BC/NCT"
    assert fmt.document_number("", "NCT").startswith("Số:") and fmt.document_number("", "NCT").endswith(
        "/BC-NCT"
    )


def test_file_names_are_ascii(report_world):
    unit = report_world.tree.A1
    assert (
        document_filename(unit=unit, year=YEAR, fmt_=Format.DOCX)
        == "bao-cao-tong-ket-2025-hoi-nct-xa-a1.docx"
    )
    assert document_filename(unit=unit, year=YEAR, fmt_=Format.XLSX) == "bieu-so-lieu-2025-hoi-nct-xa-a1.xlsx"
    assert document_filename(unit=unit, year=YEAR, fmt_=Format.PDF, joint=True) == (
        "bao-cao-tong-ket-2025-cac-hoi-xa-an-phu.pdf"
    )


# ---------- the .docx ----------


def test_the_docx_has_the_nd30_letterhead(report_world, tmp_path):
    from docx import Document

    path = build(report_world.tree.A, tmp_path / "a.docx", Format.DOCX)
    document = Document(str(path))
    letterhead = document.tables[0]
    left, right = letterhead.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == ["HỘI NCT TỈNH P", "HỘI NCT HUYỆN A"]
    assert (
        not left.paragraphs[0].runs[0].bold and left.paragraphs[1].runs[0].bold
    )  # parent regular, issuer bold
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert all(p.runs[0].bold for p in right.paragraphs if p.text)
    # The short lines under the issuer and under the motto.
    assert left.paragraphs[2]._p.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None
    assert right.paragraphs[2]._p.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None
    number, place_date = letterhead.rows[1].cells
    assert number.text == "Số: 15/BC-NCT"
    assert place_date.text == "An Phú, ngày 05 tháng 12 năm 2025"
    assert place_date.paragraphs[0].runs[0].italic
    # Borderless.
    borders = letterhead._tbl.find(f"{W}tblPr/{W}tblBorders")
    assert {b.get(f"{W}val") for b in borders} == {"nil"}


def test_the_docx_page_is_a4_with_nd30_margins_and_times_new_roman(report_world, tmp_path):
    from docx import Document

    document = Document(str(build(report_world.tree.A, tmp_path / "a.docx", Format.DOCX)))
    first = document.sections[0]

    def mm(length: Any) -> float:
        return round(length.mm, 1)  # Word keeps twentieths of a point

    assert (mm(first.page_width), mm(first.page_height)) == (210, 297)
    assert [mm(m) for m in (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)] == [
        20, 20, 30, 15,
    ]  # fmt: skip
    defaults = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    fonts = defaults.find(f"{W}rFonts")
    assert fonts.get(f"{W}ascii") == fonts.get(f"{W}hAnsi") == "Times New Roman"
    assert defaults.find(f"{W}sz").get(f"{W}val") == "28"  # 14 pt


def test_the_docx_numbers_pages_at_the_top_from_page_two(report_world, tmp_path):
    from docx import Document

    document = Document(str(build(report_world.tree.A, tmp_path / "a.docx", Format.DOCX)))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    header = section.header._element
    assert "PAGE" in "".join(t.text for t in header.iter(f"{W}instrText"))
    assert [fc.get(f"{W}fldCharType") for fc in header.iter(f"{W}fldChar")] == ["begin", "separate", "end"]
    assert header.find(f"{W}p/{W}pPr/{W}jc").get(f"{W}val") == "center"
    assert not list(section.first_page_header._element.iter(f"{W}instrText"))
    # The landscape appendix keeps the numbers (no first-page exception, the header inherited).
    appendix = document.sections[1]
    assert appendix.page_width > appendix.page_height
    assert not appendix.different_first_page_header_footer
    assert appendix.header.is_linked_to_previous


def test_the_docx_has_the_title_the_sections_and_the_figures(report_world, tmp_path):
    lines = docx_text(build(report_world.tree.A, tmp_path / "a.docx", Format.DOCX))
    assert lines[:2] == ["BÁO CÁO", "Tổng kết công tác Hội năm 2025 và phương hướng, nhiệm vụ năm 2026"]
    headings = [
        "PHẦN I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2025",
        "1. Đặc điểm tình hình",
        "2. Kết quả thực hiện nhiệm vụ",
        "a) Xây dựng tổ chức Hội, phát triển hội viên",
        "b) Kết quả các mặt công tác khác",
        "3. Đánh giá chung",
        "a) Tồn tại, hạn chế",
        "b) Nguyên nhân",
        "c) Bài học kinh nghiệm",
        "PHẦN II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026",
        "1. Phương hướng, nhiệm vụ",
        "2. Các chỉ tiêu chủ yếu năm 2026",
        "PHẦN III. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    positions = [lines.index(h) for h in headings]
    assert positions == sorted(positions)
    assert (
        "Tính đến ngày 31/12/2025, Hội NCT huyện A có 6 hội viên, trong đó nữ 2 người (chiếm 33,3%); "
        "tuổi bình quân 80,3; tỷ lệ tập hợp người cao tuổi vào Hội đạt 60,0%."
    ) in lines
    assert (
        "Trong năm 2025 (từ ngày 01/01/2025 đến ngày 31/12/2025), kết nạp mới 2 hội viên; 1 hội viên từ trần; "
        "0 hội viên thôi sinh hoạt; chuyển đến 0, chuyển đi 0 hội viên."
    ) in lines
    assert any(line.startswith("Đến ngày 31/12/2025, tổng số hội viên là 6, tăng 1 hội viên so với cùng kỳ năm trước (5)")
               for line in lines)  # fmt: skip
    assert "Toàn Hội có 1 Hội cơ sở, 0 chi hội." in lines
    # What the unit wrote, one paragraph a line, and a clear line where it wrote nothing.
    assert "Tổ chức mừng thọ cho 120 hội viên." in lines and "Thăm hỏi 35 hội viên ốm đau." in lines
    assert "(Chưa nhập nội dung phần “Tồn tại, hạn chế”.)" in lines
    assert "(Chưa nhập nội dung phần “Đề xuất, kiến nghị”.)" in lines


def test_the_docx_tables_hold_targets_results_and_next_years_targets(report_world, tmp_path):
    from docx import Document

    document = Document(str(build(report_world.tree.A, tmp_path / "a.docx", Format.DOCX)))
    results = document.tables[1]
    header = [c.text for c in results.rows[0].cells]
    assert header[3:] == ["Năm 2024", "Kế hoạch năm 2025", "Thực hiện năm 2025", "% so với kế hoạch",
                          "Tăng, giảm so với năm 2024"]  # fmt: skip
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in results.rows[1:]}
    assert rows["Tổng số hội viên"][2:] == ["người", "5", "8", "6", "75,0", "+1"]
    assert rows["Kết nạp mới"][5] == "2" and rows["Hội viên từ trần"][5] == "1"
    assert rows["Tỷ lệ tập hợp"][5] == "60,0"
    assert results._tbl.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None  # repeated on each page

    targets = document.tables[2]
    assert [c.text for c in targets.rows[0].cells][3:5] == ["Thực hiện năm 2025", "Chỉ tiêu năm 2026"]
    assert [c.text for c in targets.rows[1].cells][1:] == [
        "Kết nạp mới",
        "người",
        "2",
        "5",
        "Hội NCT tỉnh P giao",
    ]


def test_the_docx_ends_with_the_end_mark_the_signature_and_the_recipients(report_world, tmp_path):
    from docx import Document

    document = Document(str(build(report_world.tree.A, tmp_path / "a.docx", Format.DOCX)))
    signature = document.tables[3]
    before_signature = []
    for element in document.element.body:
        if element is signature._tbl:
            break
        if element.tag == f"{W}p":
            before_signature.append("".join(t.text for t in element.iter(f"{W}t")))
    assert [text for text in before_signature if text][-1] == (
        "Trên đây là báo cáo tổng kết công tác Hội năm 2025 và phương hướng, nhiệm vụ năm 2026 "
        "của Hội NCT huyện A./."
    )
    recipients, signer = signature.rows[0].cells
    assert [p.text for p in recipients.paragraphs] == [
        "Nơi nhận:",
        "- Hội NCT tỉnh P (để b/c);",
        "- Lưu: VT.",
    ]
    label = recipients.paragraphs[0].runs[0]
    assert label.bold and label.italic and label.font.size.pt == 12
    assert recipients.paragraphs[1].runs[0].font.size.pt == 11
    texts = [p.text for p in signer.paragraphs if p.text]
    assert texts == ["TM. BAN CHẤP HÀNH", "CHỦ TỊCH", "Nguyễn Văn Chủ"]
    assert all(p.runs[0].bold for p in signer.paragraphs if p.text)


def test_an_empty_report_gets_the_default_signature_recipients_and_placeholders(report_world, tmp_path):
    from docx import Document

    document = Document(str(build(report_world.tree.A1, tmp_path / "a1.docx", Format.DOCX)))
    recipients, signer = document.tables[-2].rows[0].cells
    assert [p.text for p in recipients.paragraphs] == ["Nơi nhận:", "- Lưu: VT."]
    assert [p.text for p in signer.paragraphs if p.text] == [
        "TM. BAN CHẤP HÀNH",
        "CHỦ TỊCH",
        "(Họ và tên người ký)",
    ]
    lines = [p.text for p in document.paragraphs]
    assert "(Chưa nhập nội dung phần “Đặc điểm tình hình”.)" in lines
    assert "(Chưa đặt chỉ tiêu cho năm 2026.)" in lines
    assert document.tables[0].rows[1].cells[0].text.replace(" ", "") == "Số:/BC-NCT"


def test_the_docx_appendix_lists_the_unit_each_child_and_the_direct_members(report_world, tmp_path):
    from docx import Document

    document = Document(str(build(report_world.tree.A, tmp_path / "a.docx", Format.DOCX)))
    lines = [p.text for p in document.paragraphs]
    assert "BIỂU SỐ LIỆU" in lines and "Số liệu tính đến ngày 31/12/2025" in lines
    appendix = document.tables[-1]
    assert [c.text for c in appendix.rows[0].cells][:6] == ["TT", "Đơn vị", "Tổng số hội viên", "Giới tính",
                                                           "Giới tính", "Độ tuổi"]  # fmt: skip
    assert [c.text for c in appendix.rows[1].cells][3:6] == ["Nam", "Nữ", "Dưới 60"]
    rows = [[c.text for c in r.cells] for r in appendix.rows[2:]]
    assert [r[1] for r in rows] == [
        "Toàn Hội NCT huyện A",
        "Hội NCT xã A1",
        "Sinh hoạt trực tiếp tại Hội NCT huyện A",
    ]
    assert [r[2] for r in rows] == ["6", "5", "1"]
    assert rows[0][3:5] == ["4", "2"]  # male, female
    assert rows[0][-1] == "60,0"  # the gathering rate


def test_the_docx_of_a_province_with_a_hundred_communes_is_built_fast(tmp_path):
    """Tables are written as XML and parsed once: a 120-line table costs milliseconds, not seconds
    (python-docx cell by cell, or lxml moving parsed rows in, took 1.5 s here)."""
    columns = [
        Column("TT", 9),
        Column("Đơn vị", 60, "left"),
        *(Column(f"C{i}", 14, "right") for i in range(13)),
    ]
    rows = [TableRow([str(i), f"Hội NCT xã Số {i}", *(str(i * k) for k in range(13))]) for i in range(120)]
    doc = ReportDocument(
        year=YEAR, cut_off=date(2025, 12, 31), parent_body="HỘI NCT VIỆT NAM", issuer="HỘI NCT TỈNH P",
        number="Số: 01/BC-NCT", place_date="P, ngày 05 tháng 12 năm 2025", subject="Tổng kết",
        body=[Paragraph("Đoạn văn.", PLACEHOLDER) for _ in range(100)] + [Table(columns, rows)],
        signature=Signature("TM. BAN CHẤP HÀNH", "CHỦ TỊCH", ""), recipients=["- Lưu: VT."],
        appendix=[Table(columns, rows)],
    )  # fmt: skip
    started = time.perf_counter()
    write_docx(doc, tmp_path / "big.docx")
    assert time.perf_counter() - started < 2.5  # about 0.2 s on an idle machine

    from docx import Document

    assert len(Document(str(tmp_path / "big.docx")).tables[-1].rows) == 121


def test_narrative_control_characters_do_not_break_the_docx(report_world, tmp_path):
    with unit_scope(report_world.tree.A1):
        year_report_save(unit=report_world.tree.A1, year=YEAR, version=None, actor=None,
                         data=YearReportInput(situation="Dòng có ký tự lạ\x0b\x01 <b>&amp;</b>"))  # fmt: skip
    lines = docx_text(build(report_world.tree.A1, tmp_path / "a1.docx", Format.DOCX))
    assert "Dòng có ký tự lạ <b>&amp;</b>" in lines


# ---------- the joint report ----------


def test_the_joint_units_are_the_associations_of_the_area(report_world):
    t = report_world.tree
    units = joint_units(unit=t.A1, year=YEAR, user=None)
    assert [u.pk for u in units] == [report_world.kh_unit.pk, t.A1.pk]  # Khuyến học, then Người cao tuổi
    assert joint_units(unit=t.A, year=YEAR, user=None) == []  # A's area has no other association


def test_a_user_who_sees_one_association_gets_no_joint_report(report_world, chi):
    assert joint_units(unit=report_world.tree.A1, year=YEAR, user=chi) == []


def test_the_joint_report_has_one_part_per_association(report_world, tmp_path):
    t = report_world.tree
    units = joint_units(unit=t.A1, year=YEAR, user=None)
    lines = docx_text(build(t.A1, tmp_path / "joint.docx", Format.DOCX, joint=units))
    assert (
        lines[1] == "Tổng kết công tác các hội đặc thù Xã An Phú năm 2025 và phương hướng, nhiệm vụ năm 2026"
    )
    assert lines.index("I. HỘI KHUYẾN HỌC XÃ AN PHÚ") < lines.index("II. HỘI NCT XÃ A1")
    assert any(
        line.startswith("Tính đến ngày 31/12/2025, Hội Khuyến học xã An Phú có 1 hội viên") for line in lines
    )
    assert any(line.startswith("Tính đến ngày 31/12/2025, Hội NCT xã A1 có 5 hội viên") for line in lines)
    assert any(
        line.startswith("Trên địa bàn Xã An Phú có 2 hội đặc thù với tổng số 6 hội viên") for line in lines
    )
    assert (
        "Trên đây là báo cáo tổng kết công tác năm 2025 và phương hướng, nhiệm vụ năm 2026 của các hội đặc thù Xã An Phú./."
        in lines
    )


def test_the_joint_report_counts_every_association_to_the_issuers_day(report_world, tmp_path):
    """An association that saved its own cut-off day for its report is still counted, in the
    joint report, to the day of the one issuing it: one report, one day."""
    t = report_world.tree
    units = joint_units(unit=t.A1, year=YEAR, user=None)
    other = next(u for u in units if u.pk != t.A1.pk)
    with unit_scope(other):
        year_report_save(unit=other, year=YEAR, version=None, actor=None,
                         data=YearReportInput(cut_off=date(YEAR, 9, 30)))  # fmt: skip
    lines = docx_text(build(t.A1, tmp_path / "joint.docx", Format.DOCX, joint=units))
    assert any(line.startswith(f"Tính đến ngày 31/12/{YEAR}, {other.name} có") for line in lines)
    assert not any(f"30/09/{YEAR}" in line for line in lines)


# ---------- the PDF ----------


def pdf_text(path: Path) -> tuple[int, str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf), "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def test_the_pdf_says_what_the_docx_says_with_embedded_fonts(report_world, tmp_path):
    path = build(report_world.tree.A, tmp_path / "a.pdf", Format.PDF)
    pages, text = pdf_text(path)
    assert pages >= 2
    flat = " ".join(text.split())
    for expected in (
        "HỘI NCT HUYỆN A", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 15/BC-NCT",
        "An Phú, ngày 05 tháng 12 năm 2025", "BÁO CÁO", "PHẦN III. ĐỀ XUẤT, KIẾN NGHỊ", "TM. BAN CHẤP HÀNH",
        "Nguyễn Văn Chủ", "Nơi nhận:", "BIỂU SỐ LIỆU", "Hội NCT xã A1", "./.",
    ):  # fmt: skip
        assert expected in flat, expected
    fonts = pdf_fonts(path)
    assert fonts and all(embedded for _name, embedded in fonts)  # subsets of the serif, embedded
    assert any("ReportSerif-Bold" in name for name, _e in fonts)


def pdf_fonts(path: Path) -> set[tuple[str, bool]]:
    """(name, is embedded) of every font the text of the first page uses."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(path))
    found = set()
    try:
        for obj in pdf[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            name = ctypes.create_string_buffer(200)
            pdfium_c.FPDFFont_GetBaseFontName(font, name, 200)
            found.add((name.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    finally:
        pdf.close()
    return found


# ---------- the .xlsx ----------


def sheets(path: Path) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_the_xlsx_indicator_sheet_has_titles_groups_and_figures(report_world, tmp_path):
    book = sheets(build(report_world.tree.A, tmp_path / "a.xlsx", Format.XLSX))
    assert list(book) == ["Chỉ tiêu", "Đơn vị trực thuộc"]
    rows = book["Chỉ tiêu"]
    assert rows[0][0] == "HỘI NCT TỈNH P" and rows[1][0] == "HỘI NCT HUYỆN A"
    assert rows[3][0] == "BIỂU SỐ LIỆU TỔNG KẾT NĂM 2025"
    assert rows[5][0] == "Số liệu tính đến ngày 31/12/2025"
    assert rows[7] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch năm 2025", "Thực hiện năm 2025",
                       "% hoàn thành kế hoạch", "Cùng kỳ năm 2024", "Tăng, giảm so với năm 2024"]  # fmt: skip
    assert rows[8][0] == "I. Hội viên"
    by_label = {row[1]: row for row in rows[9:] if row[1]}
    assert by_label["Tổng số hội viên"][2:] == ["người", 8, 6, 75, 5, 1]
    assert by_label["Hội viên từ trần"][4] == 1 and by_label["Kết nạp mới"][4] == 2
    assert by_label["Tỷ lệ tập hợp"][4] == pytest.approx(60.0)
    assert by_label["Tuổi bình quân"][4] == pytest.approx(80.3)
    assert by_label["Hội viên nữ"][3] == ""  # no target: an empty cell, not a zero
    group_titles = [row[0] for row in rows[8:] if isinstance(row[0], str) and ". " in row[0]]
    assert group_titles == ["I. Hội viên", "II. Độ tuổi", "III. Biến động trong kỳ", "IV. Tổ chức",
                            "V. Tập hợp hội viên"]  # fmt: skip


def test_the_xlsx_children_sheet_sets_the_unit_beside_each_child(report_world, tmp_path):
    book = sheets(build(report_world.tree.A, tmp_path / "a.xlsx", Format.XLSX))
    rows = book["Đơn vị trực thuộc"]
    groups, labels = rows[7], rows[8]
    assert labels[2] == "Tổng số hội viên" and "Hội viên" in groups and "Độ tuổi" in groups
    members = labels.index("Tổng số hội viên")
    lines = {row[1]: row for row in rows[9:]}
    assert lines["Toàn Hội NCT huyện A"][members] == 6
    assert lines["Hội NCT xã A1"][members] == 5
    assert lines["Sinh hoạt trực tiếp tại Hội NCT huyện A"][members] == 1


def test_the_xlsx_is_set_up_for_printing(report_world, tmp_path):
    import zipfile

    path = build(report_world.tree.A, tmp_path / "a.xlsx", Format.XLSX)
    with zipfile.ZipFile(path) as archive:
        first = archive.read("xl/worksheets/sheet1.xml").decode()
        second = archive.read("xl/worksheets/sheet2.xml").decode()
        names = archive.read("xl/workbook.xml").decode()
    assert 'paperSize="9"' in first and 'orientation="portrait"' in first and 'fitToPage="1"' in first
    assert 'orientation="landscape"' in second and 'fitToHeight="0"' in second
    assert "_xlnm.Print_Titles" in names  # the header rows repeat on each page


def test_the_joint_xlsx_sets_the_associations_side_by_side(report_world, tmp_path):
    t = report_world.tree
    units = joint_units(unit=t.A1, year=YEAR, user=None)
    book = sheets(build(t.A1, tmp_path / "joint.xlsx", Format.XLSX, joint=units))
    assert list(book) == ["Các hội", "KH", "NCT"]
    lines = {row[1]: row for row in book["Các hội"][9:]}
    members = book["Các hội"][8].index("Tổng số hội viên")
    assert lines["Hội Khuyến học xã An Phú"][members] == 1
    assert lines["Hội NCT xã A1"][members] == 5


# ---------- the background job ----------


def test_a_report_job_makes_the_file_and_records_it(report_world, chi, django_capture_on_commit_callbacks):
    A = report_world.tree.A
    with unit_scope(A), django_capture_on_commit_callbacks(execute=True):
        job = report_job_start(unit=A, actor=chi, year=YEAR, fmt_=Format.DOCX)
    with scopes_disabled():
        job = FileJob.unscoped.get(pk=job.pk)
        assert job.kind == JobKind.REPORT and job.status == JobStatus.DONE and job.progress == 100
        assert AuditEvent.unscoped.filter(action="report.exported", actor=chi, org_unit=A).exists()
    from django.conf import settings

    path = Path(settings.MEDIA_ROOT) / job.output_path
    assert path.name == "bao-cao-tong-ket-2025-hoi-nct-huyen-a.docx"
    assert path.read_bytes()[:2] == b"PK"


# ---------- the command ----------


def test_the_report_command_writes_each_format(report_world, tmp_path):
    code = report_world.tree.A.code
    for fmt_ in Format:
        target = tmp_path / f"a.{fmt_.value}"
        out = io.StringIO()
        call_command(
            "report", "--unit", code, "--year", str(YEAR), "--format", fmt_.value, str(target), stdout=out
        )
        assert target.stat().st_size > 1000
        assert "Hội NCT huyện A" in out.getvalue()
    assert docx_text(tmp_path / "a.docx")[0] == "BÁO CÁO"
    with scopes_disabled():
        assert AuditEvent.unscoped.filter(action="report.exported", actor=None).count() == 3


def test_the_report_command_writes_the_joint_report(report_world, tmp_path):
    target = tmp_path / "joint.docx"
    call_command("report", "--unit", report_world.tree.A1.code, "--year", str(YEAR), "--format", "docx",
                 "--joint", str(target), stdout=io.StringIO())  # fmt: skip
    assert "I. HỘI KHUYẾN HỌC XÃ AN PHÚ" in docx_text(target)


@pytest.mark.parametrize(
    ("unit", "year", "path", "message"),
    [
        ("khong-co", "2025", "ok.docx", "Không tìm thấy đơn vị có mã “khong-co”."),
        ("A", "hai-nghin", "ok.docx", "Năm phải từ 1980 đến 2100."),
        ("A", "2025", "khong-co-thu-muc/ok.docx", "Không có thư mục"),
        ("A", "2025", "", "là một thư mục"),
    ],
)
def test_the_report_command_refuses_bad_input_with_exit_code_2(
    report_world, tmp_path, unit, year, path, message
):
    code = report_world.tree.A.code if unit == "A" else unit
    with pytest.raises(CommandError) as raised:
        call_command("report", "--unit", code, "--year", year, "--format", "docx", str(tmp_path / path),
                     stdout=io.StringIO())  # fmt: skip
    assert raised.value.returncode == 2
    assert message in str(raised.value)
    assert not (tmp_path / "ok.docx").exists()


def test_the_report_command_refuses_a_joint_report_without_other_associations(report_world, tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("report", "--unit", report_world.tree.A.code, "--year", str(YEAR), "--format", "pdf",
                     "--joint", str(tmp_path / "x.pdf"), stdout=io.StringIO())  # fmt: skip
    assert raised.value.returncode == 2 and "không có hội nào khác" in str(raised.value)


def test_the_unit_document_reads_only_inside_a_scope(report_world):
    from django_scopes.exceptions import ScopeError

    with pytest.raises(ScopeError):
        unit_document(unit=report_world.tree.A, year=YEAR, today=TODAY)


def test_a_failed_job_says_so_and_leaves_no_file(report_world, chi, monkeypatch):
    from sohoi.reports.documents import jobs

    A = report_world.tree.A
    with unit_scope(A):
        job = FileJob.objects.create(kind=JobKind.REPORT, org_unit=A, actor=chi, total=100,
                                     params={"year": YEAR, "format": "pdf", "units": []}, input_name="x.pdf")  # fmt: skip

        def broken(**kwargs: Any) -> None:
            Path(kwargs["path"]).write_bytes(b"half a file")
            raise RuntimeError("the font went missing")

        monkeypatch.setattr(jobs, "write_document", broken)
        with pytest.raises(RuntimeError):
            jobs.report_job_run(job)
        job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == "Không tạo được tệp báo cáo. Hãy thử lại sau."
    assert jobs.job_file(job) is None
    assert not list((jobs.job_directory(job)).iterdir())
    with scopes_disabled():
        assert not AuditEvent.unscoped.filter(action="report.exported").exists()


def test_the_report_command_prints_its_help():
    from sohoi.reports.management.commands.report import Command

    text = Command().create_parser("sohoi", "report").format_help()
    assert "Xuất báo cáo tổng kết năm" in text and "--format {docx,pdf,xlsx}" in text
