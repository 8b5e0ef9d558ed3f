"""Find the header row of a member list and map its columns to fields.

Real lists start with title rows ("HỘI NGƯỜI CAO TUỔI XÃ …", "DANH SÁCH HỘI VIÊN …"), may
have a two-row header (``Năm sinh`` merged above ``Nam`` | ``Nữ``, the classic form where the
column holding the birth year gives the sex), a row of column numbers "(1) (2) (3)" below the
header, and headings in any spelling: with or without accents, "Họ, tên", "Ho va ten", or in
TCVN3. Merged cells come through calamine as the value in the first cell and empty cells
elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from django.utils.translation import gettext_lazy

from .errors import HeaderError, MappingError
from .legacy import decode_tcvn3, decode_vni, is_legacy_compatible
from .text import clean_text, column_letter, heading_key
from .text import tr as _

# Canonical fields, in the order a preview shows them.
FIELDS = (
    "row_number", "full_name", "birth", "gender", "cccd", "phone", "address", "hamlet",
    "ethnicity", "joined", "card_number", "card_issued", "member_number", "branch", "age", "note",
)  # fmt: skip
BIRTH_BY_GENDER = "birth_by_gender"

FIELD_LABELS = {
    "row_number": gettext_lazy("STT"),
    "full_name": gettext_lazy("Họ và tên"),
    "birth": gettext_lazy("Ngày/năm sinh"),
    "gender": gettext_lazy("Giới tính"),
    "cccd": gettext_lazy("Số CCCD/CMND"),
    "phone": gettext_lazy("Số điện thoại"),
    "address": gettext_lazy("Địa chỉ"),
    "hamlet": gettext_lazy("Thôn/Tổ"),
    "ethnicity": gettext_lazy("Dân tộc"),
    "joined": gettext_lazy("Ngày vào Hội"),
    "card_number": gettext_lazy("Số thẻ hội viên"),
    "card_issued": gettext_lazy("Ngày cấp thẻ"),
    "member_number": gettext_lazy("Mã hội viên"),
    "branch": gettext_lazy("Chi hội/Tổ hội"),
    "age": gettext_lazy("Tuổi"),
    "note": gettext_lazy("Ghi chú"),
    BIRTH_BY_GENDER: gettext_lazy("Năm sinh theo cột Nam/Nữ"),
}

# Markers for the Nam | Nữ columns (sub-headings, or flattened "Năm sinh Nam").
MALE, FEMALE = "@male", "@female"

# Rules on heading_key(): accents, case, punctuation and spacing are already gone.
# Order matters: the first rule that matches wins ("nam sinh nam" before "nam sinh …").
_RULES: tuple[tuple[str, str], ...] = (
    (r"(?:nam|ngay) sinh (?:cua )?nam(?: gioi)?", MALE),
    (r"(?:nam|ngay) sinh (?:cua )?nu(?: gioi)?", FEMALE),
    (r"nam(?: gioi)?", MALE),
    (r"nu(?: gioi)?", FEMALE),
    (r"(?:so )?(?:stt|tt|thu tu)", "row_number"),
    (r"(?:ho va ten|ho ten|ho chu lot va ten|ho va chu lot ten|ho ten dem|ten hoi vien|ho va ten day du)(?: .*)?", "full_name"),
    (r"(?:ngay cap the|nam cap the|ngay cap the hoi vien)(?: .*)?", "card_issued"),
    (r"(?:ngay|nam|thoi gian|ngay thang nam) (?:vao hoi|ket nap|gia nhap|tham gia|vao)(?: .*)?", "joined"),
    (r"(?:vao hoi|ket nap)(?: ngay| nam| thang nam| ngay thang nam)?(?: .*)?", "joined"),
    (r"(?:nam sinh|ngay sinh|ngay thang nam sinh|ngay thang sinh|thang nam sinh|sinh ngay|sinh nam|ns)(?: .*)?", "birth"),
    (r"(?:gioi tinh|gioi|phai|nam nu|nam hay nu|nam hoac nu)(?: .*)?", "gender"),
    (r"(?:so )?(?:cccd|cmnd|cmt|can cuoc|can cuoc cong dan|the can cuoc|dinh danh|dinh danh ca nhan|chung minh nhan dan|chung minh thu|ma dinh danh)(?: .*)?", "cccd"),
    (r"(?:so )?(?:dien thoai|dt|sdt|dtdd|di dong|dt lien he|dt di dong)(?: .*)?", "phone"),
    (r"dan toc(?: .*)?", "ethnicity"),
    (r"(?:so )?(?:the hoi vien|the hv|the)(?: so)?(?: hoi vien| hv)?", "card_number"),
    (r"(?:ma hoi vien|ma hv|ma so hoi vien|ma so hv|so hieu hoi vien|ma so|so hieu|ma)", "member_number"),
    (r"(?:ghi chu|chu thich)(?: .*)?", "note"),
    (r"(?:chi hoi|to hoi|phan hoi|don vi|thuoc chi hoi|sinh hoat tai|sinh hoat tai chi hoi|chi hoi to hoi)(?: .*)?", "branch"),
    (r"(?:thon|to|xom|ap|khu pho|to dan pho|tdp|khom|ban|thon xom|thon to|to thon|thon ban|thon ap|ap khom|khu|to khu pho|khoi|khoi pho|doi|lang|thon lang|khu dan cu)", "hamlet"),
    (r"(?:dia chi|noi o|cho o|noi cu tru|noi thuong tru|dia chi thuong tru|ho khau thuong tru|ho khau|hktt|thuong tru|tru quan|dia chi cu tru|noi sinh song)(?: .*)?", "address"),
    (r"(?:tuoi|do tuoi|so tuoi)(?: .*)?", "age"),
)  # fmt: skip
_COMPILED_RULES = tuple((re.compile(pattern), token) for pattern, token in _RULES)
_NUMBERING = re.compile(r"\(?\d{1,2}\)?|\(?[a-z]\)?")


def _match(text: str) -> str | None:
    key = heading_key(text)
    if not key:
        return None
    for pattern, token in _COMPILED_RULES:
        if pattern.fullmatch(key):
            if (
                token == MALE
                and key.startswith("nam")
                and "ă" in text.lower()
                and not key.startswith("nam sinh")
            ):
                return None  # "Năm" (year) folds to "nam" too: only "Nam" is the male column
            return token
    return None


@lru_cache(maxsize=4096)
def map_heading(text: str) -> str | None:
    """The field (or MALE/FEMALE marker) a heading stands for, or None.

    Headings of old files are often TCVN3 or VNI ("Hä vµ tªn"): when the text does not match
    as it is, its two legacy decodings are tried.
    """
    token = _match(text)
    if token is None and not text.isascii() and is_legacy_compatible(text):
        for decoded in (decode_tcvn3(text), decode_vni(text)):
            token = _match(decoded)
            if token is not None:
                break
    return token


def _heading_token(cell: object) -> str | None:
    return map_heading(cell) if isinstance(cell, str) and cell.strip() else None


def _heading_like(cell: object) -> bool:
    """Whether a cell could be part of a header: short text, not a number or a date."""
    return isinstance(cell, str) and 0 < len(cell.strip()) <= 80 and not cell.strip().isdigit()


def _is_blank(cell: object) -> bool:
    return cell is None or cell == "" or (isinstance(cell, str) and not cell.strip())


def _heading_text(cell: object) -> str:
    return clean_text(cell) if isinstance(cell, str) else ""


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds which field. Column indexes are 0-based positions in the row lists
    the reader yields; `header_row` and `data_start` are 0-based row indexes."""

    columns: dict[str, int]
    header_row: int
    data_start: int
    width: int
    headings: dict[int, str] = field(default_factory=dict)
    birth_by_gender: tuple[int | None, int | None] | None = None  # (Nam column, Nữ column)
    confidence: float = 1.0
    first_column: int = 0  # sheet column of index 0 (calamine skips empty leading columns)

    @property
    def unmapped(self) -> list[tuple[int, str]]:
        """Columns with a heading that no field uses, as (index, heading)."""
        used = set(self.columns.values())
        if self.birth_by_gender:
            used.update(index for index in self.birth_by_gender if index is not None)
        return [(index, text) for index, text in sorted(self.headings.items()) if index not in used and text]

    def letter(self, index: int) -> str:
        return column_letter(self.first_column + index)

    def heading(self, index: int) -> str:
        return self.headings.get(index, "")

    def as_dict(self) -> dict[str, int | tuple[int | None, int | None]]:
        """The mapping as the user edits it: field -> column index."""
        result: dict[str, int | tuple[int | None, int | None]] = dict(self.columns)
        if self.birth_by_gender:
            result[BIRTH_BY_GENDER] = self.birth_by_gender
        return result

    def override(self, changes: Mapping[str, int | tuple[int | None, int | None] | None]) -> ColumnMapping:
        """A copy with the user's choices applied: field -> column index (None to unmap;
        for birth_by_gender a (Nam, Nữ) pair). A column may serve one field only."""
        columns = dict(self.columns)
        pair = self.birth_by_gender
        for name, index in changes.items():
            if name == BIRTH_BY_GENDER:
                if index is not None and (not isinstance(index, tuple) or len(index) != 2):
                    raise MappingError(_("Cột năm sinh theo Nam/Nữ phải là một cặp cột"))
                pair = None if index is None or index == (None, None) else index
                for one in pair or ():
                    self._check_index(one)
                continue
            if name not in FIELDS:
                raise MappingError(_("Không có trường «%(field)s»") % {"field": name})
            if index is None:
                columns.pop(name, None)
                continue
            if not isinstance(index, int):
                raise MappingError(_("Cột chọn cho %(field)s không hợp lệ") % {"field": FIELD_LABELS[name]})
            self._check_index(index)
            columns[name] = index
        seen: dict[int, str] = {}
        uses = [*columns.items(), *((BIRTH_BY_GENDER, one) for one in (pair or ()) if one is not None)]
        for name, index in uses:
            if index in seen and seen[index] != name:
                raise MappingError(
                    _("Cột %(column)s được chọn cho cả «%(first)s» và «%(second)s»")
                    % {
                        "column": self.letter(index),
                        "first": FIELD_LABELS[seen[index]],
                        "second": FIELD_LABELS[name],
                    }
                )
            seen[index] = name
        if "full_name" not in columns:
            raise MappingError(_("Phải chọn cột Họ và tên"))
        return replace(self, columns=columns, birth_by_gender=pair)

    def _check_index(self, index: int | None) -> None:
        if index is not None and (not isinstance(index, int) or not 0 <= index < self.width):
            raise MappingError(_("Không có cột số %(index)s trong bảng") % {"index": index})


def not_a_member_list() -> HeaderError:
    return HeaderError(
        _("Không thấy cột Họ và tên: tệp này có vẻ không phải danh sách hội viên"), field="file"
    )


def find_header(
    rows: Sequence[Sequence[object]], *, first_column: int = 0, search_rows: int = 30
) -> ColumnMapping:
    """Find the header among the first `search_rows` rows: the row (or pair of rows) that maps
    the most known headings and has a name column. Raises HeaderError when there is none."""
    head = [list(row) for row in rows[:search_rows]]
    best: ColumnMapping | None = None
    best_score = 0
    for index in range(len(head)):
        if not any(_heading_token(cell) for cell in head[index]):
            continue
        candidate = _mapping_at(head, index, first_column)
        if candidate is None or "full_name" not in candidate.columns:
            continue
        score = len(candidate.columns) + (1 if candidate.birth_by_gender else 0)
        if score > best_score:
            best, best_score = candidate, score
    if best is None:
        raise not_a_member_list()
    return best


def _is_sub_header(top: list[object], sub: list[object]) -> bool:
    """Whether the row below a header row continues it (sub-headings under merged cells)."""
    non_blank = [cell for cell in sub if not _is_blank(cell)]
    if not non_blank or not all(_heading_like(cell) for cell in non_blank):
        return False
    tokens = [_heading_token(cell) for cell in non_blank]
    if not any(tokens):
        return False
    # The name heading is merged down over both rows; in a data row that cell holds a name.
    for position, cell in enumerate(top):
        if _heading_token(cell) == "full_name":
            return position >= len(sub) or _is_blank(sub[position])
    return False


def _mapping_at(head: list[list[object]], index: int, first_column: int) -> ColumnMapping | None:
    top = head[index]
    sub = head[index + 1] if index + 1 < len(head) else []
    two_rows = _is_sub_header(top, sub)
    width = max(len(top), len(sub) if two_rows else 0)
    columns: dict[str, int] = {}
    headings: dict[int, str] = {}
    male: int | None = None
    female: int | None = None
    group = ""  # the last non-empty top heading, for columns under a merged group heading
    for position in range(width):
        top_cell = top[position] if position < len(top) else ""
        sub_cell = sub[position] if two_rows and position < len(sub) else ""
        if not _is_blank(top_cell):
            group = _heading_text(top_cell)
            effective_top = group
        else:
            effective_top = group if two_rows and not _is_blank(sub_cell) else ""
        sub_text = _heading_text(sub_cell)
        headings[position] = " / ".join(part for part in (effective_top, sub_text) if part)
        sub_token = _heading_token(sub_cell) if sub_text else None
        top_token = map_heading(effective_top) if effective_top else None
        token = sub_token or (top_token if not _is_blank(top_cell) or not sub_text else None)
        if sub_token in (MALE, FEMALE) and top_token not in ("birth", "gender", MALE, FEMALE, None):
            token = None  # "Nam"/"Nữ" under an unrelated group heading
        if token == MALE and male is None:
            male = position
        elif token == FEMALE and female is None:
            female = position
        elif token and token not in (MALE, FEMALE) and token not in columns:
            columns[token] = position
    if "full_name" not in columns:
        return None
    pair = (male, female) if male is not None or female is not None else None
    header_rows = 2 if two_rows else 1
    data_start = index + header_rows
    while data_start < len(head) and _is_numbering_row(head[data_start]):
        data_start += 1
    labelled = [text for text in headings.values() if text]
    used = len(columns) + sum(1 for one in pair or () if one is not None)
    confidence = round(min(1.0, used / len(labelled)), 3) if labelled else 0.0
    return ColumnMapping(
        columns=columns,
        header_row=index,
        data_start=data_start,
        width=width,
        headings=headings,
        birth_by_gender=pair,
        confidence=confidence,
        first_column=first_column,
    )


def _is_numbering_row(row: list[object]) -> bool:
    """A row of column numbers under the header: "(1) (2) (3)", "1 2 3", "A B C"."""
    non_blank = [cell for cell in row if not _is_blank(cell)]
    if len(non_blank) < 3:
        return False
    values = []
    for cell in non_blank:
        if isinstance(cell, float) and cell.is_integer():
            values.append(int(cell))
        elif isinstance(cell, int) and not isinstance(cell, bool):
            values.append(cell)
        elif isinstance(cell, str) and _NUMBERING.fullmatch(cell.strip().lower()):
            text = cell.strip().strip("()")
            values.append(int(text) if text.isdigit() else ord(text.lower()) - 96)
        elif isinstance(cell, date):
            return False
        else:
            return False
    return values == sorted(values) and len(set(values)) == len(values) and values[0] <= 2
