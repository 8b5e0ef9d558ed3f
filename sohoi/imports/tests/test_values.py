from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest
from vietnam_provinces.legacy import Province

from sohoi.imports.values import (
    OLD_MOBILE_PREFIXES,
    PROVINCE_CODES,
    CitizenId,
    PartialDate,
    Phone,
    cccd_consistency,
    is_mark,
    parse_cccd,
    parse_date,
    parse_gender,
    parse_name,
    parse_phone,
    split_vietnamese_name,
)

TODAY = date(2026, 11, 22)


def _date(value):
    return parse_date(value, today=TODAY)


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12/03/1945", PartialDate(1945, 3, 12)),
        ("12-3-1945", PartialDate(1945, 3, 12)),
        ("12.03.1945", PartialDate(1945, 3, 12)),
        (" 1/1/1950 ", PartialDate(1950, 1, 1)),
        ("12/03/1945 00:00:00", PartialDate(1945, 3, 12)),
        ("3/1950", PartialDate(1950, 3)),
        ("03-1950", PartialDate(1950, 3)),
        ("1950", PartialDate(1950)),
        ("1950.0", PartialDate(1950)),
        ("1945-03-12", PartialDate(1945, 3, 12)),
        ("1945-03-12T00:00:00", PartialDate(1945, 3, 12)),
        ("1945/03/12", PartialDate(1945, 3, 12)),
        ("ngày 12 tháng 3 năm 1945", PartialDate(1945, 3, 12)),
        ("Tháng 3 năm 1950", PartialDate(1950, 3)),
        ("tháng 3/1950", PartialDate(1950, 3)),
        ("năm 1950", PartialDate(1950)),
        (1950.0, PartialDate(1950)),
        (1950, PartialDate(1950)),
        (16508.0, PartialDate(1945, 3, 12)),  # an Excel serial number
        ("16508", PartialDate(1945, 3, 12)),  # the same, from a CSV
        (8036.0, PartialDate(1921, 12, 31)),  # a serial of a 104-year-old, not a year
        (16508.75, PartialDate(1945, 3, 12)),  # a serial with a time of day
        (date(1945, 3, 12), PartialDate(1945, 3, 12)),
        (datetime(1945, 3, 12, 0, 0), PartialDate(1945, 3, 12)),
        ("29/02/1948", PartialDate(1948, 2, 29)),
        ("1880", PartialDate(1880)),
    ],
)
def test_dates_in_every_form_lists_hold_are_read(value, expected):
    assert _date(value) == (expected, None)


@pytest.mark.parametrize("value", [None, "", "  ", "-", "không rõ", "Không"])
def test_an_empty_date_cell_is_no_date_and_no_problem(value):
    assert _date(value) == (None, None)


@pytest.mark.parametrize("value", ["12/03/45", "3/50", "45", 45.0, "12-3-45"])
def test_two_digit_years_are_refused(value):
    result, problem = _date(value)
    assert result is None
    assert problem.severity == "error"
    assert "hai chữ số" in problem.message


@pytest.mark.parametrize(
    "value", ["31/02/1945", "30/2/1950", "00/03/1945", "13/13/1945", "13/1950", "29/02/1950", "0/1950"]
)
def test_impossible_dates_are_errors(value):
    result, problem = _date(value)
    assert result is None
    assert problem.is_error


@pytest.mark.parametrize("value", ["12/03/2045", "2030", 2030.0, "12/2026", "23/11/2026"])
def test_future_dates_are_errors(value):
    result, problem = _date(value)
    assert result is None
    assert problem.is_error
    assert "tương lai" in problem.message


def test_today_is_not_the_future():
    assert _date("22/11/2026") == (PartialDate(2026, 11, 22), None)
    assert _date("11/2026") == (PartialDate(2026, 11), None)


@pytest.mark.parametrize("value", ["1850", "12/03/1879", 1800.0])
def test_years_before_1880_are_errors(value):
    result, problem = _date(value)
    assert result is None
    assert "1880" in problem.message


@pytest.mark.parametrize("value", ["abc", "12/03", "1945 hoặc 1946", "945", True, 12.5, -3.0, "60"])
def test_unreadable_dates_are_errors_quoting_the_cell(value):
    result, problem = _date(value)
    assert result is None
    assert problem.is_error


def test_excel_serial_60_is_the_day_that_never_was():
    result, problem = _date(60.0)
    assert result is None
    assert problem.is_error


def test_month_first_dates_are_read_with_a_warning_when_unambiguous():
    result, problem = _date("12/25/1945")
    assert result == PartialDate(1945, 12, 25)
    assert problem.severity == "warning"
    assert "25/12/1945" in problem.message


def test_a_cached_date_is_still_checked_against_today():
    assert _date("05/05/2026") == (PartialDate(2026, 5, 5), None)
    result, problem = parse_date("05/05/2026", today=date(2026, 1, 1))
    assert result is None
    assert problem.is_error


def test_partial_dates_know_their_precision_and_first_day():
    assert PartialDate(1945, 3, 12).precision == "day"
    assert PartialDate(1950, 3).precision == "month"
    assert PartialDate(1950).precision == "year"
    assert PartialDate(1950, 3).to_date() == date(1950, 3, 1)
    assert PartialDate(1950).to_date() == date(1950, 1, 1)
    assert str(PartialDate(1945, 3, 12)) == "12/03/1945"
    assert str(PartialDate(1950, 3)) == "03/1950"
    assert str(PartialDate(1950)) == "1950"
    assert PartialDate.from_date(date(1945, 3, 12)) == PartialDate(1945, 3, 12)


# --- phones ------------------------------------------------------------------------------------

MOBILE = Phone("+84912345678", "0912 345 678")


@pytest.mark.parametrize(
    "value",
    [
        "0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "(0912) 345678",
        "+84 912 345 678", "+84912345678", "84912345678", "+84 (0) 912 345 678", "0084 912 345 678",
        "912345678", 912345678.0, 912345678, "ĐT: 0912 345 678", "0912345678 (con trai)", " 0912345678 ",
    ],
)  # fmt: skip
def test_mobile_numbers_in_every_form_become_e164(value):
    assert parse_phone(value) == (MOBILE, None)


@pytest.mark.parametrize("old, new", sorted(OLD_MOBILE_PREFIXES.items()))
def test_every_old_eleven_digit_prefix_is_converted_with_a_warning(old, new):
    phone, problem = parse_phone(f"{old}1234567")
    assert phone.e164 == "+84" + new[1:] + "1234567"
    assert phone.display.replace(" ", "") == new + "1234567"
    assert problem.severity == "warning"
    assert old in problem.message


def test_the_old_prefixes_are_the_published_ones():
    assert OLD_MOBILE_PREFIXES["0162"] == "032"
    assert OLD_MOBILE_PREFIXES["0169"] == "039"
    assert OLD_MOBILE_PREFIXES["0120"] == "070"
    assert OLD_MOBILE_PREFIXES["0121"] == "079"
    assert OLD_MOBILE_PREFIXES["0123"] == "083"
    assert OLD_MOBILE_PREFIXES["0127"] == "081"
    assert OLD_MOBILE_PREFIXES["0186"] == "056"
    assert OLD_MOBILE_PREFIXES["0199"] == "059"
    assert len(OLD_MOBILE_PREFIXES) == 21


def test_an_old_number_that_lost_its_zero_is_still_converted():
    phone, problem = parse_phone(1689123456.0)
    assert phone == Phone("+84389123456", "0389 123 456")
    assert problem.severity == "warning"
    assert parse_phone("+84 168 912 3456")[0] == phone


@pytest.mark.parametrize(
    "value, expected",
    [
        ("024 3825 1234", Phone("+842438251234", "024 3825 1234")),
        ("02838251234", Phone("+842838251234", "028 3825 1234")),
        ("0255 382 2123", Phone("+842553822123", "0255 382 2123")),
        ("2553822123", Phone("+842553822123", "0255 382 2123")),
        (2553822123.0, Phone("+842553822123", "0255 382 2123")),
    ],
)
def test_landlines_keep_their_area_code(value, expected):
    assert parse_phone(value) == (expected, None)


def test_two_numbers_in_a_cell_keep_the_first_with_a_warning():
    phone, problem = parse_phone("0912 345 678 - 0987 654 321")
    assert phone == MOBILE
    assert problem.severity == "warning"
    assert parse_phone("0912345678 / 0987654321")[0] == MOBILE
    assert parse_phone("0912345678; 0987654321")[0] == MOBILE


@pytest.mark.parametrize(
    "value",
    [
        "12345",
        "0123",
        "091234567890",
        "0112345678",
        "+1 555 123 4567",
        "abc",
        "00000",
        "0612345678",
        True,
        12.5,
    ],
)
def test_invalid_phones_are_errors(value):
    phone, problem = parse_phone(value)
    assert phone is None
    assert problem.is_error


@pytest.mark.parametrize("value", [None, "", "không có", "-", "chưa có"])
def test_an_empty_phone_cell_is_no_phone(value):
    assert parse_phone(value) == (None, None)


# --- CCCD ----------------------------------------------------------------------------------------


def test_province_codes_are_the_63_of_circular_07_2016():
    official = {f"{int(province.code):03d}" for province in Province.iter_all()}
    assert set(PROVINCE_CODES) == official
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["051"] == "Quảng Ngãi"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert all(unicodedata.is_normalized("NFC", name) for name in PROVINCE_CODES.values())


@pytest.mark.parametrize(
    "value, expected",
    [
        ("001085012345", CitizenId("001085012345", "cccd")),
        ("001 085 012 345", CitizenId("001085012345", "cccd")),
        ("'001085012345", CitizenId("001085012345", "cccd")),
        ("79085012345", CitizenId("079085012345", "cccd")),  # lost its leading 0
        (79085012345.0, CitizenId("079085012345", "cccd")),
        (1085012345.0, CitizenId("001085012345", "cccd")),  # Hà Nội 001 lost two zeros
        (1085012345, CitizenId("001085012345", "cccd")),
        ("123456789", CitizenId("123456789", "cmnd")),
        (123456789.0, CitizenId("123456789", "cmnd")),
    ],
)
def test_citizen_ids_are_read_and_lost_zeros_restored(value, expected):
    assert parse_cccd(value) == (expected, None)


def test_an_eight_digit_cmnd_gets_its_zero_back_with_a_warning():
    citizen_id, problem = parse_cccd(12345678.0)
    assert citizen_id == CitizenId("012345678", "cmnd")
    assert problem.severity == "warning"


@pytest.mark.parametrize(
    "value, words",
    [
        ("099085012345", "mã tỉnh 099"),
        ("003085012345", "mã tỉnh 003"),
        ("99085012345", "không thể khôi phục"),  # 099 is no province: ambiguous, refused
        (3085012345.0, "không thể khôi phục"),  # 003 is no province
        ("1.23457E+11", "làm tròn"),
        ("0010850123456", "12 chữ số"),
        ("12345", "12 chữ số"),
        ("CCCD 001085012345", "chỉ được có chữ số"),
        (1.5, "không hợp lệ"),
    ],
)
def test_invalid_citizen_ids_are_errors(value, words):
    citizen_id, problem = parse_cccd(value)
    assert citizen_id is None
    assert problem.is_error
    assert words in problem.message


def test_cccd_that_agrees_with_sex_and_birth_year_gives_no_warning():
    assert cccd_consistency("001045012345", "male", 1945) is None
    assert cccd_consistency("001145012345", "female", 1945) is None
    assert cccd_consistency("001205012345", "male", 2005) is None
    assert cccd_consistency("001045012345", None, None) is None


def test_cccd_that_disagrees_is_a_warning_naming_what_differs():
    problem = cccd_consistency("001045012345", "female", 1946)
    assert problem.severity == "warning"
    assert "Nam" in problem.message and "Nữ" in problem.message
    assert "1945" in problem.message and "1946" in problem.message
    century = cccd_consistency("001245012345", "male", 1945)
    assert "2045" in century.message


def test_consistency_is_not_checked_for_cmnd():
    assert cccd_consistency("123456789", "female", 1900) is None


# --- gender --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Nam", "male"), ("nam", "male"), ("NAM", "male"), ("M", "male"), ("1", "male"), (1.0, "male"),
        ("Nữ", "female"), ("nữ", "female"), ("NỮ", "female"), ("nu", "female"), ("Nu", "female"),
        ("F", "female"), ("0", "female"), (0.0, "female"), ("2", "female"), (" Nữ ", "female"),
        (unicodedata.normalize("NFD", "Nữ"), "female"),
    ],
)  # fmt: skip
def test_gender_words_are_read(value, expected):
    assert parse_gender(value) == (expected, None)


@pytest.mark.parametrize("value", ["x", "?", "Năm", "không biết", 5.0])
def test_unknown_gender_is_an_error(value):
    gender, problem = parse_gender(value)
    assert gender is None
    assert problem.is_error


@pytest.mark.parametrize("value", ["x", "X", " x ", "√", "✓", "1", 1.0, True, "có", "v"])
def test_ticks_in_a_nam_or_nu_column_are_marks(value):
    assert is_mark(value)


@pytest.mark.parametrize("value", ["", None, 0.0, False, "1945", 1945.0, "Nam"])
def test_years_and_blanks_are_not_marks(value):
    assert not is_mark(value)


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "full, parts",
    [
        ("Nguyễn Văn Hùng", ("Nguyễn", "Văn", "Hùng")),
        ("Phạm Thị Hồng Nhung", ("Phạm", "Thị Hồng", "Nhung")),
        ("Nguyễn Trãi", ("Nguyễn", "", "Trãi")),
        ("Trãi", ("", "", "Trãi")),
        ("Tôn Thất Thuyết", ("Tôn Thất", "", "Thuyết")),
        ("Tôn Thất Bách Niên", ("Tôn Thất", "Bách", "Niên")),
        ("Tôn Nữ Thị Ninh", ("Tôn Nữ", "Thị", "Ninh")),
        ("Hoàng Phủ Ngọc Tường", ("Hoàng Phủ", "Ngọc", "Tường")),
        ("Công Tôn Toản", ("Công Tôn", "", "Toản")),
        ("Âu Dương Lân", ("Âu Dương", "", "Lân")),
        ("Nguyễn Phúc Vĩnh Lộc", ("Nguyễn Phúc", "Vĩnh", "Lộc")),
        ("Âu Dương", ("Âu", "", "Dương")),  # two words: not enough for a compound family name
        ("Hoàng Văn Phủ", ("Hoàng", "Văn", "Phủ")),
        ("  nguyễn   thị   bé ", ("Nguyễn", "Thị", "Bé")),
        ("NGUYỄN VĂN HÙNG", ("Nguyễn", "Văn", "Hùng")),
        ("TÔN THẤT THUYẾT", ("Tôn Thất", "", "Thuyết")),
    ],
)
def test_names_split_into_family_middle_and_given(full, parts):
    assert split_vietnamese_name(full) == parts


def test_all_caps_names_are_title_cased_and_mixed_case_kept():
    assert parse_name("NGUYỄN VĂN HÙNG")[0].full == "Nguyễn Văn Hùng"
    assert parse_name("ĐẶNG THỊ ẤU")[0].full == "Đặng Thị Ấu"
    assert parse_name("H'HEN NIÊ")[0].full == "H'Hen Niê"
    assert parse_name("nguyễn thị bé")[0].full == "Nguyễn Thị Bé"
    assert parse_name("Lê văn Tám")[0].full == "Lê văn Tám"
    assert parse_name("McDonald Trần")[0].full == "McDonald Trần"


def test_names_are_stored_nfc_with_single_spaces():
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Văn\u00a0Hùng\u200b")
    name, problem = parse_name(decomposed)
    assert problem is None
    assert name.full == "Nguyễn Văn Hùng"
    assert unicodedata.is_normalized("NFC", name.full)
    assert name.given == "Hùng"


def test_the_title_cu_is_dropped_with_a_warning():
    name, problem = parse_name("Cụ bà Trần Thị Bé")
    assert name.full == "Trần Thị Bé"
    assert name.family == "Trần"
    assert problem.severity == "warning"
    assert "Cụ bà" in problem.message


def test_one_word_names_and_names_with_digits_are_warnings():
    name, problem = parse_name("Trãi")
    assert name.given == "Trãi"
    assert problem.severity == "warning"
    name, problem = parse_name("Nguyễn Văn A 2")
    assert problem.severity == "warning"
    assert "chữ số" in problem.message


@pytest.mark.parametrize("value", ["123", "1/2", 12.0, "x" * 151])
def test_cells_that_are_no_name_are_errors(value):
    name, problem = parse_name(value)
    assert name is None
    assert problem.is_error


def test_an_empty_name_cell_is_no_name():
    assert parse_name("") == (None, None)
    assert parse_name(" ... ") == (None, None)
    assert parse_name(None) == (None, None)
