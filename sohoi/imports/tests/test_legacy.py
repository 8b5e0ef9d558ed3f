from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sohoi.imports.legacy import (
    Detection,
    convert,
    decode,
    decode_tcvn3,
    decode_vni,
    detect,
    is_legacy_compatible,
    repair_eth,
    restore_tcvn3_capitals,
)

from .builders import encode_tcvn3, encode_tcvn3_h_font, encode_vni
from .names import EXTRA, NAMES

TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
VOWELS = "aăâeêioôơuưy"
LOWER_LETTERS = sorted(
    {unicodedata.normalize("NFC", vowel + tone) for vowel in VOWELS for tone in TONES} | {"đ"}
)
# The only capitals a regular TCVN3 font has besides ASCII.
TCVN3_CAPITALS = set("ĂÂÊÔƠƯĐ")


def _regular_tcvn3(name: str) -> str:
    """A name as typed with a regular .VnTime font: a capital toned letter does not exist
    there, so the lower-case one was typed instead."""
    typed = "".join(
        char.lower() if not char.isascii() and char.isupper() and char not in TCVN3_CAPITALS else char
        for char in name
    )
    return encode_tcvn3(typed)


# --- the tables against known text -------------------------------------------------------------


@pytest.mark.parametrize(
    "legacy, unicode",
    [
        ("Ng\u00adêi", "Người"),
        ("NguyÔn V¨n Hïng", "Nguyễn Văn Hùng"),
        ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("Héi Ng\u00adêi cao tuæi", "Hội Người cao tuổi"),
        ("Hä vµ tªn", "Họ và tên"),
        ("Th«n §«ng, x· Qu¶ng Ng·i", "Thôn Đông, xã Quảng Ngãi"),
        ("¡n ¢u £m ¤ng ¥n ¦ng §µo", "Ăn Âu Êm Ông Ơn Ưng Đào"),
    ],
)
def test_tcvn3_text_reads_as_the_published_table_says(legacy, unicode):
    assert decode_tcvn3(legacy) == unicode
    assert decode(legacy, "tcvn3") == unicode


@pytest.mark.parametrize(
    "legacy, unicode",
    [
        ("Nguyeãn Vaên Huøng", "Nguyễn Văn Hùng"),
        ("Ngöôøi cao tuoåi", "Người cao tuổi"),
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("lòch söû, Myõ Thuî, Tænh", "lịch sử, Mỹ Thuỵ, Tỉnh"),
        ("NGUYEÃN VAÊN HUØNG", "NGUYỄN VĂN HÙNG"),
        ("Ñaëng Thò Ngoïc Thònh", "Đặng Thị Ngọc Thịnh"),
    ],
)
def test_vni_text_reads_as_the_published_table_says(legacy, unicode):
    assert decode_vni(legacy) == unicode
    assert decode(legacy, "vni") == unicode


def test_the_names_cover_every_vowel_with_every_tone_and_d_stroke():
    letters = set("".join(NAMES).lower())
    assert len(NAMES) == 100
    assert len(LOWER_LETTERS) == 73
    assert set(LOWER_LETTERS) <= letters
    assert {letter.upper() for letter in LOWER_LETTERS} <= set("".join(NAMES).upper())


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES + EXTRA)
def test_vni_round_trip_is_exact_in_both_cases(name):
    for text in (name, name.upper(), name.lower()):
        encoded = encode_vni(text)
        assert encoded != text or text.isascii()
        assert is_legacy_compatible(encoded)
        assert decode_vni(encoded) == text


@pytest.mark.parametrize("name", NAMES + EXTRA)
def test_tcvn3_round_trip_is_exact_for_names_typed_in_a_regular_font(name):
    encoded = _regular_tcvn3(name)
    assert is_legacy_compatible(encoded)
    assert restore_tcvn3_capitals(decode_tcvn3(encoded)) == name
    assert decode_tcvn3(encode_tcvn3(name.lower())) == name.lower()


@pytest.mark.parametrize("name", NAMES + EXTRA)
def test_tcvn3_round_trip_is_exact_for_capitals_typed_in_an_h_font(name):
    encoded = encode_tcvn3_h_font(name.upper())
    assert decode_tcvn3(encoded, uppercase=True) == name.upper()


@pytest.mark.parametrize("letter", LOWER_LETTERS)
def test_every_letter_round_trips_alone_in_both_encodings(letter):
    assert decode_tcvn3(encode_tcvn3(letter)) == letter
    assert decode_vni(encode_vni(letter)) == letter
    assert decode_vni(encode_vni(letter.upper())) == letter.upper()


VIETNAMESE_TEXT = st.text(
    alphabet=st.sampled_from(
        [*LOWER_LETTERS, *(letter.upper() for letter in LOWER_LETTERS), *"bcdghklmnpqrstvx ,-"]
    ),
    max_size=40,
)


@given(VIETNAMESE_TEXT)
def test_vni_decoding_is_unambiguous_for_any_vietnamese_text(text):
    assert decode_vni(encode_vni(text)) == text


@given(VIETNAMESE_TEXT)
def test_tcvn3_decoding_is_exact_for_any_lower_case_text(text):
    assert decode_tcvn3(encode_tcvn3(text.lower())) == text.lower()


# --- detection -----------------------------------------------------------------------------


def test_a_tcvn3_column_is_detected_as_tcvn3():
    sample = [_regular_tcvn3(name) for name in NAMES[:30]]
    detection = detect(sample)
    assert detection.encoding == "tcvn3"
    assert detection.confidence > 0.5
    assert not detection.uppercase


def test_a_vni_column_is_detected_as_vni():
    detection = detect([encode_vni(name) for name in NAMES[:30]])
    assert detection.encoding == "vni"
    assert detection.confidence > 0.5


def test_a_unicode_column_is_detected_as_unicode():
    detection = detect(NAMES)
    assert detection.encoding == "unicode"
    assert detection.confidence > 0.5


def test_unicode_names_made_only_of_latin1_letters_are_never_converted():
    # "Hoàng" is also the VNI spelling of "Hồng", "Tú" the TCVN3 one of "Tỳ": ties go to Unicode.
    sample = ["Hoàng Hà", "Lê Tú", "Hà Văn Tài", "Tô Hoài"]
    detection = detect(sample)
    assert detection.encoding == "unicode"
    assert [convert(text, detection) for text in sample] == sample


def test_a_single_unicode_name_is_unicode():
    assert detect(["Nguyễn Văn Hùng"]).encoding == "unicode"
    assert detect(["Hoàng Hà"]).encoding == "unicode"


def test_text_without_accents_is_unicode_with_no_evidence():
    detection = detect(["Nguyen Van Hung", "", "Kinh", "12/03/1945"])
    assert detection == Detection("unicode", 1.0, False, 0)


def test_capitals_typed_in_an_h_font_are_detected_and_upper_cased():
    # Caps Lock on: ASCII letters come as capitals, the Vietnamese codes stay what they are.
    sample = [
        "".join(c.upper() if c.isascii() else c for c in encode_tcvn3_h_font(name)) for name in NAMES[:20]
    ]
    assert sample[0] == "NGUYÔN V¨N HïNG"
    detection = detect(sample)
    assert detection.encoding == "tcvn3"
    assert detection.uppercase
    assert convert(sample[0], detection) == "NGUYỄN VĂN HÙNG"


def test_a_cell_retyped_in_unicode_inside_a_tcvn3_column_is_kept():
    detection = detect([_regular_tcvn3(name) for name in NAMES[:30]])
    assert detection.encoding == "tcvn3"
    assert convert("Nguyễn Văn Hùng", detection) == "Nguyễn Văn Hùng"
    assert convert("Lê Thị Hà", detection) == "Lê Thị Hà"
    assert convert("TrÇn ThÞ Lan", detection) == "Trần Thị Lan"


def test_a_cell_retyped_in_unicode_inside_a_vni_column_is_kept_when_it_reads_as_vietnamese():
    detection = detect([encode_vni(name) for name in NAMES[:30]])
    assert convert("Trần Văn Hải", detection) == "Trần Văn Hải"
    # Valid both ways ("Hoàng" is VNI for "Hồng"): the column's verdict decides.
    assert convert("Hoàng", detection) == "Hồng"


def test_conversion_result_is_nfc():
    detection = detect([_regular_tcvn3(name) for name in NAMES[:30]])
    converted = convert("NguyÔn V¨n Hïng", detection)
    assert converted == unicodedata.normalize("NFC", converted)
    assert converted == "Nguyễn Văn Hùng"


def test_unicode_detection_returns_the_cell_untouched():
    detection = detect(NAMES)
    assert convert("Hoàng Văn Thắng", detection) == "Hoàng Văn Thắng"


def test_restoring_capitals_leaves_lower_case_text_alone():
    assert restore_tcvn3_capitals("Nguyễn Phúc ánh") == "Nguyễn Phúc Ánh"
    assert restore_tcvn3_capitals("thôn ấp bắc") == "thôn ấp bắc"
    assert restore_tcvn3_capitals("Ông ích Khiêm") == "Ông Ích Khiêm"


def test_icelandic_eth_from_bad_conversions_is_read_as_d_stroke():
    text = "Phường Ba ÐÌNH, ðường Hùng Vương"
    assert repair_eth(text) == "Phường Ba ĐÌNH, đường Hùng Vương"
    assert decode(text, "unicode") == "Phường Ba ĐÌNH, đường Hùng Vương"
    assert detect([text, "Quận Ba ÐÌNH"]).encoding == "unicode"


def test_text_with_unicode_only_letters_cannot_be_legacy():
    assert is_legacy_compatible("NguyÔn V¨n Hïng")
    assert not is_legacy_compatible("Nguyễn")
    assert not is_legacy_compatible("đ")
