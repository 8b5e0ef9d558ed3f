"""Import of a member list (a spreadsheet of any size) into the register.

Two passes. The first reads the file through sohoi.imports (header detection, legacy
encodings, typed cells), validates every row, finds the duplicates inside the file and the
people already in the register, and decides for each row: create, update, unchanged or
duplicate. It keeps in memory only compact keys of the rows seen (hashes → first row) and one
batch of rows at a time; its decisions are spilled to a temporary file. The second pass runs
only when no row has an error (all or nothing): it reads the spill back and writes in batches
with ``bulk_create`` inside one transaction. Re-reading the decisions, not the spreadsheet,
keeps an .xlsx from being parsed twice.

The create path issues a fixed number of queries per batch (never one per row). Updates of
people already registered go through ``services.member_update`` one by one: they are few in a
real import, and that service keeps versions, history, the joined event and the audit right.
"""

from __future__ import annotations

import pickle
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
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


def _key_hash(*parts: object) -> int:
    return hash(parts)


class _Importer:
    def __init__(self, unit: OrgUnit, actor: User | None, report: ImportReport, today: date):
        self.unit = unit
        self.actor = actor if actor is not None and actor.is_authenticated else None
        self.report = report
        self.today = today
        self.association = unit.association
        self.units = list(
            OrgUnit.unscoped.filter(
                path__within=unit.path, closed_on__isnull=True, association=unit.association_id
            )
        )
        self.matcher = UnitMatcher([u for u in self.units if u.pk != unit.pk])
        self.issuers: dict[int, OrgUnit] = {}
        # Compact keys of the rows seen: hash -> (sheet index << 32 | row), and the sheets' names.
        self.seen_ids: dict[int, int] = {}
        self.seen_names: dict[int, int] = {}
        self.seen_numbers: dict[int, int] = {}
        self.sheet_names: list[str] = []
        self.matched_memberships: set[int] = set()
        self.decisions = 0
        self.names: dict[str, tuple[dict[str, Any], str]] = {}

    # --- pass 1 ----------------------------------------------------------------------------

    def check(
        self,
        path: str | PathLike[str],
        spill: IO[bytes],
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
                    self._match(batch, spill, letters)
                    batch = []
                    if progress:
                        progress(report.rows, None)
            if batch:
                self._match(batch, spill, letters)
            if progress:
                progress(report.rows, None)
        if not usable:
            report.file_error = _("Không thấy cột Họ và tên: tệp này có vẻ không phải danh sách hội viên")

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
        if row.hamlet and fold(row.hamlet) not in fold(address):
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
        search_name = fold(row.full_name)
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

        names = self.names.get(row.full_name)
        if names is None:
            # Names repeat down a list (and across a commune): fold and sort keys once per name.
            if len(self.names) >= NAME_CACHE_SIZE:
                self.names.clear()
            fields_ = name_fields(row.full_name, row.family, row.middle, row.given)
            names = self.names[row.full_name] = (fields_, sort_key_of(fields_))
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

    def _match(self, batch: list[_Candidate], spill: IO[bytes], letters: dict[str, str]) -> None:
        """Match one batch against the register (a few queries) and spill the decisions."""
        report = self.report
        association_id = self.association.pk
        by_id: dict[str, dict[str, Any]] = {}
        numbers = {c.person["id_number"] for c in batch if "id_number" in c.person}
        if numbers:
            for person in Person.unscoped.filter(id_number__in=numbers, merged_into__isnull=True).values(
                "id", *PERSON_COMPARE
            ):
                by_id.setdefault(person["id_number"], person)
        matched: dict[int, int] = {}  # batch index -> person id (0: ambiguous)
        by_name: dict[tuple[str, int | None], list[int]] = {}
        without_id: set[int] = set()
        name_wanted = {c.person["search_name"] for c in batch if c.person.get("id_number") not in by_id}
        if name_wanted:
            rows = Membership.unscoped.filter(
                association_id=association_id,
                org_unit__path__within=self.unit.path,
                person__search_name__in=name_wanted,
                person__merged_into__isnull=True,
            ).values_list("person_id", "person__search_name", "person__birth_year", "person__id_number")
            for person_id, search_name, birth_year, id_number in rows:
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
                p["id"]: p for p in Person.unscoped.filter(pk__in=person_ids).values("id", *PERSON_COMPARE)
            }
            for ms in Membership.unscoped.filter(person_id__in=person_ids, association_id=association_id).values(
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
                records.append(self._create_record(candidate, person_id, letters))
                continue
            if existing["id"] in self.matched_memberships:
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
        if records:
            pickle.dump(records, spill, protocol=pickle.HIGHEST_PROTOCOL)
            self.decisions += len(records)

    def _numbers_taken(self, batch: list[_Candidate]) -> dict[tuple[int, str], int]:
        wanted: dict[int, set[str]] = {}
        for candidate in batch:
            number = candidate.membership.get("member_number")
            if number:
                wanted.setdefault(self._issuer(candidate.unit).pk, set()).add(number)
        taken: dict[tuple[int, str], int] = {}
        for issuer_id, values in wanted.items():
            for ms_id, number in Membership.unscoped.filter(
                number_issuer_id=issuer_id, member_number__in=values
            ).values_list("id", "member_number"):
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

    # --- pass 2 ----------------------------------------------------------------------------

    def write(self, spill: IO[bytes], progress: Progress | None) -> None:
        total = self.decisions
        done = 0
        units = {u.pk: u for u in self.units}
        now = timezone.now()
        actor_id = self.actor.pk if self.actor else None
        self.tables = {
            "person": _Table(Person, now, with_pk=True),
            "membership": _Table(Membership, now, with_pk=True),
            "person_history": _Table(Person.history.model, now, history_type="+", history_user_id=actor_id, created_at=now,
                                     history_date=now, history_change_reason=None),
            "membership_history": _Table(Membership.history.model, now, history_type="+", created_at=now,
                                         history_user_id=actor_id, history_date=now, history_change_reason=None),
            "event": _Table(MembershipEvent, now, kind=EventKind.JOINED, actor_id=actor_id),
        }  # fmt: skip
        with transaction.atomic():
            for records in _read_spill(spill):
                creates = [r for r in records if r[0] == "c"]
                if creates:
                    self._write_creates(creates, units, now)
                for record in records:
                    if record[0] == "u":
                        self._write_update(record)
                done += len(records)
                if progress:
                    progress(done, total)
            report = self.report
            audit(action="member.imported", actor=self.actor, unit=self.unit, rows=report.rows,
                  created=report.created, updated=report.updated, unchanged=report.unchanged,
                  duplicates=report.duplicate_count, warnings=report.warning_count)  # fmt: skip
        self.report.written = True

    def _write_creates(self, creates: list[tuple[Any, ...]], units: dict[int, OrgUnit], now: Any) -> None:
        """One batch of new members: people, memberships, their first history rows and the
        joined events, each table in one executemany (ids allocated up front)."""
        tables = self.tables
        new_people = [values for _kind, _unit, person_id, values, _ms in creates if person_id is None]
        person_ids = iter(_allocate_ids(Person, len(new_people)))
        people: list[dict[str, Any]] = []
        memberships: list[dict[str, Any]] = []
        association_id = self.association.pk
        for _kind, unit_id, person_id, values, membership in creates:
            if person_id is None:
                person_id = next(person_ids)
                people.append({**values, "id": person_id})
            issuer_id = self._issuer(units[unit_id]).pk if membership.get("member_number") else None
            memberships.append(
                {
                    **membership,
                    "person_id": person_id,
                    "association_id": association_id,
                    "org_unit_id": unit_id,
                    "number_issuer_id": issuer_id,
                    "unit_since": membership["joined_on"],
                }
            )
        for values, membership_id in zip(
            memberships, _allocate_ids(Membership, len(memberships)), strict=True
        ):
            values["id"] = membership_id
        try:
            with transaction.atomic():
                tables["person"].insert(people)
                tables["membership"].insert(memberships)
        except IntegrityError as exc:  # someone admitted one of these people meanwhile
            raise DomainError(
                _("Trong lúc nhập, một số người trong tệp vừa được thêm vào sổ. Hãy chạy lại việc nhập."),
                code="conflict",
            ) from exc
        tables["person_history"].insert(people)
        tables["membership_history"].insert(memberships)
        tables["event"].insert(
            {
                "membership_id": values["id"],
                "org_unit_id": values["org_unit_id"],
                "happened_on": values["joined_on"],
                "precision": values["joined_precision"],
            }
            for values in memberships
        )

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


class _Table:
    """Rows of one table written with a single executemany: the ORM's bulk_create prepares
    every value of every object and costs ten times the insert itself on 100,000 rows."""

    def __init__(self, model: type[models.Model], now: Any, *, with_pk: bool = False, **fixed: Any):
        self.columns: list[str] = []
        self.spec: list[tuple[str, Any, Callable[[], Any] | None]] = []
        now_value = now if connection.vendor != "sqlite" else connection.ops.adapt_datetimefield_value(now)
        for field_ in model._meta.concrete_fields:
            if isinstance(field_, AutoFieldMixin) and not (with_pk and field_.primary_key):
                continue  # the database numbers it
            self.columns.append(field_.column)
            factory = None
            if field_.attname in fixed:
                default = fixed[field_.attname]
                if default is now:
                    default = now_value
            elif getattr(field_, "auto_now", False) or getattr(field_, "auto_now_add", False):
                default = now_value
            elif field_.has_default() and callable(field_.default):
                default, factory = None, field_.default
            else:
                default = field_.get_default()
            self.spec.append((field_.attname, default, factory))
        quote = connection.ops.quote_name
        self.copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(column) for column in self.columns)
        )
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(column) for column in self.columns),
            ", ".join(["%s"] * len(self.columns)),
        )

    def insert(self, rows: Iterable[dict[str, Any]]) -> None:
        pairs = [(name_, default) for name_, default, _factory in self.spec]
        factories = [(name_, factory) for name_, _default, factory in self.spec if factory is not None]
        values = []
        for row in rows:
            for name_, factory in factories:
                if name_ not in row:
                    row[name_] = factory()
            get = row.get
            values.append(tuple([get(name_, default) for name_, default in pairs]))
        if not values:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: executemany sends one statement per row (twenty times slower here).
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, values)


def _new_codes(count: int) -> list[str]:
    """``count`` public codes like core.models.new_code, from one read of the system's
    random source (new_code draws every character separately: a fifth of a write's time)."""
    alphabet = _CODE_ALPHABET
    limit = len(alphabet) * (256 // len(alphabet))  # unbiased: drop the bytes above it
    codes: list[str] = []
    pending: list[str] = []
    while len(codes) < count:
        for byte in secrets.token_bytes((count - len(codes)) * CODE_LENGTH * 2):
            if byte < limit:
                pending.append(alphabet[byte % len(alphabet)])
                if len(pending) == CODE_LENGTH:
                    codes.append("".join(pending))
                    pending = []
                    if len(codes) == count:
                        break
    return codes


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


def _read_spill(spill: IO[bytes]):  # noqa: ANN202
    while True:
        try:
            yield pickle.load(spill)  # noqa: S301 (our own temporary file)
        except EOFError:
            return


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
    importer = _Importer(unit, actor, report, today or timezone.localdate())
    with tempfile.TemporaryFile() as spill:
        try:
            importer.check(
                path, spill, overrides=overrides, sheet_units=sheet_units, progress=progress,
                filename=filename, max_bytes=max_bytes,
            )  # fmt: skip
        except SpreadsheetError as error:
            report.file_error = error.message
        if not report.ok or dry_run:
            return report
        spill.seek(0)
        try:
            importer.write(spill, progress)
        except DomainError as error:
            report.file_error = error.message
            report.written = False
    return report
