"""Import of a member list (a spreadsheet of any size) into the register.

One pass. The file is read through sohoi.imports (header detection, legacy encodings, typed
cells) a batch of rows at a time; each batch is validated, checked for duplicates inside the
file and matched against the people already in the register, and each row becomes a
decision: create, update, unchanged or duplicate. A real import writes each batch's new
members as soon as they are decided and the updates after the last row (so every row is
matched against the register as it was, as in the preview), all inside one transaction: if
any row had an error, the transaction is rolled back and the report says why (all or
nothing). A dry run (the preview) only decides. Only compact keys of the rows seen stay in memory (hashes in sorted arrays), so
a million-row file fits in a few hundred megabytes.

The create path issues a fixed number of queries per batch (never one per row) and writes no
history rows: services.member_update records the imported state as the baseline before a
member's first change. Updates of people already registered go through
``services.member_update`` one by one: they are few in a real import, and that service keeps
versions, history, the joined event and the audit right.
"""

from __future__ import annotations

import pickle
import re
import secrets
import tempfile
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from os import PathLike
from typing import IO, TYPE_CHECKING, Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoi.core.audit import audit
from sohoi.core.errors import DomainError
from sohoi.core.models import _CODE_ALPHABET
from sohoi.core.scoping import ensure_in_scope
from sohoi.core.text import fold
from sohoi.imports.errors import SpreadsheetError
from sohoi.imports.headers import BIRTH_BY_GENDER, ColumnMapping
from sohoi.imports.rows import ParsedRow, parse_file
from sohoi.imports.text import heading_key
from sohoi.imports.values import PartialDate
from sohoi.orgunits.models import OrgUnit

from .models import DatePrecision, EventKind, Membership, MembershipEvent, Person
from .person_data import PersonInput, birth_fields, name_fields, partial_date, sort_key_of
from .services import MembershipInput, age_rule_problem, member_update, number_issuer_for

if TYPE_CHECKING:
    from sohoi.accounts.models import User

BATCH_SIZE = 2000
# Issues listed in a report (the counts stay exact): a page shows far fewer, a JSON stays small.
MAX_LISTED = 10_000
MEMBER_NUMBER_MAX = 30
NAME_PART_MAX = 60
NAME_CACHE_SIZE = 4096
CODE_LENGTH = 10
ADDRESS_MAX = 255

Progress = Callable[[int, int | None], None]

# Words in front of a unit's own name: "Chi hội thôn Đông" is "Đông" for matching.
_UNIT_PREFIX = re.compile(
    r"^(?:chi hoi|phan hoi|to hoi|hoi nct|hoi|thon|xom|ap|ban|khu pho|to dan pho|tdp|khoi pho|khom"
    r"|khu|to|doi|lang|so)\s+"
)


# --- the report ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import found and did. ``errors``/``warnings``/``duplicates`` items are
    {"sheet", "row", "column", "message"} (duplicates add "first": {"sheet", "row"} or None);
    at most MAX_LISTED of each are listed, the ``*_count`` fields count them all."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False
    file_error: str | None = None
    sheets: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    duplicate_count: int = 0

    @property
    def ok(self) -> bool:
        return self.file_error is None and self.error_count == 0

    def add_error(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED:
            self.errors.append({"sheet": sheet, "row": row, "column": column, "message": message})

    def add_warning(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append({"sheet": sheet, "row": row, "column": column, "message": message})

    def add_duplicate(
        self, sheet: str, row: int, column: str, message: str, first: tuple[str, int] | None = None
    ) -> None:
        self.duplicate_count += 1
        if len(self.duplicates) < MAX_LISTED:
            self.duplicates.append(
                {
                    "sheet": sheet,
                    "row": row,
                    "column": column,
                    "message": message,
                    "first": {"sheet": first[0], "row": first[1]} if first else None,
                }
            )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportReport:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


# --- units of sheets and rows ------------------------------------------------------------------


def unit_name_core(name: str) -> str:
    """A unit's name without the words for its kind: "Chi hội thôn Đông" -> "dong"."""
    key = heading_key(name)
    while True:
        stripped = _UNIT_PREFIX.sub("", key, count=1)
        if stripped == key or not stripped:
            return key
        key = stripped


class UnitMatcher:
    """Finds the open unit a sheet name or a "Chi hội" cell stands for, among a subtree."""

    def __init__(self, units: list[OrgUnit]):
        self.units = units
        self.by_key: dict[str, list[OrgUnit]] = {}
        self.by_core: dict[str, list[OrgUnit]] = {}
        for unit in units:
            self.by_key.setdefault(heading_key(unit.name), []).append(unit)
            self.by_core.setdefault(unit_name_core(unit.name), []).append(unit)
        self._cache: dict[tuple[str, str], OrgUnit | None] = {}

    def match(self, name: str, *, under: OrgUnit | None = None) -> OrgUnit | None:
        cache_key = (name, under.path if under else "")
        if cache_key not in self._cache:
            self._cache[cache_key] = self._match(name, under)
        return self._cache[cache_key]

    def _match(self, name: str, under: OrgUnit | None) -> OrgUnit | None:
        def inside(found: list[OrgUnit]) -> list[OrgUnit]:
            if under is None:
                return found
            return [u for u in found if u.path.startswith(under.path) and u.pk != under.pk]

        if not heading_key(name):
            return None
        exact = inside(self.by_key.get(heading_key(name), []))
        if len(exact) == 1:
            return exact[0]
        core = inside(self.by_core.get(unit_name_core(name), []))
        if len(core) == 1:
            return core[0]
        return None


def _resolve_unit(value: OrgUnit | str, root: OrgUnit) -> OrgUnit:
    if isinstance(value, OrgUnit):
        unit = OrgUnit.unscoped.filter(pk=value.pk).first()
    else:
        unit = OrgUnit.unscoped.filter(code=value).first()
    if unit is None or not unit.path.startswith(root.path) or not unit.is_open:
        raise DomainError(_("Đơn vị được chọn cho trang tính không thuộc đơn vị này hoặc đã đóng."))
    return unit


# --- one row's decision --------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    """A valid row on its way to the register (one batch of these is held at a time)."""

    sheet: str
    row: int
    unit: OrgUnit
    person: dict[str, Any]  # values given by the file (names always)
    membership: dict[str, Any]  # member_number, card_number, card_issued_on, joined_on, joined_precision
    joined_given: bool
    birth: PartialDate | None


PERSON_COMPARE = (
    "full_name", "family_name", "middle_name", "given_name", "birth_date", "birth_precision",
    "birth_year", "gender", "id_type", "id_number", "phone", "phone_note", "address", "ethnicity",
    "note", "area_id", "hamlet_id", "religion", "health_note", "policy_status", "died_on",
)  # fmt: skip
MEMBERSHIP_COMPARE = ("member_number", "card_number", "card_issued_on", "joined_on", "joined_precision")


_fold_cached = lru_cache(maxsize=NAME_CACHE_SIZE)(fold)  # hamlet names, repeated down a list


def _in_list(values: Iterable[Any]) -> list[Any]:
    """The values of an ``__in`` over one batch, on SQLite padded to a power of two with values
    no row holds (negative ids, texts starting with NUL): IN (?, ?, …) is a new statement for
    every length, and SQLite keeps the last hundred it prepared, hundreds of kilobytes each for
    thousands of values (a long import into a large register grew by 70 MB). A list the planner
    can see keeps its plan; a JSON array read by json_each lost it and read a million rows."""
    listed = list(dict.fromkeys(values))
    if connection.vendor != "sqlite" or not listed:
        return listed
    size = max(16, 1 << (len(listed) - 1).bit_length())
    if isinstance(listed[0], str):
        padding: list[Any] = [f"\x00{index}" for index in range(size - len(listed))]
    else:
        padding = [-1 - index for index in range(size - len(listed))]
    return listed + padding


def _key_hash(*parts: object) -> int:
    return hash(parts)


class _SeenKeys:
    """The first value (a packed row position) stored under each key hash, in about 17 bytes a
    key: a dict of a million Python ints takes about 100. Sorted arrays in buckets chosen by
    the hash's low bits, so an insert moves a few hundred bytes at most."""

    BUCKETS = 4096

    def __init__(self) -> None:
        self.keys = [array("q") for _ in range(self.BUCKETS)]
        self.values = [array("q") for _ in range(self.BUCKETS)]

    def setdefault(self, key: int, value: int) -> int:
        bucket = key & (self.BUCKETS - 1)
        keys = self.keys[bucket]
        index = bisect_left(keys, key)
        if index < len(keys) and keys[index] == key:
            return self.values[bucket][index]
        keys.insert(index, key)
        self.values[bucket].insert(index, value)
        return value


class _IdRuns:
    """The ids of rows this import wrote, as sorted runs [start, end): matching the next batches
    against the register must not find them (the transaction shows its own writes)."""

    def __init__(self) -> None:
        self.starts = array("q")
        self.ends = array("q")

    def add(self, ids: Iterable[int]) -> None:
        for id_ in sorted(ids):
            if self.ends and self.ends[-1] == id_:
                self.ends[-1] = id_ + 1
            else:
                index = bisect_left(self.starts, id_)
                self.starts.insert(index, id_)
                self.ends.insert(index, id_ + 1)

    def before_first(self, field_: str = "pk") -> dict[str, int]:
        """A filter on ids keeping the register as it was before this import's first write.
        Without it every batch would read back the earlier batches' people of common names."""
        return {f"{field_}__lt": self.starts[0]} if self.starts else {}

    def __contains__(self, id_: int) -> bool:
        index = bisect_right(self.starts, id_) - 1
        return index >= 0 and id_ < self.ends[index]


class _Discard(Exception):
    """Raised inside the write transaction to roll it back: a row had an error."""


class _Importer:
    def __init__(self, unit: OrgUnit, actor: User | None, report: ImportReport, today: date, *, write: bool):
        self.unit = unit
        self.actor = actor if actor is not None and actor.is_authenticated else None
        self.report = report
        self.today = today
        self.write = write
        self.association = unit.association
        self.units = list(
            OrgUnit.unscoped.filter(
                path__within=unit.path, closed_on__isnull=True, association=unit.association_id
            )
        )
        self.matcher = UnitMatcher([u for u in self.units if u.pk != unit.pk])
        self.issuers: dict[int, OrgUnit] = {}
        # Compact keys of the rows seen: hash -> (sheet index << 32 | row), and the sheets' names.
        self.seen_ids = _SeenKeys()
        self.seen_names = _SeenKeys()
        self.seen_numbers = _SeenKeys()
        self.sheet_names: list[str] = []
        self.matched_memberships: set[int] = set()
        self.admitted_people: set[int] = set()  # people already registered, given a membership now
        self.new_people = _IdRuns()
        self.new_memberships = _IdRuns()
        self.names: dict[str, tuple[dict[str, Any], str]] = {}
        self.writer: _Writer | None = None

    def run(self, path: str | PathLike[str], *, progress: Progress | None, **options: Any) -> None:
        """Check the file; when writing, write each batch as it is decided, in one transaction
        that is rolled back at the end if any row had an error."""
        if not self.write:
            self.check(path, progress=progress, **options)
            return
        report = self.report
        try:
            with transaction.atomic(), tempfile.TemporaryFile() as updates:
                self.writer = _Writer(self, updates)
                try:
                    self.check(path, progress=progress, **options)
                finally:
                    # Never leave the transaction with an insert still running (on error too).
                    self.writer.inserts.wait(raise_error=report.ok)
                if not report.ok:
                    raise _Discard
                self.writer.write_updates()
                audit(action="member.imported", actor=self.actor, unit=self.unit, rows=report.rows,
                      created=report.created, updated=report.updated, unchanged=report.unchanged,
                      duplicates=report.duplicate_count, warnings=report.warning_count)  # fmt: skip
        except _Discard:
            return
        except IntegrityError as exc:  # someone admitted one of these people meanwhile
            raise DomainError(
                _("Trong lúc nhập, một số người trong tệp vừa được thêm vào sổ. Hãy chạy lại việc nhập."),
                code="conflict",
            ) from exc
        report.written = True

    def check(
        self,
        path: str | PathLike[str],
        *,
        overrides: Mapping[str, Mapping[str, object]] | None,
        sheet_units: Mapping[str, OrgUnit | str] | None,
        progress: Progress | None,
        filename: str | None,
        max_bytes: int | None,
    ) -> None:
        report = self.report
        usable = 0
        sheets = parse_file(
            path, max_bytes=max_bytes, filename=filename, overrides=overrides, today=self.today
        )
        for sheet in sheets:
            info: dict[str, Any] = {"name": sheet.name, "rows": 0, "error": None}
            report.sheets.append(info)
            if sheet.mapping is None:
                info["error"] = sheet.error.message if sheet.error else _("Không đọc được trang này")
                continue
            usable += 1
            try:
                target, matched = self._sheet_unit(sheet.name, sheet_units)
            except DomainError as error:  # a unit chosen for the sheet that is not allowed
                info["error"] = error.message
                report.add_error(sheet.name, None, "", error.message)
                continue
            info.update(
                unit=target.code, unit_name=target.name, unit_matched=matched, **mapping_info(sheet.mapping)
            )
            sheet_index = len(self.sheet_names)
            self.sheet_names.append(sheet.name)
            letters = _field_letters(sheet.mapping)
            if "joined" not in sheet.mapping.columns:
                report.add_warning(
                    sheet.name, None, "",
                    _("Không có cột ngày vào hội: ghi ngày vào hội là năm %(year)s") % {"year": self.today.year},
                )  # fmt: skip
            batch: list[_Candidate] = []
            for row in sheet.rows:
                report.rows += 1
                info["rows"] += 1
                candidate = self._check_row(row, target, sheet_index, letters)
                if candidate is not None:
                    batch.append(candidate)
                if len(batch) >= BATCH_SIZE:
                    self._decide(batch, letters)
                    batch = []
                    if progress:
                        progress(report.rows, None)
            if batch:
                self._decide(batch, letters)
            if progress:
                progress(report.rows, None)
        if not usable:
            report.file_error = _("Không thấy cột Họ và tên: tệp này có vẻ không phải danh sách hội viên")

    def _decide(self, batch: list[_Candidate], letters: dict[str, str]) -> None:
        if self.writer is not None:
            self.writer.inserts.wait()  # the connection is the insert's until it is done
        records = self._match(batch, letters)
        # After the first error nothing will be kept: only check the rest, for the report.
        if self.writer is not None and records and self.report.ok:
            self.writer.write(records)

    def _sheet_unit(self, name: str, sheet_units: Mapping[str, OrgUnit | str] | None) -> tuple[OrgUnit, bool]:
        if sheet_units and name in sheet_units:
            return _resolve_unit(sheet_units[name], self.unit), True
        found = self.matcher.match(name)
        return (found, True) if found is not None else (self.unit, False)

    def _check_row(
        self, row: ParsedRow, sheet_unit: OrgUnit, sheet_index: int, letters: dict[str, str]
    ) -> _Candidate | None:
        report = self.report
        sheet = row.sheet
        failed = False
        for issue in row.issues:
            if issue.severity == "error":
                failed = True
                report.add_error(sheet, row.row, issue.column, issue.message)
            else:
                report.add_warning(sheet, row.row, issue.column, issue.message)
        if row.full_name is None:
            return None

        def error(column_field: str, message: str) -> None:
            nonlocal failed
            failed = True
            report.add_error(sheet, row.row, letters.get(column_field, ""), message)

        for part in (row.family, row.middle, row.given):
            if len(part) > NAME_PART_MAX:
                error("full_name", _("Một phần của họ tên dài quá %(max)s ký tự") % {"max": NAME_PART_MAX})
                break
        for name_ in ("member_number", "card_number"):
            value = getattr(row, name_)
            if value and len(value) > MEMBER_NUMBER_MAX:
                error(name_, _("Dài quá %(max)s ký tự") % {"max": MEMBER_NUMBER_MAX})
        address = row.address or ""
        if row.hamlet and (not address or _fold_cached(row.hamlet) not in fold(address)):
            address = f"{address}, {row.hamlet}" if address else row.hamlet
        if len(address) > ADDRESS_MAX:
            error("address", _("Địa chỉ dài quá %(max)s ký tự") % {"max": ADDRESS_MAX})

        unit = sheet_unit
        branch = row.branch
        if branch:
            found = self.matcher.match(branch, under=sheet_unit)
            if found is not None:
                unit = found
            elif heading_key(branch) not in (heading_key(sheet_unit.name), unit_name_core(sheet_unit.name)):
                report.add_warning(
                    sheet, row.row, letters.get("branch", ""),
                    _("Không tìm thấy chi hội «%(branch)s»: ghi vào %(unit)s") % {"branch": branch,
                                                                                  "unit": sheet_unit.name},
                )  # fmt: skip

        joined = row.joined
        joined_given = joined is not None
        if joined is None:
            joined = PartialDate(self.today.year)
            if "joined" in letters:
                report.add_warning(
                    sheet, row.row, letters["joined"],
                    _("Không có ngày vào hội: ghi năm %(year)s") % {"year": self.today.year},
                )  # fmt: skip
        elif joined.to_date() > self.today:
            error("joined", _("Ngày vào hội ở tương lai"))
        if failed:
            return None

        position = sheet_index << 32 | row.row
        names = self.names.get(row.full_name)
        if names is None:
            # Names repeat down a list (and across a commune): fold and sort keys once per name.
            if len(self.names) >= NAME_CACHE_SIZE:
                self.names.clear()
            fields_ = name_fields(row.full_name, row.family, row.middle, row.given)
            names = self.names[row.full_name] = (fields_, sort_key_of(fields_))
        search_name = names[0]["search_name"]
        if row.cccd:
            key = _key_hash(row.cccd)
            first = self.seen_ids.setdefault(key, position)
            if first != position:
                report.add_duplicate(
                    sheet, row.row, letters.get("cccd", ""),
                    _("Trùng số CCCD/CMND %(number)s với một dòng trên") % {"number": row.cccd},
                    self._position(first),
                )  # fmt: skip
                return None
        name_hash = _key_hash(unit.pk, search_name, row.birth.year if row.birth else 0)
        # The low bit says whether that first row had a CCCD: two rows with different CCCDs
        # are two people even with the same name and birth year.
        marked = position << 1 | (1 if row.cccd else 0)
        first = self.seen_names.setdefault(name_hash, marked)
        if first != marked and not (row.cccd and first & 1):
            report.add_duplicate(
                sheet, row.row, letters.get("full_name", ""),
                _("Trùng họ tên và năm sinh với một dòng trên cùng đơn vị"),
                self._position(first >> 1),
            )  # fmt: skip
            return None

        person: dict[str, Any] = dict(names[0])
        if row.birth is not None:
            person.update(birth_fields(row.birth))
        if row.gender:
            person["gender"] = row.gender
        if row.cccd:
            person["id_number"], person["id_type"] = row.cccd, row.id_type
        if row.phone:
            person["phone"] = row.phone
        if address:
            person["address"] = address
        if row.ethnicity:
            person["ethnicity"] = row.ethnicity
        if row.note:
            person["note"] = row.note
        membership: dict[str, Any] = {
            "joined_on": joined.to_date(),
            "joined_precision": joined.precision,
            "sort_key": names[1],
        }
        if row.member_number:
            membership["member_number"] = row.member_number
        if row.card_number:
            membership["card_number"] = row.card_number
        if row.card_issued:
            membership["card_issued_on"] = row.card_issued.to_date()
        return _Candidate(sheet, row.row, unit, person, membership, joined_given, row.birth)

    def _position(self, packed: int) -> tuple[str, int]:
        return self.sheet_names[packed >> 32], packed & 0xFFFFFFFF

    def _issuer(self, unit: OrgUnit) -> OrgUnit:
        if unit.pk not in self.issuers:
            self.issuers[unit.pk] = number_issuer_for(unit)
        return self.issuers[unit.pk]

    def _match(self, batch: list[_Candidate], letters: dict[str, str]) -> list[tuple[Any, ...]]:
        """Match one batch against the register (a few queries): the decisions to write."""
        report = self.report
        association_id = self.association.pk
        by_id: dict[str, dict[str, Any]] = {}
        numbers = {c.person["id_number"] for c in batch if "id_number" in c.person}
        if numbers:
            people = Person.unscoped.filter(
                id_number__in=_in_list(numbers), merged_into__isnull=True, **self.new_people.before_first()
            )
            for person in people.values("id", *PERSON_COMPARE):
                if person["id"] not in self.new_people:
                    by_id.setdefault(person["id_number"], person)
        matched: dict[int, int] = {}  # batch index -> person id (0: ambiguous)
        by_name: dict[tuple[str, int | None], list[int]] = {}
        without_id: set[int] = set()
        name_wanted = {c.person["search_name"] for c in batch if c.person.get("id_number") not in by_id}
        if name_wanted:
            rows = Membership.unscoped.filter(
                **self.new_people.before_first("person_id"),
                association_id=association_id,
                org_unit__path__within=self.unit.path,
                person__search_name__in=_in_list(name_wanted),
                person__merged_into__isnull=True,
            ).values_list("person_id", "person__search_name", "person__birth_year", "person__id_number")
            for person_id, search_name, birth_year, id_number in rows:
                if person_id in self.new_people:
                    continue
                by_name.setdefault((search_name, birth_year), []).append(person_id)
                if not id_number:
                    without_id.add(person_id)
        for index, candidate in enumerate(batch):
            id_number = candidate.person.get("id_number")
            if id_number and id_number in by_id:
                matched[index] = by_id[id_number]["id"]
                continue
            people = by_name.get((candidate.person["search_name"], candidate.person.get("birth_year")), [])
            if id_number:
                # Someone registered with another CCCD is another person.
                people = [p for p in people if p in without_id]
            if len(people) == 1:
                matched[index] = people[0]
            elif len(people) > 1:
                report.add_duplicate(
                    candidate.sheet, candidate.row, letters.get("full_name", ""),
                    _("Trong sổ có %(count)s người cùng họ tên và năm sinh: không biết là ai, chưa ghi dòng này")
                    % {"count": len(people)},
                )  # fmt: skip
                matched[index] = 0
        person_ids = {pid for pid in matched.values() if pid}
        people_by_id: dict[int, dict[str, Any]] = {}
        memberships: dict[int, dict[str, Any]] = {}
        if person_ids:
            people_by_id = {
                p["id"]: p
                for p in Person.unscoped.filter(pk__in=_in_list(person_ids)).values("id", *PERSON_COMPARE)
            }
            for ms in Membership.unscoped.filter(person_id__in=_in_list(person_ids), association_id=association_id).values(
                "id", "person_id", "org_unit_id", "org_unit__path", "org_unit__name", "version",
                *MEMBERSHIP_COMPARE,
            ):  # fmt: skip
                memberships[ms["person_id"]] = ms
        taken = self._numbers_taken(batch)

        records: list[tuple[Any, ...]] = []
        for index, candidate in enumerate(batch):
            person_id = matched.get(index)
            if person_id == 0:
                continue  # ambiguous, reported
            number = candidate.membership.get("member_number")
            existing = memberships.get(person_id) if person_id else None
            if number:
                issuer = self._issuer(candidate.unit)
                owner = taken.get((issuer.pk, number))
                if owner is not None and (existing is None or owner != existing["id"]):
                    report.add_error(
                        candidate.sheet, candidate.row, letters.get("member_number", ""),
                        _("Số hội viên %(number)s đã được cấp cho người khác trong %(unit)s")
                        % {"number": number, "unit": issuer.name},
                    )  # fmt: skip
                    continue
                key = _key_hash(issuer.pk, number)
                position = len(self.sheet_names) - 1 << 32 | candidate.row
                first = self.seen_numbers.setdefault(key, position)
                if first != position:
                    report.add_error(
                        candidate.sheet, candidate.row, letters.get("member_number", ""),
                        _("Số hội viên %(number)s trùng với dòng %(row)s") % {"number": number,
                                                                              "row": first & 0xFFFFFFFF},
                    )  # fmt: skip
                    continue
            if person_id is None:
                records.append(self._create_record(candidate, None, letters))
                continue
            person = people_by_id[person_id]
            if existing is None:
                if person["died_on"]:
                    report.add_duplicate(candidate.sheet, candidate.row, letters.get("cccd", ""),
                                         _("Người có số CCCD này đã mất: chưa ghi dòng này"))  # fmt: skip
                    continue
                if person_id in self.admitted_people:
                    report.add_duplicate(
                        candidate.sheet, candidate.row, letters.get("full_name", ""),
                        _("Dòng này và một dòng trên cùng là một hội viên trong sổ"),
                    )  # fmt: skip
                    continue
                self.admitted_people.add(person_id)
                records.append(self._create_record(candidate, person_id, letters))
                continue
            if existing["id"] in self.matched_memberships or person_id in self.admitted_people:
                report.add_duplicate(
                    candidate.sheet, candidate.row, letters.get("full_name", ""),
                    _("Dòng này và một dòng trên cùng là một hội viên trong sổ"),
                )  # fmt: skip
                continue
            if not existing["org_unit__path"].startswith(self.unit.path):
                report.add_duplicate(
                    candidate.sheet, candidate.row, letters.get("cccd", ""),
                    _("Người có số CCCD này đã là hội viên ở đơn vị khác: chưa ghi dòng này"),
                )  # fmt: skip
                continue
            self.matched_memberships.add(existing["id"])
            if existing["org_unit_id"] != candidate.unit.pk:
                report.add_warning(
                    candidate.sheet, candidate.row, letters.get("full_name", ""),
                    _("Hội viên này đang sinh hoạt ở %(unit)s: không chuyển sinh hoạt khi nhập")
                    % {"unit": existing["org_unit__name"]},
                )  # fmt: skip
            update = self._changes(candidate, person, existing)
            if update is None:
                report.unchanged += 1
            else:
                report.updated += 1
                records.append(("u", existing["id"], existing["version"], *update))
        return records

    def _numbers_taken(self, batch: list[_Candidate]) -> dict[tuple[int, str], int]:
        wanted: dict[int, set[str]] = {}
        for candidate in batch:
            number = candidate.membership.get("member_number")
            if number:
                wanted.setdefault(self._issuer(candidate.unit).pk, set()).add(number)
        taken: dict[tuple[int, str], int] = {}
        for issuer_id, values in wanted.items():
            for ms_id, number in Membership.unscoped.filter(
                number_issuer_id=issuer_id, member_number__in=_in_list(values)
            ).values_list("id", "member_number"):
                if ms_id in self.new_memberships:
                    continue  # written by this import: a duplicate inside the file, found below
                taken[(issuer_id, number)] = ms_id
        return taken

    def _create_record(
        self, candidate: _Candidate, person_id: int | None, letters: dict[str, str]
    ) -> tuple[Any, ...]:
        self.report.created += 1
        problem = age_rule_problem(self.association, candidate.birth, candidate.membership["joined_on"])
        if problem:
            column = letters.get("birth") or letters.get(BIRTH_BY_GENDER, "")
            self.report.add_warning(candidate.sheet, candidate.row, column, problem)
        return ("c", candidate.unit.pk, person_id, candidate.person, candidate.membership)

    @staticmethod
    def _changes(
        candidate: _Candidate, person: dict[str, Any], membership: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The file's values that differ from the register (a blank cell changes nothing;
        a birth or joined date known less precisely than the register's is the same date)."""
        given = candidate.person
        person_changes: dict[str, Any] = {}
        if given["full_name"] != person["full_name"]:
            for name_ in ("full_name", "family_name", "middle_name", "given_name"):
                person_changes[name_] = given[name_]
        if "birth_date" in given and not _same_partial(
            given["birth_date"], given["birth_precision"], person["birth_date"], person["birth_precision"]
        ):
            for name_ in ("birth_date", "birth_precision", "birth_year"):
                person_changes[name_] = given[name_]
        for name_ in ("gender", "id_number", "id_type", "phone", "address", "ethnicity", "note"):
            if name_ in given and given[name_] != person[name_]:
                person_changes[name_] = given[name_]
        membership_changes: dict[str, Any] = {}
        wanted = candidate.membership
        for name_ in ("member_number", "card_number", "card_issued_on"):
            if name_ in wanted and wanted[name_] != membership[name_]:
                membership_changes[name_] = wanted[name_]
        if candidate.joined_given and not _same_partial(
            wanted["joined_on"],
            wanted["joined_precision"],
            membership["joined_on"],
            membership["joined_precision"],
        ):
            membership_changes["joined_on"] = wanted["joined_on"]
            membership_changes["joined_precision"] = wanted["joined_precision"]
        if not person_changes and not membership_changes:
            return None
        return person_changes, membership_changes

    def _write_update(self, record: tuple[Any, ...]) -> None:
        _kind, membership_id, version, person_changes, membership_changes = record
        membership = Membership.unscoped.select_related("person").get(pk=membership_id)
        person = membership.person
        values = {name_: getattr(person, name_) for name_ in PERSON_COMPARE}
        values.update(person_changes)
        keep_split = "full_name" not in person_changes
        data = PersonInput(
            full_name=values["full_name"],
            birth=partial_date(values["birth_date"], values["birth_precision"]),
            gender=values["gender"],
            id_number=values["id_number"],
            phone=values["phone"],
            phone_note=values["phone_note"],
            address=values["address"],
            ethnicity=values["ethnicity"],
            note=values["note"],
            area_id=values["area_id"],
            hamlet_id=values["hamlet_id"],
            family_name=values["family_name"] if keep_split else None,
            middle_name=values["middle_name"] if keep_split else None,
            given_name=values["given_name"] if keep_split else None,
            religion=values["religion"],
            health_note=values["health_note"],
            policy_status=values["policy_status"],
        )
        current = {name_: getattr(membership, name_) for name_ in MEMBERSHIP_COMPARE}
        current.update(membership_changes)
        joined = partial_date(current["joined_on"], current["joined_precision"])
        assert joined is not None
        member_update(
            membership=membership,
            person_data=data,
            membership_data=MembershipInput(
                joined=joined,
                member_number=current["member_number"],
                card_number=current["card_number"],
                card_issued_on=current["card_issued_on"],
            ),
            expected_version=version,
            actor=self.actor,
            confirmed_warnings=True,
        )


class _Writer:
    """Writes the new people, their memberships and joined events of each batch at once, each
    table with one statement (executemany on SQLite, COPY on PostgreSQL). Updates wait in a
    temporary file until the whole file is read: the next batches are matched against the
    register as it was, so the write decides exactly what the preview showed."""

    def __init__(self, importer: _Importer, updates: IO[bytes]):
        self.importer = importer
        self.updates = updates
        now = timezone.now()
        self.person = _Table(Person, now)
        self.membership = _Table(Membership, now, association_id=importer.association.pk)
        self.event = _Table(
            MembershipEvent,
            now,
            kind=EventKind.JOINED,
            actor_id=importer.actor.pk if importer.actor else None,
        )
        self.units = {u.pk: u for u in importer.units}
        self.inserts = _BackgroundInserts()

    def write(self, records: list[tuple[Any, ...]]) -> None:
        creates = [record for record in records if record[0] == "c"]
        if creates:
            self._write_creates(creates)
        updates = [record for record in records if record[0] == "u"]
        if updates:
            pickle.dump(updates, self.updates, protocol=pickle.HIGHEST_PROTOCOL)

    def write_updates(self) -> None:
        self.inserts.wait()
        self.updates.seek(0)
        while True:
            try:
                records = pickle.load(self.updates)  # noqa: S301 (our own temporary file)
            except EOFError:
                return
            for record in records:
                self.importer._write_update(record)

    def _write_creates(self, creates: list[tuple[Any, ...]]) -> None:
        importer = self.importer
        person_table, membership_table, event_table = self.person, self.membership, self.event
        new_ids = iter(_allocate_ids(Person, sum(1 for record in creates if record[2] is None)))
        membership_ids = _allocate_ids(Membership, len(creates))
        p_id = person_table.at("id")
        m_id, m_code, m_person, m_unit, m_issuer, m_since = map(
            membership_table.at, ("id", "code", "person_id", "org_unit_id", "number_issuer_id", "unit_since")
        )
        e_membership, e_unit, e_on, e_precision = map(
            event_table.at, ("membership_id", "org_unit_id", "happened_on", "precision")
        )
        people: list[list[Any]] = []
        memberships: list[list[Any]] = []
        events: list[list[Any]] = []
        issuers: dict[int, int] = {}
        for (_kind, unit_id, person_id, person, membership), membership_id, code in zip(
            creates, membership_ids, _new_codes(len(creates)), strict=True
        ):
            if person_id is None:
                person_id = next(new_ids)
                values = person_table.row(person)
                values[p_id] = person_id
                people.append(values)
            values = membership_table.row(membership)
            values[m_id], values[m_code], values[m_person], values[m_unit] = (
                membership_id,
                code,
                person_id,
                unit_id,
            )
            values[m_since] = joined_on = membership["joined_on"]
            if "member_number" in membership:
                issuer_id = issuers.get(unit_id)
                if issuer_id is None:
                    issuer_id = issuers[unit_id] = importer._issuer(self.units[unit_id]).pk
                values[m_issuer] = issuer_id
            memberships.append(values)
            values = event_table.row({})
            values[e_membership], values[e_unit] = membership_id, unit_id
            values[e_on], values[e_precision] = joined_on, membership["joined_precision"]
            events.append(values)
        importer.new_people.add(values[p_id] for values in people)
        importer.new_memberships.add(membership_ids)
        # The import's own connection and transaction, and Django's names for its errors (an
        # IntegrityError must reach run() as one): both taken here, in the reader's thread.
        raw, django_errors = connection.connection, connection.wrap_database_errors

        def insert() -> None:
            with django_errors:
                person_table.insert(people, raw)
                membership_table.insert(memberships, raw)
                event_table.insert(events, raw)

        self.inserts.start(insert)


class _Table:
    """Rows of one table written with a single executemany (SQLite) or COPY (PostgreSQL): the
    ORM's bulk_create prepares every value of every object and costs ten times the insert
    itself on 100,000 rows. A row is a list in column order, filled from a template."""

    def __init__(self, model: type[models.Model], now: Any, **fixed: Any):
        now_value = now if connection.vendor != "sqlite" else connection.ops.adapt_datetimefield_value(now)
        self.columns: list[str] = []
        self.template: list[Any] = []
        self.index: dict[str, int] = {}
        for field_ in model._meta.concrete_fields:
            if isinstance(field_, AutoFieldMixin) and model is MembershipEvent:
                continue  # the database numbers events; people and memberships get ids up front
            self.index[field_.attname] = len(self.columns)
            self.columns.append(field_.column)
            if field_.attname in fixed:
                default = fixed[field_.attname]
            elif getattr(field_, "auto_now", False) or getattr(field_, "auto_now_add", False):
                default = now_value
            elif field_.has_default() and callable(field_.default):
                default = None  # the writer gives it (the membership's code)
            else:
                default = field_.get_default()
            self.template.append(default)
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        self.copy = connection.vendor == "postgresql"
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        # The driver's own placeholders: the insert runs on the raw connection (see _BackgroundInserts).
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['?'] * len(self.columns))})"  # noqa: S608

    def at(self, name: str) -> int:
        return self.index[name]

    def row(self, values: Mapping[str, Any]) -> list[Any]:
        row = self.template.copy()
        index = self.index
        for name_, value in values.items():
            row[index[name_]] = value
        return row

    def insert(self, rows: Sequence[Sequence[Any]], raw: Any) -> None:
        """Write ``rows`` through ``raw``, the DB-API connection under Django's (whose wrapper
        belongs to the thread that opened it)."""
        if not rows:
            return
        cursor = raw.cursor()
        try:
            if self.copy:
                # COPY: executemany sends one statement per row (twenty times slower here).
                with cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, rows)
        finally:
            cursor.close()


class _BackgroundInserts:
    """The inserts of one batch run in a thread while the next batch is read and checked:
    the database works (COPY on PostgreSQL, SQLite's B-trees) while Python parses, and both
    drivers let go of the interpreter while they wait. One insert at a time, on the import's
    own connection and transaction; the reader waits for it before it uses the connection
    again, so the two never share it at once. An insert's error is raised in the reader."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, insert: Callable[[], None]) -> None:
        self.wait()

        def run() -> None:
            try:
                insert()
            except BaseException as error:  # noqa: BLE001 (handed to the reader)
                self._error = error

        self._thread = threading.Thread(target=run, name="import-insert", daemon=True)
        self._thread.start()

    def wait(self, *, raise_error: bool = True) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None and raise_error:
            raise error


_CODE_REJECT = bytes(range(len(_CODE_ALPHABET) * (256 // len(_CODE_ALPHABET)), 256))
_CODE_TABLE = bytes(ord(_CODE_ALPHABET[byte % len(_CODE_ALPHABET)]) for byte in range(256))


def _new_codes(count: int) -> list[str]:
    """``count`` public codes like core.models.new_code, from one read of the system's random
    source (new_code draws every character separately: a fifth of a write's time). The bytes
    above the last whole multiple of the alphabet are dropped, so every letter is as likely."""
    letters = b""
    while len(letters) < count * CODE_LENGTH:
        drawn = secrets.token_bytes((count * CODE_LENGTH - len(letters)) * 9 // 8 + 16)
        letters += drawn.translate(None, _CODE_REJECT)
    text = letters.translate(_CODE_TABLE).decode("ascii")
    return [text[start : start + CODE_LENGTH] for start in range(0, count * CODE_LENGTH, CODE_LENGTH)]


def _allocate_ids(model: type[models.Model], count: int) -> Iterable[int]:
    """``count`` fresh primary keys of a table, taken inside the write transaction."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return range(start, start + count)


def _same_partial(new: date | None, new_precision: str, old: date | None, old_precision: str) -> bool:
    """Whether a date from the file says the same as the register's (or less of it)."""
    if new is None or old is None:
        return new == old
    if new_precision == old_precision or new_precision == DatePrecision.DAY:
        return new == old and new_precision == old_precision
    if new_precision == DatePrecision.YEAR:
        return new.year == old.year
    return (new.year, new.month) == (old.year, old.month) and old_precision == DatePrecision.DAY


def _field_letters(mapping: ColumnMapping) -> dict[str, str]:
    letters = {name_: mapping.letter(index) for name_, index in mapping.columns.items()}
    if mapping.birth_by_gender:
        pair = [mapping.letter(index) for index in mapping.birth_by_gender if index is not None]
        letters[BIRTH_BY_GENDER] = "/".join(pair)
    return letters


def mapping_info(mapping: ColumnMapping) -> dict[str, Any]:
    """The detected columns, as the preview shows and edits them."""
    fields_by_index: dict[int, str] = {index: name_ for name_, index in mapping.columns.items()}
    if mapping.birth_by_gender:
        male, female = mapping.birth_by_gender
        if male is not None:
            fields_by_index[male] = "male"
        if female is not None:
            fields_by_index[female] = "female"
    columns = []
    for index in range(mapping.width):
        heading = mapping.heading(index)
        if not heading and index not in fields_by_index:
            continue
        columns.append(
            {"index": index, "letter": mapping.letter(index), "heading": heading,
             "field": fields_by_index.get(index, "")}
        )  # fmt: skip
    return {"columns": columns, "width": mapping.width}


def overrides_from_columns(columns: Mapping[int, str]) -> dict[str, object]:
    """A sheet's override for parse_file from the user's choice per column (index -> field,
    "male"/"female" for the Nam | Nữ birth columns, "" to ignore the column)."""
    from sohoi.imports.headers import FIELDS

    changes: dict[str, object] = dict.fromkeys(FIELDS)
    male = female = None
    for index, name_ in columns.items():
        if name_ == "male":
            male = index
        elif name_ == "female":
            female = index
        elif name_ in FIELDS:
            changes[name_] = index
    changes[BIRTH_BY_GENDER] = (male, female) if male is not None or female is not None else None
    return changes


# --- entry point ---------------------------------------------------------------------------------


def import_file(
    path: str | PathLike[str],
    *,
    unit: OrgUnit,
    actor: User | None,
    dry_run: bool = False,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    sheet_units: Mapping[str, OrgUnit | str] | None = None,
    progress: Progress | None = None,
    filename: str | None = None,
    max_bytes: int | None = None,
    today: date | None = None,
) -> ImportReport:
    """Check a member list and, unless ``dry_run`` or a row has an error, write it into the
    register under ``unit`` (its chi hội by sheet or "Chi hội" column). Runs inside an active
    unit scope covering ``unit``. Never raises for a bad file: ``report.file_error`` says why."""
    ensure_in_scope(unit)
    unit = OrgUnit.unscoped.select_related("association").get(pk=unit.pk)
    report = ImportReport()
    if not unit.is_open:
        report.file_error = _("Đơn vị “%(name)s” đã giải thể hoặc sáp nhập.") % {"name": unit.name}
        return report
    importer = _Importer(unit, actor, report, today or timezone.localdate(), write=not dry_run)
    try:
        importer.run(
            path, overrides=overrides, sheet_units=sheet_units, progress=progress, filename=filename,
            max_bytes=max_bytes,
        )  # fmt: skip
    except SpreadsheetError as error:
        report.file_error = error.message
    except DomainError as error:  # the register changed under the import: nothing was written
        report.file_error = error.message
        report.written = False
    return report
