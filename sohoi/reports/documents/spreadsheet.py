"""The statistical tables of the year as an .xlsx formatted for printing (xlsxwriter).

Sheet "Chỉ tiêu": the unit's indicator table grouped by indicator group (target, result, % done,
last year, change). Sheet "Đơn vị trực thuộc": the unit and each child side by side, one column
per indicator. A joint workbook of an area's associations has the side-by-side sheet of the
associations first, then one indicator sheet per association.

Every sheet is A4 with title rows (issuer, unit, year, "Số liệu tính đến ngày dd/mm/yyyy"), its
header rows repeated on every printed page, fitted to the page width, landscape when wide.
Figures are written as numbers (a rate as 91.2 with one decimal), so the cells still add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from os import PathLike
from typing import IO, Any

from .. import indicators as registry
from ..indicators import Number, Unit, UnitFigures
from ..selectors import LetterheadLines, UnitReport
from . import formatting as fmt

SHEET_INDICATORS = "Chỉ tiêu"
SHEET_CHILDREN = "Đơn vị trực thuộc"
SHEET_ASSOCIATIONS = "Các hội"
BASE = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
A4 = 9


@dataclass
class SheetTitle:
    letterhead: LetterheadLines
    heading: str  # "BIỂU SỐ LIỆU TỔNG KẾT NĂM 2024"
    subheading: str  # the unit's (or area's) name
    as_of_line: str  # "Số liệu tính đến ngày 31/12/2024"


class _Formats:
    def __init__(self, book: Any) -> None:
        add = book.add_format
        self.parent = add({**BASE})
        self.issuer = add({**BASE, "bold": True})
        self.heading = add({**BASE, "bold": True, "font_size": 14, "align": "center"})
        self.subheading = add({**BASE, "bold": True, "align": "center"})
        self.as_of = add({**BASE, "italic": True, "align": "center"})
        self.header = add(
            {**BASE, "bold": True, "align": "center", "border": 1, "text_wrap": True, "bg_color": "#EEEEEE"}
        )
        self.group = add({**BASE, "bold": True, "border": 1})
        self.text = add({**BASE, "border": 1, "text_wrap": True})
        self.text_bold = add({**BASE, "border": 1, "text_wrap": True, "bold": True})
        self.centre = add({**BASE, "border": 1, "align": "center"})
        self.integer = add({**BASE, "border": 1, "num_format": "#,##0"})
        self.integer_bold = add({**BASE, "border": 1, "num_format": "#,##0", "bold": True})
        self.decimal = add({**BASE, "border": 1, "num_format": "0.0"})
        self.decimal_bold = add({**BASE, "border": 1, "num_format": "0.0", "bold": True})
        self.change_integer = add({**BASE, "border": 1, "num_format": "+#,##0;-#,##0;0"})
        self.change_decimal = add({**BASE, "border": 1, "num_format": "+0.0;-0.0;0.0"})
        self.empty = add({**BASE, "border": 1})

    def number(self, indicator: registry.Indicator, *, bold: bool = False) -> Any:
        if indicator.unit in (Unit.PERCENT, Unit.YEARS):
            return self.decimal_bold if bold else self.decimal
        return self.integer_bold if bold else self.integer


def _number(value: Number | Decimal) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent >= 0
            else float(value)
        )
    return value


def _write_number(
    sheet: Any, row: int, col: int, value: Number | Decimal, cell_format: Any, empty: Any
) -> None:
    number = _number(value)
    if number is None:
        sheet.write_blank(row, col, None, empty)
    else:
        sheet.write_number(row, col, number, cell_format)


def _title_rows(sheet: Any, formats: _Formats, title: SheetTitle, last_col: int) -> int:
    """The title block; returns the first free row."""
    sheet.write(0, 0, title.letterhead.parent_body, formats.parent)
    sheet.write(1, 0, title.letterhead.issuer, formats.issuer)
    sheet.merge_range(3, 0, 3, last_col, title.heading, formats.heading)
    sheet.merge_range(4, 0, 4, last_col, title.subheading, formats.subheading)
    sheet.merge_range(5, 0, 5, last_col, title.as_of_line, formats.as_of)
    return 7


def _print_setup(sheet: Any, *, header_first: int, header_last: int, landscape: bool) -> None:
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.repeat_rows(header_first, header_last)
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    sheet.set_footer("&CTrang &P/&N")


def indicator_sheet(book: Any, formats: _Formats, name: str, report: UnitReport, title: SheetTitle) -> None:
    """The unit's indicators grouped by group: target, result, % done, last year, change."""
    year = report.period.year
    sheet = book.add_worksheet(name)
    headers = [
        "TT", "Chỉ tiêu", "Đơn vị tính", f"Kế hoạch năm {year}", f"Thực hiện năm {year}",
        "% hoàn thành kế hoạch", f"Cùng kỳ năm {year - 1}", f"Tăng, giảm so với năm {year - 1}",
    ]  # fmt: skip
    widths = [6, 40, 10, 13, 13, 13, 13, 13]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    row = _title_rows(sheet, formats, title, len(headers) - 1)
    header_row = row
    sheet.set_row(header_row, 48)
    sheet.write_row(header_row, 0, headers, formats.header)
    row += 1
    group = None
    group_number = 0
    number = 0
    for line in report.rows:
        ind = line.indicator
        if ind.group != group:
            group = ind.group
            group_number += 1
            sheet.merge_range(
                row,
                0,
                row,
                len(headers) - 1,
                f"{fmt.roman(group_number)}. {registry.group_label(group)}",
                formats.group,
            )
            row += 1
            number = 0
        number += 1
        sheet.write_number(row, 0, number, formats.centre)
        sheet.write_string(row, 1, str(ind.label), formats.text)
        sheet.write_string(row, 2, fmt.unit_label(ind), formats.centre)
        cell = formats.number(ind)
        _write_number(sheet, row, 3, line.target, cell, formats.empty)
        _write_number(sheet, row, 4, line.result, cell, formats.empty)
        _write_number(sheet, row, 5, line.done, formats.decimal, formats.empty)
        _write_number(sheet, row, 6, line.last_year, cell, formats.empty)
        change_format = (
            formats.change_decimal if ind.unit in (Unit.PERCENT, Unit.YEARS) else formats.change_integer
        )
        _write_number(sheet, row, 7, line.change, change_format, formats.empty)
        row += 1
    sheet.freeze_panes(header_row + 1, 0)
    _print_setup(sheet, header_first=header_row, header_last=header_row, landscape=False)


def side_by_side_sheet(
    book: Any,
    formats: _Formats,
    name: str,
    rows: list[tuple[str, str, UnitFigures | dict[str, Number], bool]],
    title: SheetTitle,
    *,
    first_label: str = "Đơn vị",
) -> None:
    """One line per unit (number, name, figures, is_total), one column per indicator under its
    group's heading."""
    sheet = book.add_worksheet(name)
    inds = registry.indicators()
    last_col = 1 + len(inds)
    # Narrow columns: some thirty indicators must fit one landscape A4 page wide.
    sheet.set_column(0, 0, 4)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, last_col, 7.5)
    row = _title_rows(sheet, formats, title, last_col)
    group_row, label_row = row, row + 1
    sheet.merge_range(group_row, 0, label_row, 0, "TT", formats.header)
    sheet.merge_range(group_row, 1, label_row, 1, first_label, formats.header)
    col = 2
    start = 2
    for index, ind in enumerate(inds):
        sheet.write_string(label_row, col, str(ind.label), formats.header)
        is_last_of_group = index + 1 == len(inds) or inds[index + 1].group != ind.group
        if is_last_of_group:
            label = str(registry.group_label(ind.group))
            if col > start:
                sheet.merge_range(group_row, start, group_row, col, label, formats.header)
            else:
                sheet.write_string(group_row, start, label, formats.header)
            start = col + 1
        col += 1
    sheet.set_row(group_row, 20)
    sheet.set_row(label_row, 64)
    row = label_row + 1
    for number, unit_name, figures, is_total in rows:
        values = figures.values if isinstance(figures, UnitFigures) else figures
        sheet.write_string(row, 0, number, formats.centre)
        sheet.write_string(row, 1, unit_name, formats.text_bold if is_total else formats.text)
        for offset, ind in enumerate(inds):
            _write_number(
                sheet,
                row,
                2 + offset,
                values.get(ind.name),
                formats.number(ind, bold=is_total),
                formats.empty,
            )
        row += 1
    sheet.freeze_panes(label_row + 1, 2)
    _print_setup(sheet, header_first=group_row, header_last=label_row, landscape=True)


def child_rows(report: UnitReport) -> list[tuple[str, str, UnitFigures | dict[str, Number], bool]]:
    """The unit's total, each child, and the members kept directly at the unit (so the lines add up)."""
    figures = report.figures
    rows: list[tuple[str, str, UnitFigures | dict[str, Number], bool]] = [
        ("", f"Toàn {report.unit.name}", figures.total, True)
    ]
    rows += [(str(i), child.unit.name, child, False) for i, child in enumerate(figures.children, start=1)]
    if figures.has_direct_row:
        rows.append(("", f"Sinh hoạt trực tiếp tại {report.unit.name}", dict(figures.direct), False))
    return rows


def _title(lines: LetterheadLines, report: UnitReport, subheading: str) -> SheetTitle:
    return SheetTitle(
        letterhead=lines,
        heading=f"BIỂU SỐ LIỆU TỔNG KẾT NĂM {report.period.year}",
        subheading=subheading,
        as_of_line=f"Số liệu tính đến ngày {fmt.day_month_year(report.period.as_of)}",
    )


def write_unit_xlsx(
    *, report: UnitReport, letterhead: LetterheadLines, path: str | PathLike[str] | IO[bytes]
) -> None:
    import xlsxwriter

    with xlsxwriter.Workbook(path, {"in_memory": False}) as book:
        book.set_properties({"title": f"Biểu số liệu năm {report.period.year}", "author": letterhead.issuer})
        formats = _Formats(book)
        title = _title(letterhead, report, report.unit.name)
        indicator_sheet(book, formats, SHEET_INDICATORS, report, title)
        side_by_side_sheet(book, formats, SHEET_CHILDREN, child_rows(report), title)


def write_joint_xlsx(
    *,
    reports: list[UnitReport],
    letterhead: LetterheadLines,
    area_name: str,
    path: str | PathLike[str] | IO[bytes],
) -> None:
    import xlsxwriter

    with xlsxwriter.Workbook(path, {"in_memory": False}) as book:
        formats = _Formats(book)
        first = reports[0]
        side_by_side_sheet(
            book, formats, SHEET_ASSOCIATIONS,
            [(str(i), r.unit.name, r.figures.total, False) for i, r in enumerate(reports, start=1)],
            _title(letterhead, first, f"Các hội đặc thù {area_name}"), first_label="Hội",
        )  # fmt: skip
        used: set[str] = {SHEET_ASSOCIATIONS}
        for report in reports:
            name = _sheet_name(report.unit.association.abbreviation or report.unit.name, used)
            indicator_sheet(book, formats, name, report, _title(letterhead, report, report.unit.name))


def _sheet_name(wanted: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = "".join(ch for ch in wanted if ch not in "[]:*?/\\")[:28] or "Hội"
    name, n = base, 2
    while name.lower() in {u.lower() for u in used}:
        name = f"{base[:26]} ({n})"
        n += 1
    used.add(name)
    return name
