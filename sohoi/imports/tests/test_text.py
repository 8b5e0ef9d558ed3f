from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest
from django.utils import translation

from sohoi.imports.text import cell_text, clean_text, column_letter, heading_key, smart_case, tr


@pytest.mark.parametrize(
    "index, letter", [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letters_are_excel_names(index, letter):
    assert column_letter(index) == letter


@pytest.mark.parametrize(
    "value, text",
    [
        ("Thôn 1", "Thôn 1"), (12.0, "12"), (12.5, "12.5"), (1, "1"), (True, "1"), (None, ""),
        (date(1945, 3, 12), "12/03/1945"), (datetime(1945, 3, 12), "12/03/1945"),
        (datetime(1945, 3, 12, 8, 30), "12/03/1945 08:30"),
    ],
)  # fmt: skip
def test_cells_read_as_the_user_sees_them(value, text):
    assert cell_text(value) == text


def test_clean_text_is_nfc_with_single_spaces_and_no_invisible_characters():
    text = unicodedata.normalize("NFD", "  Thôn\u00a0 Đông\u200b\x00\x85,\n xã  An Phú ")
    assert clean_text(text) == "Thôn Đông, xã An Phú"
    assert clean_text("Tổ 1") == "Tổ 1"
    assert clean_text("  a   b ") == "a b"
    assert clean_text("ÐÌNH") == "ĐÌNH"


@pytest.mark.parametrize(
    "heading, key",
    [("Họ, tên", "ho ten"), ("Số CMND/CCCD", "so cmnd cccd"), ("Ngày, tháng, năm sinh", "ngay thang nam sinh"),
     ("  ĐIỆN\nTHOẠI (*) ", "dien thoai"), ("SĐT", "sdt")],
)  # fmt: skip
def test_heading_keys_ignore_accents_case_spaces_and_punctuation(heading, key):
    assert heading_key(heading) == key


@pytest.mark.parametrize(
    "text, cased",
    [("NGUYỄN VĂN HÙNG", "Nguyễn Văn Hùng"), ("nguyễn văn hùng", "Nguyễn Văn Hùng"), ("H'HEN NIÊ", "H'Hen Niê"),
     ("THÔN ĐÔNG-TÂY", "Thôn Đông-Tây"), ("Lê văn Tám", "Lê văn Tám"), ("McDonald", "McDonald"), ("1 2", "1 2")],
)  # fmt: skip
def test_smart_case_title_cases_all_caps_and_all_lower_only(text, cased):
    assert smart_case(text) == cased


def test_translations_follow_the_active_language_despite_the_cache():
    with translation.override("vi"):
        assert tr("Yes") == "Có"
    with translation.override("en"):
        assert tr("Yes") == "Yes"
    with translation.override("vi"):
        assert tr("Yes") == "Có"
