"""Small text helpers shared by the import modules: cell values as text, heading keys, case.

Everything returned here is NFC with single spaces (sohoi.core.text.nfc), the form the
register stores.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.utils.translation import get_language, gettext

from sohoi.core.text import fold, nfc

# C0/C1 controls and the invisible characters that ride along in copied text (zero-width
# space/joiners, BOM, soft hyphen is NOT here: TCVN3 uses it for "ư").
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=1024)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def tr(message: str) -> str:
    """gettext, memoised per active language: Django's gettext costs ~9 µs a call, and an
    import may raise one warning per row (old phone prefixes in every tenth row)."""
    return _translated(get_language(), message)


def column_letter(index: int) -> str:
    """Excel column name of a 0-based column index: 0 -> "A", 27 -> "AB"."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


_HAS_INVISIBLE = _INVISIBLE.search


def clean_text(value: str) -> str:
    """Stored form of free text: no control or zero-width characters, NFC, single spaces
    (sohoi.core.text.nfc), with a fast path for the common already-clean cell."""
    if value.isascii() and value.isprintable():
        if "  " in value or value[:1] == " " or value[-1:] == " ":
            return " ".join(value.split())
        return value
    if _HAS_INVISIBLE(value):
        value = _INVISIBLE.sub("", value)
    return nfc(value)


def cell_text(value: object) -> str:
    """A cell as the user sees it, for text fields: 12.0 -> "12", a date -> "12/03/1945"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != time() else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


@lru_cache(maxsize=4096)
def heading_key(text: str) -> str:
    """Accent-, case-, space- and punctuation-insensitive key of a heading or a label:
    "Họ, tên" -> "ho ten", "Số CMND/CCCD" -> "so cmnd cccd", "Ngày, tháng, năm sinh" ->
    "ngay thang nam sinh". Memoised: headings and short labels repeat across rows and sheets."""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


def smart_case(text: str) -> str:
    """Title-case text typed in ALL CAPS or all lower case; keep mixed case as typed.

    "NGUYỄN VĂN HÙNG" -> "Nguyễn Văn Hùng"; "H'HEN NIÊ" -> "H'Hen Niê"; "McDonald" stays.
    """
    if not (text.isupper() or text.islower()):
        return text
    return " ".join(_title_word(word) for word in text.split(" "))


_WORD_PART_START = re.compile(r"(^|[-'’])(\w)")


def _title_word(word: str) -> str:
    return _WORD_PART_START.sub(lambda m: m.group(1) + m.group(2).upper(), word.lower())
