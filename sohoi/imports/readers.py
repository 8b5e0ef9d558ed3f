"""Open a spreadsheet file as a stream of sheets, each a stream of rows.

.xlsx, .xlsm, .xlsb, .xls and .ods go through python-calamine (BASELINES.md: 8x faster than
openpyxl). calamine holds one sheet's cells at a time; its rows become Python lists one by
one (``iter_rows``), and the previous sheet is dropped before the next is loaded. CSV is read
with ``csv.reader`` over a decoding stream, never whole: UTF-8 (with or without BOM), UTF-16
(Excel's "Unicode Text"), Windows-1258, or the 8-bit bytes of TCVN3/VNI text; delimiter
sniffed among comma, semicolon and tab.

The kind of file is taken from its first bytes, not its name. Every failure, including any
calamine exception, becomes a SpreadsheetError with a Vietnamese message.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Literal

import python_calamine

from .errors import SpreadsheetError
from .legacy import detect
from .text import tr as _

Kind = Literal["xlsx", "xls", "ods", "csv"]
# What a cell holds: str, float, int, bool, date, datetime, time or timedelta ("" when empty).
Cell = object

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SNIFF_BYTES = 256 * 1024
_VALIDATE_CHUNK = 256 * 1024
# A zip may expand far beyond its size; refuse an .xlsx whose parts add up to more than this
# many times the size limit (a real workbook compresses 5-15 times).
ZIP_EXPANSION_LIMIT = 40


@dataclass
class Sheet:
    """One sheet: its name, its rows from the sheet's first row (row i is Excel row i + 1),
    and the sheet column of each row's first cell (calamine drops empty leading columns)."""

    name: str
    rows: Iterator[list[Cell]]
    first_column: int = 0


def broken_file() -> SpreadsheetError:
    return SpreadsheetError(_("Tệp bị hỏng hoặc không phải bảng tính"), code="file_broken", field="file")


def empty_file() -> SpreadsheetError:
    return SpreadsheetError(_("Tệp trống"), code="file_empty", field="file")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


class Spreadsheet:
    """An open spreadsheet file. Use as a context manager; iterate `sheets()` once."""

    def __init__(self, path: Path, kind: Kind, name: str):
        self.path = path
        self.kind = kind
        self.name = name
        self._workbook: python_calamine.CalamineWorkbook | None = None
        if kind != "csv":
            self._workbook = _calamine(lambda: python_calamine.CalamineWorkbook.from_path(str(path)))

    @property
    def sheet_names(self) -> list[str]:
        if self._workbook is None:
            return [self.name]
        return [meta.name for meta in self._visible_sheets()]

    def _visible_sheets(self) -> list[python_calamine.SheetMetadata]:
        assert self._workbook is not None
        return [
            meta
            for meta in self._workbook.sheets_metadata
            if meta.visible == python_calamine.SheetVisibleEnum.Visible
            and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]

    def sheets(self) -> Iterator[Sheet]:
        """The non-empty visible sheets, in workbook order. Raises SpreadsheetError("Tệp
        trống") at the end when no sheet had anything in it."""
        if self._workbook is None:
            yield Sheet(self.name, _csv_rows(self.path))
            return
        found = False
        for meta in self._visible_sheets():
            sheet = _calamine(lambda name=meta.name: self._workbook.get_sheet_by_name(name))  # type: ignore[union-attr]
            start = sheet.start
            if start is None:
                continue
            found = True
            yield Sheet(meta.name, _calamine_rows(sheet), first_column=start[1])
            del sheet
        if not found:
            raise empty_file()

    def close(self) -> None:
        if self._workbook is not None:
            try:
                self._workbook.close()
            except BaseException as error:  # closing twice raises WorkbookClosed
                _reraise_interrupts(error)
            self._workbook = None

    def __enter__(self) -> Spreadsheet:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def open_spreadsheet(
    path: str | PathLike[str], *, max_bytes: int | None = None, filename: str | None = None
) -> Spreadsheet:
    """Open a member list file. `filename` is the name the user uploaded (for the sheet name
    of a CSV); `max_bytes` refuses larger files with "Tệp quá lớn"."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as error:
        raise broken_file() from error
    if size == 0 or not head.strip():
        raise empty_file()
    if max_bytes is not None and size > max_bytes:
        raise _too_large(size, max_bytes)
    name = Path(filename or path.name).stem or "CSV"
    if head.startswith(_ZIP):
        return Spreadsheet(path, _zip_kind(path, max_bytes), name)
    if head.startswith(_OLE2):
        return Spreadsheet(path, "xls", name)
    if _looks_like_markup(head):
        raise SpreadsheetError(
            _("Tệp này là trang web (HTML/XML) mang đuôi Excel: hãy mở bằng Excel rồi lưu lại dạng .xlsx"),
            code="file_unsupported",
            field="file",
        )
    if not _looks_like_text(head):
        raise broken_file()
    return Spreadsheet(path, "csv", name)


def _too_large(size: int, max_bytes: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("Tệp quá lớn (%(size)s MB; tối đa %(max)s MB)")
        % {"size": _megabytes(size), "max": _megabytes(max_bytes)},
        code="file_too_large",
        field="file",
    )


def _zip_kind(path: Path, max_bytes: int | None) -> Kind:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if max_bytes is not None:
                expanded = sum(info.file_size for info in infos)
                if expanded > max_bytes * ZIP_EXPANSION_LIMIT:
                    raise _too_large(expanded, max_bytes * ZIP_EXPANSION_LIMIT)
            if "mimetype" in names and "content.xml" in names:
                if b"spreadsheet" not in archive.read("mimetype"):
                    raise broken_file()
                return "ods"
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as error:
        raise broken_file() from error
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    raise broken_file()  # a .docx, a .zip of photos …


def _looks_like_markup(head: bytes) -> bool:
    start = head[:1024].lstrip(codecs.BOM_UTF8).lstrip().lower()
    return start.startswith((b"<html", b"<!doctype html", b"<?xml", b"<table", b"<meta"))


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = head[:8192]
    if b"\x00" in sample:
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return controls * 100 <= len(sample)


def _reraise_interrupts(error: BaseException) -> None:
    if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
        raise error


def _calamine(call):  # type: ignore[no-untyped-def]
    """Run a calamine call; any failure, including a Rust panic (a BaseException), becomes a
    SpreadsheetError."""
    try:
        return call()
    except BaseException as error:
        _reraise_interrupts(error)
        if isinstance(error, python_calamine.PasswordError):
            raise SpreadsheetError(
                _("Tệp có mật khẩu: hãy mở bằng Excel, bỏ mật khẩu rồi tải lên lại"),
                code="file_password",
                field="file",
            ) from error
        raise broken_file() from error


def _calamine_rows(sheet: python_calamine.CalamineSheet) -> Iterator[list[Cell]]:
    rows = _calamine(sheet.iter_rows)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except BaseException as error:
            _reraise_interrupts(error)
            raise broken_file() from error
        yield row


# --- CSV -----------------------------------------------------------------------------------


def csv_encoding(path: Path) -> str:
    """The encoding of a CSV file: a BOM says it; else UTF-8 if every byte of the file decodes
    (checked in chunks, never the whole file at once); else Windows-1252 when the bytes read
    as TCVN3/VNI text (the legacy converter works on those characters); else Windows-1258."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        decoder = codecs.getincrementaldecoder("utf-8")()
        handle.seek(0)
        try:
            while chunk := handle.read(_VALIDATE_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    sample = head.decode("cp1252", errors="replace")
    if detect(sample.splitlines()).is_legacy:
        return "cp1252"  # the legacy converter expects the Windows-1252 look-alikes
    return "cp1258"


def sniff_delimiter(sample: str) -> str:
    """The delimiter among , ; and tab that splits the first lines into the most columns, the
    same number on most lines."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        counts: dict[int, int] = {}
        for fields in csv.reader(lines, delimiter=delimiter):
            counts[len(fields)] = counts.get(len(fields), 0) + 1
        width, lines_with_width = max(
            ((width, number) for width, number in counts.items() if width > 1),
            key=lambda item: item[1],
            default=(1, 0),
        )
        score = (lines_with_width, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(path: Path) -> Iterator[list[Cell]]:
    encoding = csv_encoding(path)
    try:
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            delimiter = sniff_delimiter(text.read(64 * 1024))
            text.seek(0)
            yield from csv.reader(text, delimiter=delimiter)
    except (csv.Error, UnicodeError, OSError) as error:
        raise broken_file() from error
