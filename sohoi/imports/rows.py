"""Rows of a member list sheet -> typed, validated ``ParsedRow`` objects with per-cell issues.

``parse_sheet`` streams: it keeps only a sample of the first rows (to detect TCVN3/VNI text
per column) and then one row at a time, so a million-row CSV never sits in memory.
It skips blank rows, template rows that only carry an STT, repeated header rows, rows of
column numbers and summary rows ("Tổng cộng"), turns group rows ("Thôn An Phú", "Tổ 3")
into the hamlet of the rows below, and stops at the footer (the place/date line,
"Người lập biểu", "TM. BAN CHẤP HÀNH", "CHỦ TỊCH" and the signatures below them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from os import PathLike
from typing import Literal

from .errors import HeaderError
from .headers import BIRTH_BY_GENDER, ColumnMapping, find_header, map_heading
from .legacy import Detection, convert, detect, restore_tcvn3_capitals
from .readers import open_spreadsheet
from .text import cell_text, clean_text, heading_key, smart_case
from .text import tr as _
from .values import (
    ERROR,
    WARNING,
    PartialDate,
    Problem,
    cccd_consistency,
    gender_label,
    is_mark,
    parse_cccd,
    parse_date,
    parse_gender,
    parse_name,
    parse_phone,
)

# Rows read before deciding the encoding of each column.
SAMPLE_ROWS = 300
# A column needs this many words with non-ASCII letters to get its own verdict; with fewer
# it follows the sheet as a whole (a "Dân tộc" column of "Kinh" says nothing).
MIN_COLUMN_WORDS = 5
# Text fields and their maximum length (the register's columns).
TEXT_FIELDS = {
    "address": 255, "hamlet": 100, "ethnicity": 50, "card_number": 50, "member_number": 50,
    "branch": 150, "note": 1000,
}  # fmt: skip
TEXT_CACHE_SIZE = 65536
# A footer or group row is sparse: it has at most this many non-empty cells.
SPARSE_ROW = 4

# Footer lines, on heading_key(): the place/date line and the signature block. Only lines
# that never start a member's name: "Tô Trường" is a person, "Tổ trưởng" would be a role.
_FOOTER = re.compile(
    r"(?:.* )?ngay(?: \d{1,2})? thang(?: \d{1,2})? nam(?: \d{2,4})?(?: .*)?"
    r"|(?:tm |t m )?(?:nguoi lap(?: bieu| bang| danh sach| bao cao)?|nguoi duyet"
    r"|ban chap hanh|bch|ban thuong vu|chu tich|pho chu tich|chi hoi truong|truong ban"
    r"|xac nhan(?: cua)?|ky ten|ky ghi ro ho ten|ky va ghi ro ho ten|ky ho ten|ky dong dau"
    r"|uy ban nhan dan|ubnd|noi nhan|thu truong don vi)(?: .*)?"
    r"|tm|t m"
)
# Summary lines are skipped, not an end: "Tổng cộng", "Tổng số: 120", "Cộng: 25" (not "Công").
_SUMMARY = re.compile(r"(?:tong cong|tong so)(?: .*)?|cong(?: so)? \d.*")
# Group rows: "I. Thôn An Phú", "Tổ 3", "Chi hội thôn Đông" (not "Bàn Văn A", "Lăng Thị B").
_GROUP = re.compile(
    r"(?:(?:[ivx]+|[a-e]|\d{1,2}) )?"
    r"((?:thon|xom|ap|khu pho|to dan pho|khoi pho|khom|chi hoi|phan hoi|to hoi)(?: .*)?"
    r"|(?:to|doi|ban|khu|khoi|lang) \d+(?: .*)?)"
)
_GROUP_PREFIX = re.compile(r"^\s*(?:[IVXivx]+|[A-Ea-e]|\d{1,2})\s*[.)/:-]\s*")
_BRANCH_GROUP = re.compile(r"(?:chi hoi|phan hoi|to hoi)\b")


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem of one cell: Excel column letter ("C"), its heading, severity, message."""

    column: str
    heading: str
    severity: Literal["error", "warning"]
    message: str
    field: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(slots=True)
class ParsedRow:
    """One member row as typed values (all text NFC), with its issues."""

    sheet: str
    row: int  # 1-based, as Excel shows it
    full_name: str | None = None
    family: str = ""
    middle: str = ""
    given: str = ""
    birth: PartialDate | None = None
    gender: Literal["male", "female"] | None = None
    cccd: str | None = None
    id_type: Literal["cccd", "cmnd"] | None = None
    phone: str | None = None  # E.164
    phone_display: str | None = None
    address: str | None = None
    hamlet: str | None = None
    ethnicity: str | None = None
    joined: PartialDate | None = None
    card_number: str | None = None
    card_issued: PartialDate | None = None
    member_number: str | None = None
    branch: str | None = None
    note: str | None = None
    section: str | None = None  # the group row above ("Thôn An Phú")
    issues: list[Issue] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(issue.severity == ERROR for issue in self.issues)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == WARNING]


@dataclass
class ParseStats:
    """What parse_sheet skipped and decided, for the preview ("stopped at row 128: footer")."""

    rows: int = 0
    blank: int = 0
    skipped: int = 0
    footer_row: int | None = None
    encodings: dict[str, Detection] = field(default_factory=dict)


# "Họ và tên", "HỌ TÊN", "Ho va ten", "Hä vµ tªn" (TCVN3), "Hoï vaø teân" (VNI), "Tên hội viên".
_NAME_HEADING_START = re.compile(r"\s*(?:họ|hä|hoï|ho\b|tên|ten\b|tªn|teân)", re.IGNORECASE).match


def _looks_like_name_heading(cell: str) -> bool:
    """The name heading repeated on every printed page (cheap test first: this runs per row)."""
    return len(cell) <= 40 and _NAME_HEADING_START(cell) is not None and map_heading(cell) == "full_name"


def _blank(cell: object) -> bool:
    return cell == "" or cell is None or (type(cell) is str and cell.isspace())


def _is_number_like(cell: object) -> bool:
    return _number_cell(cell) or (type(cell) is str and cell.strip().isdigit())


def _number_cell(cell: object) -> bool:
    return isinstance(cell, (int, float)) and not isinstance(cell, bool)


def parse_sheet(
    rows: Iterable[Sequence[object]],
    mapping: ColumnMapping,
    *,
    sheet: str = "",
    today: date | None = None,
    stats: ParseStats | None = None,
    encodings: Mapping[str, Detection] | None = None,
) -> Iterator[ParsedRow]:
    """Parse the rows of one sheet, from its first row (header rows are skipped by
    `mapping.data_start`). `encodings` forces a field's encoding instead of detecting it."""
    parser = _SheetParser(mapping, sheet=sheet, today=today or date.today(), stats=stats or ParseStats())
    return parser.parse(rows, encodings or {})


class _SheetParser:
    """The per-sheet state of parse_sheet. The row loop is the hot path of an import (100,000
    rows and more): column positions are resolved once here, and a row's cells are read
    directly, without per-cell helper objects."""

    def __init__(self, mapping: ColumnMapping, *, sheet: str, today: date, stats: ParseStats):
        self.mapping = mapping
        self.sheet = sheet
        self.today = today
        self.stats = stats
        columns = mapping.columns
        self.columns = columns
        self.name_index = columns["full_name"]
        self.row_number_index = columns.get("row_number")
        self.male_index, self.female_index = mapping.birth_by_gender or (None, None)
        self.gender_index = columns.get("gender")
        self.birth_index = columns.get("birth")
        self.age_index = columns.get("age")
        self.cccd_index = columns.get("cccd")
        self.phone_index = columns.get("phone")
        # (field, column, maximum length, title-case it, cache of cell -> stored text): hamlets,
        # ethnicities and notes repeat down a list.
        self.text_fields: list[tuple[str, int, int, bool, dict[object, str]]] = [
            (name, columns[name], maximum, name in ("ethnicity", "hamlet", "branch"), {})
            for name, maximum in TEXT_FIELDS.items()
            if name in columns
        ]
        self.date_fields = [(name, columns[name]) for name in ("joined", "card_issued") if name in columns]
        used = [
            *columns.values(),
            *(index for index in (self.male_index, self.female_index) if index is not None),
        ]
        self.min_width = max(used) + 1
        self.letters = {index: mapping.letter(index) for index in range(self.min_width)}
        self.text_columns = sorted(
            {
                index
                for name, index in columns.items()
                if name in TEXT_FIELDS or name in ("full_name", "gender")
            }
        )
        self.converters: dict[int, Detection] = {}

    # --- encodings -------------------------------------------------------------------------

    def _detect_encodings(self, sample: list[Sequence[object]], forced: Mapping[str, Detection]) -> None:
        by_column: dict[int, list[str]] = {index: [] for index in self.text_columns}
        for raw in sample:
            for index in self.text_columns:
                if index < len(raw) and type(raw[index]) is str and raw[index]:
                    by_column[index].append(raw[index])
        sheet_texts = [text for texts in by_column.values() for text in texts]
        sheet_texts.extend(text for text in self.mapping.headings.values() if text)
        sheet_detection = detect(sheet_texts)
        names = {index: name for name, index in self.columns.items()}
        for index, texts in by_column.items():
            name = names[index]
            if name in forced:
                detection = forced[name]
            else:
                detection = detect(texts)
                if detection.words < MIN_COLUMN_WORDS:
                    detection = sheet_detection if sheet_detection.is_legacy else detection
            self.stats.encodings[name] = detection
            if detection.is_legacy:
                self.converters[index] = detection

    def _text(self, raw: Sequence[object], index: int) -> str:
        """A cell as text, converted from TCVN3/VNI when its column is legacy, not yet NFC."""
        cell = raw[index]
        if type(cell) is not str:
            return cell_text(cell)
        detection = self.converters.get(index)
        return convert(cell, detection) if detection is not None else cell

    # --- rows ------------------------------------------------------------------------------

    def parse(self, rows: Iterable[Sequence[object]], forced: Mapping[str, Detection]) -> Iterator[ParsedRow]:
        iterator = iter(rows)
        for _skip in range(self.mapping.data_start):
            if next(iterator, None) is None:
                return
        sample = list(islice(iterator, SAMPLE_ROWS))
        self._detect_encodings(sample, forced)
        section: str | None = None
        hamlet_from_section: str | None = None
        branch_from_section: str | None = None
        stats = self.stats
        name_index = self.name_index
        min_width = self.min_width
        excel_row = self.mapping.data_start
        for raw in chain(sample, iterator):
            excel_row += 1
            if len(raw) < min_width:
                raw = [*raw, *([""] * (min_width - len(raw)))]
            if len(raw) - raw.count("") <= SPARSE_ROW:
                filled = [
                    index
                    for index, cell in enumerate(raw)
                    if cell != "" and not (type(cell) is str and cell.isspace())
                ]
                if not filled or (filled == [self.row_number_index] and _is_number_like(raw[filled[0]])):
                    stats.blank += 1  # blank, or a template row numbered in advance
                    continue
                kind, text = self._sparse_row_kind(raw, filled)
                if kind == "footer":
                    stats.footer_row = excel_row
                    return
                if kind == "skip" or (kind == "data" and self._is_numbering(raw)):
                    stats.skipped += 1
                    continue
                if kind == "group":
                    section = text
                    label = _GROUP_PREFIX.sub("", text)
                    if _BRANCH_GROUP.match(heading_key(label)):
                        branch_from_section, hamlet_from_section = label, None
                    else:
                        hamlet_from_section = label
                    stats.skipped += 1
                    continue
            else:
                name_cell = raw[name_index]
                if type(name_cell) is not str or name_cell[:1] == "(":
                    if self._is_numbering(raw):
                        stats.skipped += 1
                        continue
                elif _looks_like_name_heading(name_cell):
                    stats.skipped += 1  # the header repeated on every printed page
                    continue
            stats.rows += 1
            row = self._parse_row(raw, excel_row)
            if section is not None:
                row.section = section
                if row.hamlet is None and hamlet_from_section:
                    row.hamlet = hamlet_from_section
                if row.branch is None and branch_from_section:
                    row.branch = branch_from_section
            yield row

    def _sparse_row_kind(self, raw: Sequence[object], filled: list[int]) -> tuple[str, str]:
        """The kind of a sparse row: footer, skip (a summary line), group (a section heading) or data."""
        name_index = self.name_index
        name_filled = name_index in filled
        texts = []
        for index in filled:
            cell = raw[index]
            if type(cell) is str and (not name_filled or index == name_index):
                # In a member row only the name counts: its note may say "Chủ tịch chi hội".
                texts.append((index, clean_text(self._text(raw, index))))
        for _index, text in texts:
            key = heading_key(text)
            if _FOOTER.fullmatch(key):
                return "footer", text
            if _SUMMARY.fullmatch(key):
                return "skip", text
        # A group row: one text cell ("II. Thôn Tây", often merged from column A), or an
        # STT-column numeral and one text cell.
        candidates = (
            filled if len(filled) == 1 else [index for index in filled if index != self.row_number_index]
        )
        if len(candidates) == 1 and type(raw[candidates[0]]) is str:
            text = clean_text(self._text(raw, candidates[0]))
            if _GROUP.fullmatch(heading_key(text)):
                return "group", text
        return "data", ""

    def _is_numbering(self, raw: Sequence[object]) -> bool:
        """A row of column numbers ("(1) (2) (3)" or 1 2 3) repeated on a printed page."""
        name_cell = raw[self.name_index]
        filled = [cell for cell in raw if cell != ""]
        if _number_cell(name_cell):
            return len(filled) > 2 and all(_number_cell(cell) for cell in filled)
        return (
            type(name_cell) is str
            and name_cell.strip().startswith("(")
            and all(type(cell) is str and cell.strip().strip("()").isdigit() for cell in filled)
        )

    def _issue(self, issues: list[Issue], index: int, name: str, problem: Problem) -> None:
        issues.append(
            Issue(self.letters[index], self.mapping.heading(index), problem.severity, problem.message, name)
        )

    def _parse_row(self, raw: Sequence[object], excel_row: int) -> ParsedRow:
        row = ParsedRow(self.sheet, excel_row)
        issues = row.issues
        converters = self.converters

        index = self.name_index
        cell = raw[index]
        if converters and type(cell) is str and index in converters:
            detection = converters[index]
            cell = convert(cell, detection)
            if detection.encoding == "tcvn3" and not detection.uppercase:
                cell = restore_tcvn3_capitals(cell)
        name, problem = parse_name(cell) if cell != "" else (None, None)
        if name is None and problem is None:
            problem = Problem(ERROR, _("Thiếu họ tên"))
        if problem:
            self._issue(issues, index, "full_name", problem)
        if name is not None:
            row.full_name, row.family, row.middle, row.given = name

        # Gender: the "Giới tính" column, then the Nam | Nữ pair.
        index = self.gender_index
        if index is not None and raw[index] != "":
            row.gender, problem = parse_gender(self._text(raw, index) if converters else raw[index])
            if problem:
                self._issue(issues, index, "gender", problem)

        index = self.birth_index
        if index is not None and raw[index] != "":
            row.birth, problem = parse_date(raw[index], today=self.today)
            if problem:
                self._issue(issues, index, "birth", problem)
        if self.male_index is not None or self.female_index is not None:
            self._birth_by_gender(raw, row)

        index = self.age_index
        if row.birth is None and index is not None and raw[index] != "":
            self._birth_from_age(raw[index], index, row)

        index = self.cccd_index
        if index is not None and raw[index] != "":
            citizen_id, problem = parse_cccd(raw[index])
            if citizen_id is not None:
                row.cccd, row.id_type = citizen_id
                if problem is None and citizen_id.id_type == "cccd":
                    problem = cccd_consistency(
                        citizen_id.number, row.gender, row.birth.year if row.birth else None
                    )
            if problem:
                self._issue(issues, index, "cccd", problem)

        index = self.phone_index
        if index is not None and raw[index] != "":
            phone, problem = parse_phone(raw[index])
            if phone is not None:
                row.phone, row.phone_display = phone
            if problem:
                self._issue(issues, index, "phone", problem)

        for name_, index, maximum, recase, text_cache in self.text_fields:
            cell = raw[index]
            if cell == "":
                continue
            text = text_cache.get(cell)
            if text is None:
                if type(cell) is not str or index in converters:
                    cell = self._text(raw, index)
                text = clean_text(cell)
                if len(text) > maximum:
                    self._issue(
                        issues, index, name_, Problem(ERROR, _("Dài quá %(max)s ký tự") % {"max": maximum})
                    )
                    continue
                if recase:
                    text = smart_case(text)
                if len(text_cache) >= TEXT_CACHE_SIZE:
                    text_cache.clear()
                text_cache[raw[index]] = text
            if text:
                setattr(row, name_, text)

        for name_, index in self.date_fields:
            cell = raw[index]
            if cell == "":
                continue
            value, problem = parse_date(cell, today=self.today)
            if (
                value is not None
                and row.birth is not None
                and value.year <= row.birth.year
                and value.to_date() < row.birth.to_date()
            ):
                value, problem = None, Problem(ERROR, _("Ngày này trước ngày sinh"))
            setattr(row, name_, value)
            if problem:
                self._issue(issues, index, name_, problem)
        return row

    def _birth_by_gender(self, raw: Sequence[object], row: ParsedRow) -> None:
        """The classic form: the birth year (or date, or a tick) is written in the Nam column
        or in the Nữ column, and that column gives the sex."""
        male, female = self.male_index, self.female_index
        male_cell = raw[male] if male is not None else ""
        female_cell = raw[female] if female is not None else ""
        cells = []
        if male_cell != "" and not _blank(male_cell):
            cells.append((male, "male", male_cell))
        if female_cell != "" and not _blank(female_cell):
            cells.append((female, "female", female_cell))
        if len(cells) == 2:
            index = cells[1][0]
            self._issue(
                row.issues,
                index,
                BIRTH_BY_GENDER,
                Problem(ERROR, _("Ghi cả ở cột Nam và cột Nữ: chỉ được ghi ở một cột")),
            )
            return
        if not cells:
            # A lone "Nữ" tick column: an empty cell means the other sex.
            if row.gender is None and (self.male_index is None) != (self.female_index is None):
                row.gender = "male" if self.male_index is None else "female"
            return
        index, gender, value = cells[0]
        if row.gender is not None and row.gender != gender:
            self._issue(
                row.issues,
                index,
                BIRTH_BY_GENDER,
                Problem(
                    WARNING,
                    _("Cột Giới tính ghi %(given)s nhưng năm sinh ghi ở cột %(column)s")
                    % {"given": gender_label(row.gender), "column": gender_label(gender)},
                ),
            )
        else:
            row.gender = gender  # type: ignore[assignment]
        if is_mark(value):
            return
        birth, problem = parse_date(value, today=self.today)
        if problem:
            self._issue(row.issues, index, BIRTH_BY_GENDER, problem)
        if row.birth is None:
            row.birth = birth

    def _birth_from_age(self, value: object, index: int, row: ParsedRow) -> None:
        text = cell_text(value).strip()
        if not text.isdigit() or not 0 < int(text) < 130:
            self._issue(
                row.issues,
                index,
                "age",
                Problem(ERROR, _("Tuổi «%(value)s» không hợp lệ") % {"value": text[:20]}),
            )
            return
        row.birth = PartialDate(self.today.year - int(text))
        self._issue(
            row.issues,
            index,
            "age",
            Problem(
                WARNING, _("Không có năm sinh: đã tính năm sinh %(year)s từ tuổi") % {"year": row.birth.year}
            ),
        )


# --- A whole file --------------------------------------------------------------------------------


@dataclass
class ParsedSheet:
    """One sheet of a file: its mapping (or why it has none) and its parsed rows (a stream)."""

    name: str
    mapping: ColumnMapping | None
    error: HeaderError | None
    rows: Iterator[ParsedRow]
    stats: ParseStats


HEAD_ROWS = 30


def parse_file(
    path: str | PathLike[str],
    *,
    max_bytes: int | None = None,
    filename: str | None = None,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    today: date | None = None,
) -> Iterator[ParsedSheet]:
    """Every non-empty sheet of a file, header found and rows parsed lazily.

    `overrides` maps a sheet name to the user's column choices (ColumnMapping.override).
    A sheet without a name column comes with `error` set and no rows: a workbook may hold
    a summary sheet next to the lists. Consume each sheet's rows before the next sheet.
    Raises SpreadsheetError when the file itself cannot be read.
    """
    with open_spreadsheet(path, max_bytes=max_bytes, filename=filename) as book:
        for sheet in book.sheets():
            head = list(islice(sheet.rows, HEAD_ROWS))
            stats = ParseStats()
            try:
                mapping = find_header(head, first_column=sheet.first_column)
            except HeaderError as error:
                yield ParsedSheet(sheet.name, None, error, iter(()), stats)
                continue
            if overrides and sheet.name in overrides:
                mapping = mapping.override(overrides[sheet.name])  # type: ignore[arg-type]
            rows = parse_sheet(chain(head, sheet.rows), mapping, sheet=sheet.name, today=today, stats=stats)
            yield ParsedSheet(sheet.name, mapping, None, rows, stats)
