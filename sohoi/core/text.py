"""Vietnamese text: NFC storage, accent folding for search, and the Vietnamese sort order.

PyICU would give CLDR's Vietnamese collation, but it needs libicu and a compiler on every
machine; the two-level key below (letters a ă â b c d đ e ê …, then tones) is what the
roster convention needs (DOMAIN.md §8) and costs nothing to install.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_COMBINING_TONES = {
    "\u0300": 1,  # huyền
    "\u0309": 2,  # hỏi
    "\u0303": 3,  # ngã
    "\u0301": 4,  # sắc
    "\u0323": 5,  # nặng
}
# Letter modifiers that make a distinct letter of the alphabet (ă â ê ô ơ ư).
_LETTER_MODIFIERS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}
_ALPHABET = [
    "a", "a\u0306", "a\u0302", "b", "c", "d", "đ", "e", "e\u0302", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "o\u0302", "o\u031b", "p", "q", "r", "s", "t", "u", "u\u031b", "v", "w", "x", "y", "z",
]  # fmt: skip
_LETTER_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}


def nfc(value: str) -> str:
    """Canonical storage form: NFC, Icelandic Eth (from legacy conversions) read as Đ, spaces collapsed."""
    value = unicodedata.normalize("NFC", value).replace("\u00d0", "Đ").replace("\u00f0", "đ")
    return " ".join(value.split())


def _split_char(ch: str) -> tuple[str, int]:
    """A lower-case NFC character as (letter without tone, tone number)."""
    decomposed = unicodedata.normalize("NFD", ch)
    tone = next((_COMBINING_TONES[m] for m in decomposed[1:] if m in _COMBINING_TONES), 0)
    letter = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _COMBINING_TONES))
    return letter, tone


_TONE_MARK = {number: mark for mark, number in _COMBINING_TONES.items()}
_PLAIN_VOWELS = set("aăâeêioôơuưy")


def _canonical_tone_placement(word: str) -> str:
    """Put the tone of a final oa / oe / uy on its first vowel: 'hoà' and 'hòa', 'thuỷ' and
    'thủy' are the same word written in the two styles in use (DOMAIN.md §8)."""
    chars = [_split_char(ch) for ch in word]
    if len(chars) < 2:
        return word
    (first, first_tone), (second, second_tone) = chars[-2], chars[-1]
    if first + second not in ("oa", "oe", "uy") or not second_tone or first_tone:
        return word
    before = chars[-3][0] if len(chars) >= 3 else ""
    if before in _PLAIN_VOWELS or (first == "u" and before == "q"):
        return word  # 'quý' keeps its tone on y: the u belongs to the consonant qu
    moved = unicodedata.normalize("NFC", first + _TONE_MARK[second_tone])
    return "".join(ch for ch in word[:-2]) + moved + second


# Names repeat their words endlessly (Nguyễn, Văn, Thị …): the per-word work below is cached,
# which makes an import of 100,000 names spend milliseconds here instead of seconds.
_WORD_CACHE = 65536


@lru_cache(maxsize=_WORD_CACHE)
def _word_key(word: str) -> str:
    return _canonical_tone_placement(word)


@lru_cache(maxsize=_WORD_CACHE)
def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d")


def name_key(value: str) -> str:
    """Key under which two unit names are the same name: case, Unicode form and tone placement
    do not matter, but accents do ('Hòa' and 'Hoa' are different places)."""
    return " ".join(_word_key(word) for word in nfc(value).lower().split(" "))


def fold(value: str) -> str:
    """Accent- and case-folded form for search: 'Nguyễn Văn Hùng' -> 'nguyen van hung'."""
    return " ".join(_fold_word(word) for word in nfc(value).lower().split(" "))


def vi_sort_key(value: str) -> tuple:
    """Sort key in Vietnamese order: letters first (a < ă < â, d < đ …), tones second."""
    letters: list[int] = []
    tones: list[int] = []
    for ch in nfc(value).lower():
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        letter = base + "".join(m for m in marks if m in _LETTER_MODIFIERS)
        tone = next((_COMBINING_TONES[m] for m in marks if m in _COMBINING_TONES), 0)
        rank = _LETTER_RANK.get(letter)
        # Characters outside the alphabet (digits, spaces, punctuation) sort by code point,
        # below letters for space/digits so "Tổ 2" < "Tổ 10" is left to callers that need it.
        letters.append(rank + 1000 if rank is not None else ord(base))
        tones.append(tone)
    return (letters, tones)


# --- A sort key the database can order by ---------------------------------------------------
# Lists page by keyset in SQL (BASELINES.md §5), so the Vietnamese order must live in a column.
# The key uses only the letters a–z, two per character: the default collations of SQLite
# (binary) and PostgreSQL (C or a glibc/ICU locale) all order such strings the same way.
_KEY_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_KEY_END = "aa"  # ends a name part: lower than any character, so "An" < "An Văn" < "Anh"
_KEY_SPACE = 1
_KEY_DIGIT_BASE = 2  # digits sort before letters, as in Vietnamese collation
_KEY_LETTER_BASE = 12
_KEY_OTHER = 26 * 26 - 1


def _key_code(number: int) -> str:
    return _KEY_LETTERS[number // 26] + _KEY_LETTERS[number % 26]


def _key_char(ch: str) -> tuple[str, str]:
    """(primary code, tone letter) of one lower-case NFC character."""
    if ch == " ":
        return _key_code(_KEY_SPACE), "a"
    if ch.isdigit() and ch.isascii():
        return _key_code(_KEY_DIGIT_BASE + int(ch)), "a"
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    letter = base + "".join(m for m in marks if m in _LETTER_MODIFIERS)
    tone = next((_COMBINING_TONES[m] for m in marks if m in _COMBINING_TONES), 0)
    rank = _LETTER_RANK.get(letter)
    code = _KEY_LETTER_BASE + rank if rank is not None else _KEY_OTHER
    return _key_code(code), _KEY_LETTERS[tone]


@lru_cache(maxsize=_WORD_CACHE)
def _part_key(part: str) -> tuple[str, str]:
    """(primary codes, tone letters) of one name part, lower-case NFC."""
    pairs = [_key_char(ch) for ch in part]
    return "".join(code for code, _tone in pairs), "".join(tone for _code, tone in pairs)


def name_sort_key(given: str, middle: str, family: str, *, max_length: int = 255) -> str:
    """The roster order as a string: given name, then middle, then family name (DOMAIN.md §8),
    letters first (a < ă < â, d < đ …), tones only to break ties."""
    keys = [_part_key(nfc(part).lower()) for part in (given, middle, family)]
    primary = "".join(code + _KEY_END for code, _tones in keys)
    return (primary + "".join(tones for _code, tones in keys))[:max_length]
