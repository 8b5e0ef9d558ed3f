"""Legacy Vietnamese 8-bit encodings (TCVN3/ABC and VNI-Windows) as they surface in spreadsheets.

Before Unicode became mandatory (2003) Vietnamese was typed with fonts that drew Vietnamese
letters over Latin-1 code points: ".VnTime" (TCVN3, one byte per letter) and "VNI-Times"
(VNI, a base letter followed by a byte carrying the hat/breve and the tone). Excel stored the
bytes as Windows-1252 characters, so an old list read today shows "NguyÔn V¨n Hïng" (TCVN3)
or "Nguyeãn Vaên Huøng" (VNI) for "Nguyễn Văn Hùng" (DOMAIN.md §8).

calamine gives us no font names, so the encoding is detected from the text itself: every
word with a non-ASCII letter is read under each hypothesis and checked against the shape of
a Vietnamese syllable (onset, vowel nucleus, final, at most one tone). Garbled text is almost
never a valid syllable ("V¨n", "Hïng", "Vaên"), while the right decoding almost always is.
Unicode wins every tie, and a cell holding any character that no 8-bit font could produce
(ễ, ư, đ …) is never converted, so a real Unicode name is never mangled.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from sohoi.core.text import nfc

Encoding = Literal["unicode", "tcvn3", "vni"]
ENCODINGS: tuple[Encoding, ...] = ("unicode", "tcvn3", "vni")

# --- TCVN3 (TCVN 5712:1993, VN3 "ABC"), by byte value -------------------------------------
# The regular fonts have lower-case toned letters and only seven upper-case letters
# (A1-A7); upper-case toned letters are drawn by the "H" fonts (.VnTimeH) from the
# lower-case codes, hence `uppercase=True`.
_TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip
# Bytes >= 0xA0 are the same code points in Windows-1252 and Latin-1.
_TCVN3_TABLE = {byte: char for byte, char in _TCVN3_BYTES.items()}

# --- VNI-Windows ---------------------------------------------------------------------------
# A toned or hatted vowel is the base letter followed by one mark byte that carries the
# hat/breve and the tone together; ơ, ư, đ and the toned i, plus ỵ, are single bytes.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
_VNI_MARKS: dict[str, tuple[str, str]] = {
    # lower, upper byte: (hat or breve, tone)
    "ø": ("", _GRAVE), "ù": ("", _ACUTE), "û": ("", _HOOK), "õ": ("", _TILDE), "ï": ("", _DOT),
    "â": (_CIRCUMFLEX, ""), "à": (_CIRCUMFLEX, _GRAVE), "á": (_CIRCUMFLEX, _ACUTE),
    "å": (_CIRCUMFLEX, _HOOK), "ã": (_CIRCUMFLEX, _TILDE), "ä": (_CIRCUMFLEX, _DOT),
    "ê": (_BREVE, ""), "è": (_BREVE, _GRAVE), "é": (_BREVE, _ACUTE),
    "ú": (_BREVE, _HOOK), "ü": (_BREVE, _TILDE), "ë": (_BREVE, _DOT),
}  # fmt: skip
_VNI_SINGLES: dict[str, str] = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
}  # fmt: skip
_VNI_BASES = "aeouy"  # plus ơ and ư, written with their own single bytes ô and ö


def _build_vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for mark, (hat, tone) in _VNI_MARKS.items():
        upper_mark = mark.upper()
        for base in _VNI_BASES + "ôö":
            letter = _VNI_SINGLES.get(base, base)
            if hat == _CIRCUMFLEX and letter not in "aeo":
                continue
            if hat == _BREVE and letter != "a":
                continue
            if hat and letter in "ơư":
                continue
            composed = unicodedata.normalize("NFC", letter + hat + tone)
            table[base + mark] = composed
            # Upper-case letters take upper-case marks; accept a lower-case mark too.
            table[base.upper() + upper_mark] = composed.upper()
            table[base.upper() + mark] = composed.upper()
    for single, letter in _VNI_SINGLES.items():
        table[single] = letter
        table[single.upper()] = letter.upper()
    # Tolerated spellings some converters wrote: a toned i / y as letter + tone byte.
    for mark, (hat, tone) in _VNI_MARKS.items():
        if not hat:
            table.setdefault("i" + mark, unicodedata.normalize("NFC", "i" + tone))
            table.setdefault("I" + mark.upper(), unicodedata.normalize("NFC", "I" + tone))
    return table


_VNI_TABLE = _build_vni_table()
_VNI_PATTERN = re.compile("|".join(re.escape(key) for key in sorted(_VNI_TABLE, key=len, reverse=True)))

# Characters an 8-bit font could have produced once Excel read them as Windows-1252.
_CP1252 = frozenset([bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)])


def decode_tcvn3(text: str, *, uppercase: bool = False) -> str:
    """TCVN3 text (as Windows-1252 characters) to Unicode NFC; `uppercase` for the "H" fonts."""
    decoded = text.translate(_TCVN3_TABLE)
    return decoded.upper() if uppercase else decoded


def restore_tcvn3_capitals(text: str) -> str:
    """Capitalise words that start with a lower-case toned letter among capitalised words.

    The regular TCVN3 fonts have no capital toned letters, so "Nguyễn Phúc Ánh" was typed
    as "NguyÔn Phóc ¸nh" and reads "Nguyễn Phúc ánh"; in a name, every word is capitalised.
    """
    words = text.split(" ")
    capitalised = sum(1 for word in words if word[:1].isupper())
    if capitalised * 2 < len(words):
        return text
    return " ".join(
        word[0].upper() + word[1:] if word[:1].islower() and not word[:1].isascii() else word
        for word in words
    )


def decode_vni(text: str) -> str:
    """VNI-Windows text (as Windows-1252 characters) to Unicode NFC."""
    return _VNI_PATTERN.sub(lambda match: _VNI_TABLE[match.group()], text)


def decode(text: str, encoding: Encoding, *, uppercase: bool = False) -> str:
    """Text in `encoding` to stored Unicode (NFC, single spaces, Icelandic Eth read as Đ)."""
    if encoding == "tcvn3":
        text = decode_tcvn3(text, uppercase=uppercase)
    elif encoding == "vni":
        text = decode_vni(text)
    return nfc(text)


def repair_eth(text: str) -> str:
    """Icelandic Eth "Ð" (U+00D0) that bad converters wrote for "Đ" (DOMAIN.md §8)."""
    return text.replace("\u00d0", "Đ").replace("\u00f0", "đ")


def is_legacy_compatible(text: str) -> bool:
    """Whether an 8-bit font could have produced this text (no Unicode-only letter in it)."""
    return text.isascii() or all(char in _CP1252 for char in text)


# --- Vietnamese syllable shape ---------------------------------------------------------------
_TONES = {_GRAVE: 1, _HOOK: 2, _TILDE: 3, _ACUTE: 4, _DOT: 5}


def _letter_info() -> dict[str, tuple[str, int]]:
    """Lower-case letter -> (letter without tone, tone number) for every Vietnamese letter."""
    info: dict[str, tuple[str, int]] = {ch: (ch, 0) for ch in "abcdefghijklmnopqrstuvwxyz"}
    for base in "aăâeêioôơuưy":
        info[base] = (base, 0)
        for mark, tone in _TONES.items():
            info[unicodedata.normalize("NFC", base + mark)] = (base, tone)
    info["đ"] = ("đ", 0)
    info["ð"] = ("đ", 0)  # Icelandic Eth from bad converters, read as đ
    return info


_LETTERS = _letter_info()
_NUCLEI = (
    "iêu yêu oai oao oay oeo uây uôi ươi ươu uya uyê uyu uêu "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "a ă â e ê i o ô ơ u ư y"
).split()
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđfghjklmnprstvwxz])?"
    r"(?:" + "|".join(_NUCLEI) + r")"
    r"(?:ch|ng|nh|[cmnptk])?"
)
# Words: runs of anything but spaces, ASCII digits and ASCII punctuation (TCVN3 uses
# Latin-1 punctuation-looking characters such as "¨", "·" and the soft hyphen as letters).
_WORD = re.compile(r"[^\s0-9!-/:-@\[-`{-~]+")


@lru_cache(maxsize=65536)
def _is_syllable(word: str) -> bool:
    """Whether a lower-case word has the shape of one Vietnamese syllable."""
    base = []
    toned = False
    for char in word:
        info = _LETTERS.get(char)
        if info is None:
            return False
        if info[1]:
            if toned:
                return False
            toned = True
        base.append(info[0])
    return _SYLLABLE.fullmatch("".join(base)) is not None


def _is_cased_like_a_word(word: str) -> bool:
    return word.islower() or word.isupper() or (word[:1].isupper() and word[1:].islower())


def _valid_unicode_word(word: str) -> bool:
    return _is_cased_like_a_word(word) and _is_syllable(word.lower())


def _valid_legacy_word(word: str, encoding: Encoding) -> tuple[bool, bool]:
    """(valid under `encoding`, typed in an upper-case "H" font) for one non-ASCII word."""
    if not is_legacy_compatible(word):
        return False, False
    decoded = decode_tcvn3(word) if encoding == "tcvn3" else decode_vni(word)
    if not _is_syllable(decoded.lower()):
        return False, False
    if _is_cased_like_a_word(decoded):
        return True, False
    # "NGUYÔN": capitals typed around lower-case toned codes is how the H fonts were used.
    h_font = (
        encoding == "tcvn3"
        and any("A" <= c <= "Z" for c in decoded)
        and not any("a" <= c <= "z" for c in decoded)
    )
    return h_font, h_font


def text_is_vietnamese(text: str) -> bool:
    """Whether every word with a non-ASCII letter reads as a Vietnamese syllable."""
    return all(_valid_unicode_word(word) for word in _WORD.findall(text) if not word.isascii())


@dataclass(frozen=True, slots=True)
class Detection:
    """The verdict on a sample: its encoding, how sure (0-1), whether TCVN3 text was typed
    in an upper-case "H" font, and how many words with non-ASCII letters it rests on."""

    encoding: Encoding
    confidence: float
    uppercase: bool = False
    words: int = 0

    @property
    def is_legacy(self) -> bool:
        return self.encoding != "unicode"


UNICODE = Detection("unicode", 1.0)


def detect(samples: Iterable[str], *, max_words: int = 3000) -> Detection:
    """Detect the encoding of a column or sheet sample by how its words read.

    Counts, over the words that hold a non-ASCII character, how many are valid Vietnamese
    syllables as Unicode, as TCVN3 and as VNI. A legacy encoding is chosen only when it reads
    more words than Unicode and at least half of them; Unicode wins ties. ASCII-only text
    is the same in all three encodings: it is reported as Unicode.
    """
    total = 0
    scores = {"unicode": 0, "tcvn3": 0, "vni": 0}
    h_font_words = 0
    for text in samples:
        if not text or text.isascii():
            continue
        for word in _WORD.findall(text):
            if word.isascii():
                continue
            total += 1
            if _valid_unicode_word(word):
                scores["unicode"] += 1
            valid, h_font = _valid_legacy_word(word, "tcvn3")
            if valid:
                scores["tcvn3"] += 1
                h_font_words += h_font
            if _valid_legacy_word(word, "vni")[0]:
                scores["vni"] += 1
            if total >= max_words:
                break
        if total >= max_words:
            break
    if not total:
        return UNICODE
    legacy: Encoding = "tcvn3" if scores["tcvn3"] >= scores["vni"] else "vni"
    other: Encoding = "vni" if legacy == "tcvn3" else "tcvn3"
    best = scores[legacy]
    if best > scores["unicode"] and best > scores[other] and best * 2 >= total:
        confidence = (best - max(scores["unicode"], scores[other])) / total
        uppercase = legacy == "tcvn3" and h_font_words * 2 > best
        return Detection(legacy, round(confidence, 3), uppercase, total)
    confidence = max(0.0, (scores["unicode"] - best) / total)
    return Detection("unicode", round(confidence, 3), False, total)


def convert(text: str, detection: Detection) -> str:
    """One cell of a column detected as `detection`, to Unicode (text judged Unicode is
    returned untouched: the caller normalises it with everything else).

    In a legacy column a cell is still kept as it is when it cannot be legacy (it holds a
    Unicode-only letter: somebody retyped it later) or when it reads as Vietnamese as it is
    and would not after conversion.
    """
    if detection.encoding == "unicode" or not text:
        return text
    if text.isascii():
        return text.upper() if detection.uppercase else text
    if not is_legacy_compatible(text):
        return text
    decoded = (
        decode_tcvn3(text, uppercase=detection.uppercase)
        if detection.encoding == "tcvn3"
        else decode_vni(text)
    )
    if text_is_vietnamese(text) and not text_is_vietnamese(decoded):
        return text
    return nfc(decoded)
