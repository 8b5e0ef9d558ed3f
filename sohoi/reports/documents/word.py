"""The year-end report as a .docx in the layout of Nghị định 30/2020/NĐ-CP (DOMAIN.md §7.2).

A4, margins 20/20/30/15 mm, Times New Roman 14; the letterhead is a borderless two-column table
(issuer left, national motto right, number and place-and-date below them); page numbers are
centred at the top from page 2 (a different first-page header with a PAGE field); the data
appendix is a landscape section.

python-docx builds the document and its sections; the paragraphs and tables are written as
WordprocessingML text, spliced into the document's XML and parsed once. Building a table cell by cell through python-docx costs
milliseconds per cell (each ``cell()`` walks the grid), and a province's appendix has a hundred
communes by fifteen columns.
"""

from __future__ import annotations

from os import PathLike
from typing import IO
from xml.sax.saxutils import escape

from .content import (
    BODY,
    NOTE,
    PART,
    PLACEHOLDER,
    SECTION,
    SIGNER_NAME_PLACEHOLDER,
    SUBSECTION,
    Paragraph,
    ReportDocument,
    Table,
)

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
APPENDIX_PT = 11
TWIPS_PER_MM = 1440 / 25.4
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _tw(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


# ---------- WordprocessingML fragments (element order as the schema wants it) ----------


def _run(text: str, *, bold: bool = False, italic: bool = False, size: float | None = None) -> str:
    props = ""
    if bold:
        props += "<w:b/><w:bCs/>"
    if italic:
        props += "<w:i/><w:iCs/>"
    if size:
        props += f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _para(
    runs: str = "",
    *,
    align: str = "center",
    before: float = 0,
    after: float = 0,
    line: float | None = None,
    first_line_mm: float = 0,
    left_mm: float = 0,
    right_mm: float = 0,
    keep_next: bool = False,
) -> str:
    ppr = ""
    if keep_next:
        ppr += "<w:keepNext/>"
    spacing = f'w:before="{round(before * 20)}" w:after="{round(after * 20)}"'
    spacing += (
        f' w:line="{round(line * 240)}" w:lineRule="auto"' if line else ' w:line="240" w:lineRule="auto"'
    )
    ppr += f"<w:spacing {spacing}/>"
    if first_line_mm or left_mm or right_mm:
        ppr += (
            f'<w:ind w:left="{_tw(left_mm)}" w:right="{_tw(right_mm)}" w:firstLine="{_tw(first_line_mm)}"/>'
        )
    ppr += f'<w:jc w:val="{ {"justify": "both"}.get(align, align) }"/>'
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


def _rule(width_mm: float, column_mm: float) -> str:
    """A short centred line under the line above (the issuer, the motto, the subject): the bottom
    border of an almost empty paragraph, narrowed by its indents."""
    side = _tw(max(0.0, (column_mm - width_mm) / 2))
    return (
        '<w:p><w:pPr><w:keepNext/><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:pBdr>'
        f'<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:left="{side}" w:right="{side}"/>'
        '<w:jc w:val="center"/><w:rPr><w:sz w:val="4"/><w:szCs w:val="4"/></w:rPr></w:pPr></w:p>'
    )


NO_BORDERS = (
    "<w:tblBorders>"
    + "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    + "</w:tblBorders>"
)
GRID_BORDERS = (
    "<w:tblBorders>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders>"
)


def _cell(
    content: str, width_tw: int, *, span: int = 1, vmerge: str | None = None, valign: str = "center"
) -> str:
    tcpr = f'<w:tcW w:w="{width_tw}" w:type="dxa"/>'
    if span > 1:
        tcpr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        tcpr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        tcpr += "<w:vMerge/>"
    tcpr += f'<w:vAlign w:val="{valign}"/>'
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{content or _para()}</w:tc>"


def _table(widths_mm: list[float], rows: list[str], *, borders: bool, header_rows: int = 0) -> str:
    widths = [_tw(w) for w in widths_mm]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    tblpr = (
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        + (GRID_BORDERS if borders else NO_BORDERS)
        + '<w:tblLayout w:type="fixed"/>'
        + '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        + '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/>'
    )
    body = "".join(
        f"<w:tr><w:trPr><w:cantSplit/>{'<w:tblHeader/>' if index < header_rows else ''}</w:trPr>{row}</w:tr>"
        for index, row in enumerate(rows)
    )
    return f"<w:tbl><w:tblPr>{tblpr}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"


def _data_table(table: Table, size: float) -> str:
    """A bordered table with its header row(s) repeated on each page."""
    widths = [c.width for c in table.columns]
    tw = [_tw(w) for w in widths]

    def text_cell(
        text: str, index: int, *, bold: bool = False, align: str = "center", **kwargs: object
    ) -> str:
        return _cell(
            _para(_run(text, bold=bold, size=size), align=align, before=1, after=1), tw[index], **kwargs
        )  # type: ignore[arg-type]

    rows: list[str] = []
    if table.groups:
        top, bottom, col = "", "", 0
        for label, span in table.groups:
            if span == 1 and not label:
                top += text_cell(table.columns[col].label, col, bold=True, vmerge="restart")
                bottom += _cell(_para(), tw[col], vmerge="continue")
            else:
                top += _cell(
                    _para(_run(label, bold=True, size=size), before=1, after=1),
                    sum(tw[col : col + span]),
                    span=span,
                )
                bottom += "".join(
                    text_cell(table.columns[c].label, c, bold=True) for c in range(col, col + span)
                )
            col += span
        rows += [top, bottom]
    else:
        rows.append("".join(text_cell(c.label, i, bold=True) for i, c in enumerate(table.columns)))
    header_rows = len(rows)
    aligns = [c.align for c in table.columns]
    for row in table.rows:
        rows.append(
            "".join(
                text_cell(text, i, bold=row.is_bold, align=aligns[i] if i < len(aligns) else "center")
                for i, text in enumerate(row.cells)
            )
        )
    return _table(widths, rows, borders=True, header_rows=header_rows)


def _paragraph(block: Paragraph) -> str:
    text = block.text
    if block.kind == PART:
        return _para(_run(text, bold=True), align="center", before=12, after=6, line=1.15, keep_next=True)
    if block.kind == SECTION:
        return _para(_run(text, bold=True), align="justify", before=6, after=6, line=1.15, first_line_mm=10,
                     keep_next=True)  # fmt: skip
    if block.kind == SUBSECTION:
        return _para(_run(text, bold=True, italic=True), align="justify", after=6, line=1.15, first_line_mm=10,
                     keep_next=True)  # fmt: skip
    if block.kind == PLACEHOLDER:
        return _para(_run(text, italic=True), align="justify", after=6, line=1.15, first_line_mm=10)
    if block.kind == NOTE:
        return _para(_run(text, italic=True, size=TABLE_PT), align="right", before=3, after=6)
    assert block.kind == BODY, block.kind
    return _para(_run(text), align="justify", after=6, line=1.15, first_line_mm=10)


def _blocks(blocks: list[Paragraph | Table], table_size: float) -> str:
    return "".join(_paragraph(b) if isinstance(b, Paragraph) else _data_table(b, table_size) for b in blocks)


# ---------- the parts of the report ----------

LEFT_MM, RIGHT_MM = 72.0, 93.0  # the letterhead's two columns (165 mm of text width)
PAGE_TEXT_MM = LEFT_MM + RIGHT_MM


def _letterhead(doc: ReportDocument) -> str:
    left = (
        _para(_run(doc.parent_body, size=12))
        + _para(_run(doc.issuer, bold=True, size=12))
        + _rule(24, LEFT_MM)
    )
    right = (
        _para(_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12))
        + _para(_run("Độc lập - Tự do - Hạnh phúc", bold=True, size=13))
        + _rule(60, RIGHT_MM)
    )
    number = _para(_run(doc.number, size=13), before=6)
    place_date = _para(_run(doc.place_date, italic=True, size=14), before=6)
    widths = [LEFT_MM, RIGHT_MM]
    rows = [
        _cell(left, _tw(LEFT_MM)) + _cell(right, _tw(RIGHT_MM)),
        _cell(number, _tw(LEFT_MM)) + _cell(place_date, _tw(RIGHT_MM)),
    ]
    return _table(widths, rows, borders=False)


def _title(doc: ReportDocument) -> str:
    return (
        _para(_run(doc.title, bold=True, size=14), before=18, keep_next=True)
        + _para(_run(doc.subject, bold=True, size=14), keep_next=True, line=1.15, left_mm=15, right_mm=15)
        + _rule(40, PAGE_TEXT_MM)
        + _para(after=6)
    )


def _signature_block(doc: ReportDocument) -> str:
    recipients = _para(_run("Nơi nhận:", bold=True, italic=True, size=12), align="left", before=6) + "".join(
        _para(_run(line, size=11), align="left") for line in doc.recipients
    )
    signature = doc.signature
    name = (
        _run(signature.name, bold=True, size=14) if signature.name
        else _run(SIGNER_NAME_PLACEHOLDER, italic=True, size=14)
    )  # fmt: skip
    signer = (
        _para(_run(signature.authority, bold=True, size=14), before=6)
        + _para(_run(signature.title, bold=True, size=14))
        + "".join(_para() for _ in range(4))  # room for the signature and the seal
        + _para(name)
    )
    widths = [LEFT_MM, RIGHT_MM]
    row = _cell(recipients, _tw(LEFT_MM), valign="top") + _cell(signer, _tw(RIGHT_MM), valign="top")
    return _table(widths, [row], borders=False)


def _appendix_head(doc: ReportDocument) -> str:
    return _para(_run(doc.appendix_title, bold=True, size=14), keep_next=True) + "".join(
        _para(
            _run(note, italic=True, size=13),
            after=3 if i < len(doc.appendix_notes) - 1 else 9,
            keep_next=True,
        )
        for i, note in enumerate(doc.appendix_notes)
    )


PAGE_FIELD = (
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    "<w:r><w:t>2</w:t></w:r>"
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
)


# ---------- assembling ----------


MARK = "SOHOI-CONTENT-{}"


def _mark(document: object, index: int) -> None:
    """A paragraph at the end of the body that :func:`_fill` replaces with content."""
    document.add_paragraph(MARK.format(index))  # type: ignore[attr-defined]


def _fill(document: object, contents: list[str]) -> None:
    """Put each content (a run of body-level elements as text) where its mark is, parsing the
    whole document once.

    Moving parsed elements into the document one by one costs lxml a namespace reconciliation
    per node (1.3 s for a province's tables); splicing the text and parsing it once costs 50 ms.
    """
    import re

    from docx.oxml import parse_xml
    from lxml import etree

    part = document.part  # type: ignore[attr-defined]
    skeleton = etree.tostring(part.element, encoding="unicode")
    # Find every mark in the skeleton first: a text of the report can never be taken for one.
    pieces, position = [], 0
    for index, content in enumerate(contents):
        mark = re.compile(r"<w:p>(?:(?!</w:p>).)*?" + re.escape(MARK.format(index)) + r".*?</w:p>", re.S)
        found = mark.search(skeleton, position)
        assert found is not None, f"mark {index} not found"
        pieces += [skeleton[position : found.start()], content]
        position = found.end()
    xml = "".join([*pieces, skeleton[position:]])
    part._element = parse_xml(xml)


def _set_fonts(document: object) -> None:
    """Times New Roman everywhere (the template's theme fonts removed), Vietnamese language."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    styles = document.styles.element  # type: ignore[attr-defined]
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    for xml in (
        f'<w:rFonts xmlns:w="{W_NS}" w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>',
        f'<w:sz xmlns:w="{W_NS}" w:val="{BODY_PT * 2}"/>',
        f'<w:szCs xmlns:w="{W_NS}" w:val="{BODY_PT * 2}"/>',
        f'<w:lang xmlns:w="{W_NS}" w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/>',
    ):
        rpr.append(parse_xml(xml))
    ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    ppr.append(parse_xml(f'<w:spacing xmlns:w="{W_NS}" w:after="0" w:line="240" w:lineRule="auto"/>'))
    normal = document.styles["Normal"]  # type: ignore[attr-defined]
    normal.font.name = FONT
    normal.font.size = None


def _page(section: object, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))  # type: ignore[attr-defined]
    section.top_margin = section.bottom_margin = Mm(20)  # type: ignore[attr-defined]
    section.left_margin, section.right_margin = Mm(30), Mm(15)  # type: ignore[attr-defined]
    section.header_distance = section.footer_distance = Mm(10)  # type: ignore[attr-defined]


def _page_numbers(section: object) -> None:
    """Numbers centred at the top from page 2: an empty first-page header, a PAGE field in the
    others."""
    from docx.oxml import parse_xml

    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    section.first_page_header.is_linked_to_previous = False  # type: ignore[attr-defined]
    header = section.header._element  # type: ignore[attr-defined]
    for child in list(header):
        header.remove(child)
    header.append(parse_xml(f'<w:p xmlns:w="{W_NS}"><w:pPr><w:jc w:val="center"/></w:pPr>{PAGE_FIELD}</w:p>'))


def write_docx(doc: ReportDocument, path: str | PathLike[str] | IO[bytes]) -> None:
    """Write ``doc`` as a .docx to ``path`` (a file name or a binary file object)."""
    from docx import Document
    from docx.enum.section import WD_SECTION

    document = Document()
    _set_fonts(document)
    properties = document.core_properties
    properties.title, properties.author, properties.language = doc.subject, doc.issuer, "vi-VN"
    properties.comments = ""
    # The template starts with one empty paragraph: keep the body to what we write.
    body = document.element.body
    for paragraph in body.findall(f"{{{W_NS}}}p"):
        body.remove(paragraph)

    section = document.sections[0]
    _page(section, landscape=False)
    _page_numbers(section)
    contents = [_letterhead(doc) + _title(doc) + _blocks(doc.body, TABLE_PT) + _signature_block(doc)]
    _mark(document, 0)
    if doc.appendix:
        appendix = document.add_section(WD_SECTION.NEW_PAGE)
        _page(appendix, landscape=True)
        appendix.different_first_page_header_footer = False
        # A paragraph closes the section: Word wants one after a table at the end of a body.
        contents.append(_appendix_head(doc) + _blocks(doc.appendix, APPENDIX_PT) + _para())
        _mark(document, 1)
    _fill(document, contents)
    document.save(path)
