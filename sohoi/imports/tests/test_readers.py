from __future__ import annotations

import codecs
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from sohoi.imports.errors import SpreadsheetError
from sohoi.imports.readers import csv_encoding, open_spreadsheet, sniff_delimiter

from .builders import encode_cp1258, encode_tcvn3, write_ods

FIXTURES = Path(__file__).parent / "fixtures"


def _sheets(path, **kwargs):
    with open_spreadsheet(path, **kwargs) as book:
        return [(sheet.name, list(sheet.rows), sheet.first_column) for sheet in book.sheets()]


def _xlsx(path: Path, sheets: dict[str, dict[str, object]], hidden: tuple[str, ...] = ()) -> Path:
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, cells in sheets.items():
        sheet = book.add_worksheet(name)
        for cell, value in cells.items():
            if isinstance(value, (date, datetime)):
                sheet.write_datetime(cell, value, day)
            else:
                sheet.write(cell, value)
        if name in hidden:
            sheet.hide()
    book.close()
    return path


# --- workbooks ---------------------------------------------------------------------------------


def test_xlsx_rows_start_at_the_first_sheet_row_and_skip_empty_leading_columns(tmp_path):
    path = _xlsx(
        tmp_path / "a.xlsx",
        {"Tổ 1": {"C3": "Họ và tên", "D3": "Năm sinh", "C4": "A", "D4": date(1945, 3, 12)}},
    )
    [(name, rows, first_column)] = _sheets(path)
    assert name == "Tổ 1"
    assert first_column == 2  # column C
    assert rows[2] == ["Họ và tên", "Năm sinh"]  # row 3 in Excel
    assert rows[3] == ["A", date(1945, 3, 12)]
    assert rows[0] == ["", ""]


def test_xlsx_numbers_come_as_floats_and_every_visible_sheet_in_order(tmp_path):
    path = _xlsx(
        tmp_path / "a.xlsx",
        {
            "Chi hội 2": {"A1": "Họ và tên", "A2": 912345678},
            "Trống": {},
            "Ẩn": {"A1": "bí mật"},
            "Chi hội 1": {"A1": "Họ và tên"},
        },
        hidden=("Ẩn",),
    )
    sheets = _sheets(path)
    assert [name for name, _, _ in sheets] == ["Chi hội 2", "Chi hội 1"]
    assert sheets[0][1] == [["Họ và tên"], [912345678.0]]
    with open_spreadsheet(path) as book:
        assert book.kind == "xlsx"
        assert book.sheet_names == ["Chi hội 2", "Trống", "Chi hội 1"]


def test_sheet_rows_are_a_lazy_stream(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", {"S": {"A1": "x", "A2": "y"}})
    with open_spreadsheet(path) as book:
        sheet = next(book.sheets())
        assert iter(sheet.rows) is sheet.rows
        assert next(sheet.rows) == ["x"]


def test_the_committed_xls_fixture_reads_with_its_sheets_and_types():
    sheets = _sheets(FIXTURES / "members.xls")
    assert [name for name, _, _ in sheets] == ["Tổ 1", "To 2"]  # the hidden "Danh mục" is left out
    rows = sheets[0][1]
    assert rows[2] == ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Điện thoại"]
    assert rows[3][2] == date(1945, 3, 12)
    assert rows[3][4] == 1045012345.0
    assert sheets[1][1][1][1] == "NguyÔn V¨n Hïng"


def test_ods_reads_like_xlsx(tmp_path):
    path = write_ods(
        tmp_path / "a.ods",
        {
            "Tổ 1": [[], ["Họ và tên", "Năm sinh", ""], ["Nguyễn Văn Hùng", 1945, date(1945, 3, 12)]],
            "Trống": [],
        },
        merges={("Tổ 1", 1, 1): 2},
    )
    [(name, rows, first_column)] = _sheets(path)
    assert name == "Tổ 1"
    assert first_column == 0
    assert rows == [
        ["", "", ""],
        ["Họ và tên", "Năm sinh", ""],
        ["Nguyễn Văn Hùng", 1945.0, date(1945, 3, 12)],
    ]


# --- CSV ---------------------------------------------------------------------------------------

CSV_TEXT = 'Họ và tên,Năm sinh,Thôn\nNguyễn Văn Hùng,1945,Thôn Đông\nĐặng Thị Ước,1950,"Tổ 1, khu 2"\n'
CSV_ROWS = [
    ["Họ và tên", "Năm sinh", "Thôn"],
    ["Nguyễn Văn Hùng", "1945", "Thôn Đông"],
    ["Đặng Thị Ước", "1950", "Tổ 1, khu 2"],
]


@pytest.mark.parametrize(
    "data, encoding",
    [
        (CSV_TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CSV_TEXT.encode("utf-8"), "utf-8-sig"),
        (CSV_TEXT.encode("utf-16"), "utf-16"),
        (CSV_TEXT.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
    ],
)
def test_unicode_csv_reads_in_every_unicode_encoding(tmp_path, data, encoding):
    path = tmp_path / "ds.csv"
    path.write_bytes(data)
    assert csv_encoding(path) == encoding
    assert _sheets(path) == [("ds", CSV_ROWS, 0)]


def test_windows_1258_csv_is_detected_and_decoded(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(encode_cp1258(CSV_TEXT))
    assert csv_encoding(path) == "cp1258"
    [(_name, rows, _)] = _sheets(path)
    # Windows-1258 writes tones as combining marks: the parsing layer stores NFC.
    import unicodedata

    assert [[unicodedata.normalize("NFC", cell) for cell in row] for row in rows] == CSV_ROWS


def test_a_csv_of_tcvn3_bytes_keeps_the_bytes_for_the_legacy_converter(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(encode_tcvn3(CSV_TEXT.replace("Đặng Thị Ước", "Đặng Thị Lan")).encode("latin-1"))
    assert csv_encoding(path) == "cp1252"
    [(_name, rows, _)] = _sheets(path)
    assert rows[1][0] == "NguyÔn V¨n Hïng"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed(tmp_path, delimiter):
    text = CSV_TEXT.replace(",", delimiter).replace('"Tổ 1; khu 2"', '"Tổ 1; khu 2"')
    path = tmp_path / "ds.csv"
    path.write_text(text if delimiter != "," else CSV_TEXT, encoding="utf-8")
    assert sniff_delimiter(path.read_text(encoding="utf-8")) == delimiter
    rows = _sheets(path)[0][1]
    assert rows[1] == ["Nguyễn Văn Hùng", "1945", "Thôn Đông"]


def test_the_csv_sheet_is_named_after_the_uploaded_file(tmp_path):
    path = tmp_path / "upload-3f2a.tmp"
    path.write_text(CSV_TEXT, encoding="utf-8")
    assert _sheets(path, filename="Danh sách tổ 1.csv")[0][0] == "Danh sách tổ 1"


def test_a_large_csv_is_streamed_not_loaded(tmp_path):
    path = tmp_path / "big.csv"
    line = "Nguyễn Văn Hùng,12/03/1945,Nam,001045012345,0912345678,Thôn Đông,Kinh,2005,HV000001,\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Họ và tên,Ngày sinh,Giới tính,CCCD,SĐT,Thôn,Dân tộc,Năm vào Hội,Số thẻ,Ghi chú\n")
        for _ in range(200_000):
            handle.write(line)
    size = path.stat().st_size
    assert size > 18_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in _stream(path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_001
    assert peak < size / 10  # never the whole file in memory (it would take several times its size)


def _stream(path):
    with open_spreadsheet(path) as book:
        for sheet in book.sheets():
            yield from sheet.rows


# --- files that are not (readable) spreadsheets -------------------------------------------------


def _message(path, **kwargs):
    with pytest.raises(SpreadsheetError) as caught:
        _sheets(path, **kwargs)
    return caught.value


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"")
    error = _message(path)
    assert error.message == "Tệp trống"
    assert error.code == "file_empty"
    (tmp_path / "b.csv").write_bytes(b"\r\n \n")
    assert _message(tmp_path / "b.csv").message == "Tệp trống"


def test_a_workbook_whose_sheets_are_all_empty_says_so(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", {"Sheet1": {}, "Sheet2": {}})
    assert _message(path).message == "Tệp trống"


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 20,
        b"PK\x03\x04" + b"\x00" * 500,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01\x02",
    ],
)
def test_a_broken_or_foreign_file_says_it_is_no_spreadsheet(tmp_path, content):
    path = tmp_path / "a.xlsx"
    path.write_bytes(content)
    error = _message(path)
    assert error.message == "Tệp bị hỏng hoặc không phải bảng tính"
    assert error.code == "file_broken"


def test_a_truncated_xlsx_is_broken(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", {"S": {"A1": "Họ và tên"}})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert _message(path).code == "file_broken"


@pytest.mark.parametrize(
    "sheet_xml",
    [
        b"<worksheet><sheetData><row><c",  # cut short
        b"garbage\x00\x01",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>',  # no such string
    ],
)
def test_an_xlsx_with_a_corrupt_sheet_is_broken(tmp_path, sheet_xml):
    good = _xlsx(tmp_path / "good.xlsx", {"S": {"A1": "Họ và tên"}})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else data)
    assert _message(bad).code == "file_broken"


def test_a_word_document_is_no_spreadsheet(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert _message(path).code == "file_broken"


def test_a_web_page_saved_as_xls_gets_advice(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>Họ và tên</td></tr></table></body></html>", encoding="utf-8")
    error = _message(path)
    assert "HTML" in error.message
    assert error.code == "file_unsupported"


def test_a_password_protected_workbook_says_so():
    error = _message(FIXTURES / "password.xlsx")
    assert error.message == "Tệp có mật khẩu: hãy mở bằng Excel, bỏ mật khẩu rồi tải lên lại"
    assert error.code == "file_password"


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text(CSV_TEXT * 100, encoding="utf-8")
    error = _message(path, max_bytes=1000)
    assert error.code == "file_too_large"
    assert error.message.startswith("Tệp quá lớn")
    assert _sheets(path, max_bytes=path.stat().st_size)[0][0] == "ds"


def test_a_zip_that_expands_far_beyond_the_limit_is_refused(tmp_path):
    good = _xlsx(tmp_path / "good.xlsx", {"S": {"A1": "Họ và tên"}})
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/media/padding.bin", b"\x00" * 20_000_000)
    size = bomb.stat().st_size
    assert size < 100_000
    assert _message(bomb, max_bytes=size).code == "file_too_large"
    assert _sheets(good, max_bytes=good.stat().st_size)[0][0] == "S"


def test_a_missing_file_is_an_error_not_a_crash(tmp_path):
    assert _message(tmp_path / "nowhere.xlsx").code == "file_broken"
