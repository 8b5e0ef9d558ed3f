"""Test fixtures built on the fly: a minimal OpenDocument spreadsheet writer, and the legacy
encoders (Unicode -> TCVN3 / VNI) the round-trip tests need.

The encoders are written from the published tables independently of sohoi.imports.legacy
(TCVN3 as the converter-style pair of strings, VNI as explicit letter sequences), so a
round trip checks one transcription against the other.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

# --- TCVN3 ------------------------------------------------------------------------------------
# The pair of strings every TCVN3 converter carries: each Unicode letter above the TCVN3
# character (as Windows-1252) in the same position.
_TCVN3_UNICODE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ"
_TCVN3_LEGACY = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ¡¢§£¤¥¦"
assert len(_TCVN3_UNICODE) == len(_TCVN3_LEGACY) == 74
_TO_TCVN3 = str.maketrans(_TCVN3_UNICODE, _TCVN3_LEGACY)


def encode_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 (regular fonts: upper-case toned letters do not exist there)."""
    encoded = text.translate(_TO_TCVN3)
    leftover = [char for char in encoded if ord(char) > 0xFF]
    assert not leftover, f"not representable in a regular TCVN3 font: {leftover}"
    return encoded


def encode_tcvn3_h_font(text: str) -> str:
    """Upper-case text as typed with a .VnTimeH font: the lower-case codes, drawn as capitals."""
    return encode_tcvn3(text.lower())


# --- VNI-Windows ------------------------------------------------------------------------------
_VNI_LOWER = {
    "à": "aø", "á": "aù", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "ă": "aê", "ằ": "aè", "ắ": "aé", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "â": "aâ", "ầ": "aà", "ấ": "aá", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "è": "eø", "é": "eù", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ề": "eà", "ế": "eá", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "ò": "oø", "ó": "où", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ồ": "oà", "ố": "oá", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ơ": "ô", "ờ": "ôø", "ớ": "ôù", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ù": "uø", "ú": "uù", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ư": "ö", "ừ": "öø", "ứ": "öù", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "ỳ": "yø", "ý": "yù", "ỷ": "yû", "ỹ": "yõ", "ỵ": "î",
    "đ": "ñ",
}  # fmt: skip
_VNI = {**_VNI_LOWER, **{key.upper(): value.upper() for key, value in _VNI_LOWER.items()}}


def encode_vni(text: str) -> str:
    return "".join(_VNI.get(char, char) for char in text)


# --- A minimal OpenDocument spreadsheet writer ------------------------------------------------
_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
_CONTENT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet>"""
_CONTENT_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _ods_cell(value: object, span: int = 1) -> str:
    spanned = f' table:number-columns-spanned="{span}"' if span > 1 else ""
    covered = "<table:covered-table-cell/>" * (span - 1)
    if value is None or value == "":
        return f"<table:table-cell{spanned}/>{covered}"
    if isinstance(value, date):
        return (
            f'<table:table-cell{spanned} office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>{covered}"
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (
            f'<table:table-cell{spanned} office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>{covered}"
        )
    return (
        f'<table:table-cell{spanned} office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        f"</table:table-cell>{covered}"
    )


def write_ods(
    path: Path, sheets: dict[str, list[list[object]]], merges: dict[tuple[str, int, int], int] | None = None
) -> Path:
    """Write an .ods with the given sheets of rows. `merges` maps (sheet, row, column) to the
    number of columns the cell spans (the covered cells that follow are written for you)."""
    merges = merges or {}
    parts = [_CONTENT_HEAD]
    for name, rows in sheets.items():
        parts.append(f'<table:table table:name="{escape(name)}">')
        for row_index, row in enumerate(rows):
            parts.append("<table:table-row>")
            column = 0
            while column < len(row):
                span = merges.get((name, row_index, column), 1)
                parts.append(_ods_cell(row[column], span))
                column += span
            parts.append("</table:table-row>")
        parts.append("</table:table>")
    parts.append(_CONTENT_TAIL)
    with zipfile.ZipFile(path, "w") as archive:
        # The mimetype entry comes first and is stored uncompressed (ODF 1.2, 3.3).
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", "".join(parts), compress_type=zipfile.ZIP_DEFLATED)
    return path


# --- Windows-1258 ---------------------------------------------------------------------------
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: letters with a hat, breve or horn are precomposed and
    the tone follows as a combining mark ("ễ" is ê + U+0303)."""
    import unicodedata

    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in decomposed if mark in _TONE_MARKS)
        letter = unicodedata.normalize("NFC", "".join(mark for mark in decomposed if mark not in _TONE_MARKS))
        out.append(letter + tones)
    return "".join(out).encode("cp1258")
