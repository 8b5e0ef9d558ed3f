from __future__ import annotations

import codecs
import itertools
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from sohoi.imports.errors import SpreadsheetError
from sohoi.imports.headers import find_header
from sohoi.imports.legacy import Detection
from sohoi.imports.rows import ParsedRow, ParseStats, parse_file, parse_sheet
from sohoi.imports.values import PartialDate

from .builders import encode_cp1258, encode_tcvn3, encode_vni, write_ods

TODAY = date(2026, 11, 22)
FIXTURES = Path(__file__).parent / "fixtures"


def _parse(rows, **kwargs):
    stats = ParseStats()
    mapping = find_header(rows)
    parsed = list(parse_sheet(rows, mapping, sheet="S", today=TODAY, stats=stats, **kwargs))
    return parsed, stats


def _issues(row: ParsedRow) -> list[tuple[str, str, str]]:
    return [(issue.column, issue.severity, issue.field) for issue in row.issues]


# --- the realistic messy workbook ---------------------------------------------------------------


def _messy_workbook(path: Path) -> Path:
    """What a commune sends: title rows, the Nam | Nữ form, numbers mangled by Excel, a
    group row, blank rows, a summary line and the signature block; a TCVN3 sheet typed in
    the 1990s; a summary sheet that is no member list."""
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet("Chi hội Thôn Đông")
    sheet.merge_range("A1:H1", "HỘI NGƯỜI CAO TUỔI XÃ CHÁNH LỘ")
    sheet.merge_range("A2:H2", "DANH SÁCH HỘI VIÊN CHI HỘI THÔN ĐÔNG NĂM 2024")
    for column, heading in zip(
        "ABEFGH", ["STT", "Họ và tên", "Số CCCD", "Số điện thoại", "Thôn/Tổ", "Ngày vào Hội"], strict=True
    ):
        sheet.merge_range(f"{column}4:{column}5", heading)
    sheet.merge_range("C4:D4", "Năm sinh")
    sheet.write_row("C5", ["Nam", "Nữ"])
    sheet.merge_range("I4:I5", "Ghi chú")
    sheet.write_row("A6", [f"({n})" for n in range(1, 10)])
    sheet.write_row(
        "A7", [1, "NGUYỄN VĂN HÙNG", 1945, "", "001045012345", "0912 345 678", "Tổ 1", "12/03/2005", ""]
    )
    sheet.write_row(
        "A8", [2, "Trần Thị Lan", "", 16508, 79145012345, 1689123456, "Tổ 1", 2005, "Chủ tịch chi hội"]
    )
    sheet.write_row("A10", [3, "Lê Văn Tám", "", "", "001248012345", "+84 987 654 321", "Tổ 2", "", ""])
    sheet.write_datetime("C10", datetime(1948, 5, 6), day)
    sheet.write_row("A11", [4, "Phạm Thị Hồng Nhung", 1950, 1950, "", "12345", "Tổ 2", "31/02/2000", ""])
    sheet.merge_range("A12:I12", "II. Thôn Tây")
    sheet.write_row("A13", [5, "Hoàng  Văn Thắng", "3/1950", "", "", "", "", "", ""])
    sheet.write_row("A14", [6, "", 1952, "", "", "", "", "", ""])
    sheet.write_row("A15", [7])  # numbered in advance, never filled
    sheet.merge_range("A16:B16", "Tổng cộng: 6 hội viên")
    sheet.merge_range("A18:I18", "Chánh Lộ, ngày 05 tháng 12 năm 2024")
    sheet.write("B19", "Người lập biểu")
    sheet.write("G19", "TM. BAN CHẤP HÀNH")
    sheet.write("G20", "CHỦ TỊCH")
    sheet.write("G23", "Nguyễn Văn Chủ")
    sheet.write("B23", "Trần Văn Lập")

    legacy = book.add_worksheet("To 2")
    legacy.write_row(
        "B2", [encode_tcvn3(text) for text in ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Thôn"]]
    )
    people = [
        ("Nguyễn Văn Hùng", 1945, "Nam", "Thôn Đông"),
        ("Trần Thị Lan", 1950, "Nữ", "Thôn Đông"),
        ("Lê Văn Tám", 1948, "Nam", "Thôn Bắc"),
        ("Phạm Thị Hồng Nhung", 1952, "Nữ", "Thôn Bắc"),
        ("Nguyễn Phúc Ánh", 1940, "Nam", "Thôn Bắc"),
    ]
    for number, (name, year, gender, hamlet) in enumerate(people, start=1):
        typed = name.replace("Ánh", "ánh")  # no capital Á in a regular TCVN3 font
        legacy.write_row(
            number + 1, 1, [number, encode_tcvn3(typed), year, encode_tcvn3(gender), encode_tcvn3(hamlet)]
        )
    legacy.write_row(7, 1, [6, "Đỗ Thị Ngọc", 1951, "Nữ", "Thôn Bắc"])  # retyped in Unicode later

    summary = book.add_worksheet("Tổng hợp")
    summary.write_row("A1", ["Chi hội", "Số hội viên"])
    summary.write_row("A2", ["Thôn Đông", 6])
    book.close()
    return path


@pytest.fixture
def messy(tmp_path) -> list:
    path = _messy_workbook(tmp_path / "danh-sach.xlsx")
    sheets = []
    for sheet in parse_file(path, today=TODAY):
        sheets.append((sheet, list(sheet.rows)))
    return sheets


def test_the_messy_workbook_gives_one_result_per_sheet(messy):
    assert [sheet.name for sheet, _ in messy] == ["Chi hội Thôn Đông", "To 2", "Tổng hợp"]
    summary, rows = messy[2]
    assert summary.mapping is None
    assert summary.error.code == "not_a_member_list"
    assert rows == []


def test_the_classic_form_is_read_row_by_row(messy):
    sheet, rows = messy[0]
    assert sheet.mapping.birth_by_gender == (2, 3)
    assert [row.row for row in rows] == [7, 8, 10, 11, 13, 14]
    hung, lan, tam, nhung, thang, nameless = rows

    assert (hung.full_name, hung.family, hung.middle, hung.given) == (
        "Nguyễn Văn Hùng",
        "Nguyễn",
        "Văn",
        "Hùng",
    )
    assert (hung.birth, hung.gender) == (PartialDate(1945), "male")
    assert (hung.cccd, hung.id_type) == ("001045012345", "cccd")
    assert (hung.phone, hung.phone_display) == ("+84912345678", "0912 345 678")
    assert hung.hamlet == "Tổ 1"
    assert hung.joined == PartialDate(2005, 3, 12)
    assert hung.issues == []

    assert (lan.birth, lan.gender) == (PartialDate(1945, 3, 12), "female")  # an Excel serial in the Nữ column
    assert lan.cccd == "079145012345"  # the lost 0 is back
    assert lan.phone == "+84389123456"  # 0168 -> 038, and the lost 0
    assert lan.joined == PartialDate(2005)
    assert lan.note == "Chủ tịch chi hội"  # a member whose note looks like a signature: kept
    assert _issues(lan) == [("F", "warning", "phone")]
    assert lan.issues[0].heading == "Số điện thoại"

    assert tam.birth == PartialDate(1948, 5, 6)
    assert tam.phone == "+84987654321"
    assert _issues(tam) == [("E", "warning", "cccd")]  # 2048 by the CCCD, 1948 by the list
    assert "2048" in tam.issues[0].message

    assert _issues(nhung) == [
        ("D", "error", "birth_by_gender"),
        ("F", "error", "phone"),
        ("H", "error", "joined"),
    ]
    assert nhung.issues[0].heading == "Năm sinh / Nữ"
    assert nhung.joined is None

    assert thang.full_name == "Hoàng Văn Thắng"
    assert thang.birth == PartialDate(1950, 3)
    assert thang.gender == "male"
    assert thang.section == "II. Thôn Tây"
    assert thang.hamlet == "Thôn Tây"

    assert nameless.full_name is None
    assert _issues(nameless) == [("B", "error", "full_name")]
    assert nameless.issues[0].message == "Thiếu họ tên"
    assert nameless.has_errors


def test_blank_rows_summary_lines_and_the_footer_are_not_members(messy):
    sheet, rows = messy[0]
    names = {row.full_name for row in rows}
    assert "Nguyễn Văn Chủ" not in names and "Trần Văn Lập" not in names
    assert sheet.stats.footer_row == 18
    assert sheet.stats.rows == 6
    assert sheet.stats.blank == 3  # rows 9, 15 (only an STT) and 17
    assert sheet.stats.skipped == 2  # the group row and the summary line


def test_the_tcvn3_sheet_is_converted_and_a_retyped_unicode_name_kept(messy):
    sheet, rows = messy[1]
    assert sheet.mapping.first_column == 1
    assert sheet.stats.encodings["full_name"].encoding == "tcvn3"
    assert [row.full_name for row in rows] == [
        "Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Văn Tám", "Phạm Thị Hồng Nhung", "Nguyễn Phúc Ánh", "Đỗ Thị Ngọc",
    ]  # fmt: skip
    assert [row.gender for row in rows] == ["male", "female", "male", "female", "male", "female"]
    assert [row.hamlet for row in rows] == [
        "Thôn Đông",
        "Thôn Đông",
        "Thôn Bắc",
        "Thôn Bắc",
        "Thôn Bắc",
        "Thôn Bắc",
    ]
    assert rows[0].row == 3
    assert all(row.issues == [] for row in rows)


def test_everything_stored_is_nfc(messy):
    for _sheet, rows in messy:
        for row in rows:
            for value in (
                row.full_name,
                row.family,
                row.middle,
                row.given,
                row.hamlet,
                row.note,
                row.section,
            ):
                assert value is None or unicodedata.is_normalized("NFC", value)


# --- other files -------------------------------------------------------------------------------

FLAT_TEXT = (
    "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Địa chỉ,Dân tộc\n"
    '1,Nguyễn Văn Hùng,12/03/1945,Nam,001045012345,0912.345.678,"Thôn Đông, xã An Phú",Kinh\n'
    "2,Đặng Thị Ước,3/1950,Nữ,079150012345,01689123456,Thôn Tây,kinh\n"
    ",,,,,,,\n"
    "3,Lý Thị Mỵ,1952,Nữ,,,,Tày\n"
)


def _flat_rows(path: Path) -> list[ParsedRow]:
    [sheet] = list(parse_file(path, today=TODAY))
    return list(sheet.rows)


def _check_flat(rows: list[ParsedRow]) -> None:
    assert [row.full_name for row in rows] == ["Nguyễn Văn Hùng", "Đặng Thị Ước", "Lý Thị Mỵ"]
    assert [row.birth for row in rows] == [PartialDate(1945, 3, 12), PartialDate(1950, 3), PartialDate(1952)]
    assert [row.gender for row in rows] == ["male", "female", "female"]
    assert rows[0].address == "Thôn Đông, xã An Phú"
    assert [row.ethnicity for row in rows] == ["Kinh", "Kinh", "Tày"]
    assert rows[1].phone == "+84389123456"
    assert [row.row for row in rows] == [2, 3, 5]


def test_a_utf8_csv_with_bom_is_parsed(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(codecs.BOM_UTF8 + FLAT_TEXT.encode("utf-8"))
    _check_flat(_flat_rows(path))


def test_a_windows_1258_csv_is_parsed_to_nfc(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(encode_cp1258(FLAT_TEXT))
    rows = _flat_rows(path)
    _check_flat(rows)
    assert all(unicodedata.is_normalized("NFC", row.full_name) for row in rows)


def test_a_csv_typed_in_tcvn3_is_converted(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(
        encode_tcvn3(FLAT_TEXT.replace("Đặng Thị Ước", "Đặng Thị Lan").replace("Mỵ", "Mỹ")).encode("latin-1")
    )
    rows = _flat_rows(path)
    assert [row.full_name for row in rows] == ["Nguyễn Văn Hùng", "Đặng Thị Lan", "Lý Thị Mỹ"]
    assert rows[0].address == "Thôn Đông, xã An Phú"


def test_a_vni_ods_sheet_is_converted(tmp_path):
    rows = [["Họ và tên", "Năm sinh", "Giới tính"]] + [
        [encode_vni(name), 1950, encode_vni(gender)]
        for name, gender in [
            ("Nguyễn Văn Hùng", "Nam"),
            ("Trần Thị Lan", "Nữ"),
            ("Võ Thị Sáu", "Nữ"),
            ("Lê Văn Tám", "Nam"),
        ]
    ]
    path = write_ods(tmp_path / "ds.ods", {"Tổ 3": rows})
    [sheet] = list(parse_file(path, today=TODAY))
    parsed = list(sheet.rows)
    assert sheet.stats.encodings["full_name"].encoding == "vni"
    assert [row.full_name for row in parsed] == [
        "Nguyễn Văn Hùng",
        "Trần Thị Lan",
        "Võ Thị Sáu",
        "Lê Văn Tám",
    ]
    assert [row.gender for row in parsed] == ["male", "female", "female", "male"]


def test_the_committed_xls_fixture_is_parsed():
    sheets = [(sheet.name, list(sheet.rows)) for sheet in parse_file(FIXTURES / "members.xls", today=TODAY)]
    assert [name for name, _ in sheets] == ["Tổ 1", "To 2"]
    first, legacy = sheets[0][1], sheets[1][1]
    assert first[0].cccd == "001045012345"
    assert first[0].phone == "+84912345678"
    assert first[0].birth == PartialDate(1945, 3, 12)
    assert first[1].phone == "+84389123456"
    assert [row.full_name for row in legacy] == [
        "Nguyễn Văn Hùng",
        "Trần Thị Lan",
        "Lê Văn Tám",
        "Phạm Thị Hồng Nhung",
    ]
    assert [row.hamlet for row in legacy] == ["Thôn Đông", "Thôn Đông", "Thôn Bắc", "Thôn Bắc"]


def test_an_unreadable_file_raises_before_any_row(tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(b"")
    with pytest.raises(SpreadsheetError):
        list(parse_file(path))


def test_the_users_mapping_overrides_the_detected_one(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Họ và tên,Liên hệ\nNguyễn Văn Hùng,0912345678\n", encoding="utf-8")
    [sheet] = list(parse_file(path, overrides={"ds": {"phone": 1}}))
    assert [row.phone for row in sheet.rows] == ["+84912345678"]


# --- rows, one rule at a time ------------------------------------------------------------------


def test_capitals_typed_in_an_h_font_are_title_cased_names():
    caps = ["".join(c.upper() if c.isascii() else c for c in encode_tcvn3(name.lower())) for name in
            ["Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Văn Tám", "Phạm Thị Hồng Nhung", "Đỗ Mười"]]  # fmt: skip
    rows, stats = _parse([["Họ và tên", "Năm sinh"], *([name, 1950.0] for name in caps)])
    assert stats.encodings["full_name"].uppercase
    assert [row.full_name for row in rows] == [
        "Nguyễn Văn Hùng",
        "Trần Thị Lan",
        "Lê Văn Tám",
        "Phạm Thị Hồng Nhung",
        "Đỗ Mười",
    ]


def test_a_forced_encoding_wins_over_detection():
    rows, stats = _parse([["Họ và tên"], ["Hoàng Hà"]], encodings={"full_name": Detection("vni", 1.0)})
    assert rows[0].full_name == "Hồng Hà"
    assert stats.encodings["full_name"].encoding == "vni"


def test_unicode_names_are_never_converted_even_when_legacy_could_read_them():
    rows, stats = _parse([["Họ và tên"], ["Hoàng Hà"], ["Lê Tú"], ["Tô Hoài"]])
    assert [row.full_name for row in rows] == ["Hoàng Hà", "Lê Tú", "Tô Hoài"]
    assert stats.encodings["full_name"].encoding == "unicode"


def test_a_lone_female_tick_column_gives_the_sex_of_every_row():
    rows, _ = _parse(
        [["Họ và tên", "Năm sinh", "Nữ"], ["Trần Thị Lan", 1950.0, "x"], ["Lê Văn Tám", 1948.0, ""]]
    )
    assert [row.gender for row in rows] == ["female", "male"]
    assert [row.birth for row in rows] == [PartialDate(1950), PartialDate(1948)]


def test_a_gender_column_that_disagrees_with_the_nam_nu_column_is_a_warning():
    rows, _ = _parse([["Họ và tên", "Giới tính", "Nam", "Nữ"], ["Trần Thị Lan", "Nữ", 1950.0, ""]])
    assert rows[0].gender == "female"
    assert rows[0].birth == PartialDate(1950)
    assert _issues(rows[0]) == [("C", "warning", "birth_by_gender")]


def test_an_age_column_gives_a_birth_year_with_a_warning():
    rows, _ = _parse([["Họ và tên", "Tuổi"], ["Trần Thị Lan", 76.0], ["Lê Văn Tám", "abc"]])
    assert rows[0].birth == PartialDate(1950)
    assert _issues(rows[0]) == [("B", "warning", "age")]
    assert _issues(rows[1]) == [("B", "error", "age")]


def test_joining_before_birth_is_an_error():
    rows, _ = _parse([["Họ và tên", "Năm sinh", "Ngày vào Hội"], ["Trần Thị Lan", 1950.0, "1949"]])
    assert rows[0].joined is None
    assert _issues(rows[0]) == [("C", "error", "joined")]


def test_too_long_text_is_an_error_and_not_stored():
    rows, _ = _parse([["Họ và tên", "Địa chỉ", "Ghi chú"], ["Trần Thị Lan", "x" * 300, "y" * 1000]])
    assert rows[0].address is None
    assert rows[0].note == "y" * 1000
    assert _issues(rows[0]) == [("B", "error", "address")]


def test_a_header_repeated_on_every_page_and_its_numbering_are_skipped():
    header = ["STT", "Họ và tên", "Năm sinh", "Ghi chú", "Dân tộc"]
    rows, stats = _parse(
        [header, [1.0, "Trần Thị Lan", 1950.0, "", "Kinh"], header, ["(1)", "(2)", "(3)", "(4)", "(5)"],
         [2.0, "Lê Văn Tám", 1948.0, "", "Kinh"], [1.0, 2.0, 3.0, 4.0, 5.0]]
    )  # fmt: skip
    assert [row.full_name for row in rows] == ["Trần Thị Lan", "Lê Văn Tám"]
    assert stats.skipped == 3


def test_a_member_named_like_a_group_or_a_signature_is_kept():
    rows, stats = _parse(
        [
            ["Họ và tên", "Năm sinh"],
            ["Tô Trường", 1950.0],
            ["Bàn Văn Lang", ""],
            ["Tống Văn Công", ""],
            ["Công Tôn Toản", ""],
        ]
    )
    assert [row.full_name for row in rows] == ["Tô Trường", "Bàn Văn Lang", "Tống Văn Công", "Công Tôn Toản"]
    assert stats.footer_row is None


@pytest.mark.parametrize(
    "footer",
    [
        "Chánh Lộ, ngày 05 tháng 12 năm 2024",
        "…, ngày … tháng … năm 2024",
        "Người lập biểu",
        "NGƯỜI LẬP DANH SÁCH",
        "TM. BAN CHẤP HÀNH",
        "T/M BCH CHI HỘI",
        "CHỦ TỊCH",
        "XÁC NHẬN CỦA UBND XÃ",
        "(Ký, ghi rõ họ tên)",
    ],
)
def test_the_footer_ends_the_list(footer):
    rows, stats = _parse(
        [["Họ và tên", "Năm sinh"], ["Trần Thị Lan", 1950.0], ["", footer], ["Lê Văn Tám", 1948.0]]
    )
    assert [row.full_name for row in rows] == ["Trần Thị Lan"]
    assert stats.footer_row == 3


def test_a_tcvn3_footer_ends_the_list_too():
    rows, stats = _parse(
        [[encode_tcvn3("Họ và tên")], *([encode_tcvn3(name)] for name in ["Trần Thị Lan", "Lê Văn Tám", "Đỗ Mười"]),
         [encode_tcvn3("Người lập biểu")], [encode_tcvn3("Nguyễn Văn Chủ")]]
    )  # fmt: skip
    assert [row.full_name for row in rows] == ["Trần Thị Lan", "Lê Văn Tám", "Đỗ Mười"]
    assert stats.footer_row == 5


def test_parsing_streams_an_endless_sheet():
    def endless():
        yield ["Họ và tên", "Năm sinh"]
        for number in itertools.count():
            yield [f"Nguyễn Văn {number}", 1950.0]

    mapping = find_header([["Họ và tên", "Năm sinh"]])
    first = list(itertools.islice(parse_sheet(endless(), mapping, today=TODAY), 5))
    assert [row.row for row in first] == [2, 3, 4, 5, 6]


def test_short_csv_rows_are_padded_not_crashed():
    rows, _ = _parse([["Họ và tên", "Năm sinh", "Điện thoại"], ["Trần Thị Lan"], ["Lê Văn Tám", "1948"]])
    assert [row.full_name for row in rows] == ["Trần Thị Lan", "Lê Văn Tám"]
    assert rows[0].birth is None


def test_hostile_cells_are_cleaned_or_refused():
    rows, _ = _parse(
        [["Họ và tên", "Ghi chú", "Điện thoại"],
         ["Trần\u200b Thị\x00 Lan", "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")"]]
    )  # fmt: skip
    assert rows[0].full_name == "Trần Thị Lan"
    assert rows[0].note == "<script>alert(1)</script>"  # stored as text; templates escape it
    assert _issues(rows[0]) == [("C", "error", "phone")]
