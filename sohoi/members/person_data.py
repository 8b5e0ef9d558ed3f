"""One cleaning of a person's data for every way it comes in: the form, the API, the import.

Errors raise ``DomainError`` with the field; doubts come back as warnings the user sees
(a CCCD that disagrees with the birth year is a warning, not an error: DOMAIN.md §6.5).
Parsing reuses the forgiving readers of the import (sohoi.imports.values), so "0912 345 678",
"+84912345678" and "912345678" mean the same phone on a form as in a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from sohoi.core.errors import DomainError
from sohoi.core.text import fold, name_key, name_sort_key, nfc
from sohoi.imports.values import PartialDate, cccd_consistency, parse_cccd, parse_name, parse_phone

from .models import DatePrecision, Gender, IdType

MAX_AGE = 130


@dataclass
class PersonInput:
    """What a user or a file says about a person; empty strings mean "not given"."""

    full_name: str
    birth: PartialDate | None = None
    gender: str = ""
    id_number: str = ""
    phone: str = ""
    phone_note: str = ""
    address: str = ""
    ethnicity: str = ""
    note: str = ""
    area_id: int | None = None
    hamlet_id: int | None = None
    # Split parts: derived from the full name unless the user corrected them.
    family_name: str | None = None
    middle_name: str | None = None
    given_name: str | None = None
    # Sensitive fields: None keeps what is stored (a form that does not show them, because no
    # consent is in the editor's view, must not erase them).
    religion: str | None = None
    health_note: str | None = None
    policy_status: str | None = None


@dataclass
class CleanPerson:
    values: dict[str, object]
    warnings: list[str] = field(default_factory=list)


def birth_fields(birth: PartialDate | None) -> dict[str, object]:
    if birth is None:
        return {"birth_date": None, "birth_precision": "", "birth_year": None}
    return {"birth_date": birth.to_date(), "birth_precision": birth.precision, "birth_year": birth.year}


def name_fields(full: str, family: str, middle: str, given: str) -> dict[str, str]:
    return {
        "full_name": full,
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
        "search_name": fold(full),
        "name_key": name_key(full),
    }


def clean_person(data: PersonInput, *, today: date | None = None) -> CleanPerson:
    today = today or timezone.localdate()
    warnings: list[str] = []
    name, problem = parse_name(data.full_name or "")
    if name is None:
        raise DomainError(problem.message if problem else _("Cần nhập họ và tên."), field="full_name")
    if problem:
        warnings.append(problem.message)
    family, middle, given = name.family, name.middle, name.given
    if data.given_name is not None and nfc(data.given_name):
        # The user corrected the split (a two-word given name, a family name written last).
        family, middle, given = nfc(data.family_name or ""), nfc(data.middle_name or ""), nfc(data.given_name)
        if " ".join(part for part in (family, middle, given) if part).lower() != name.full.lower():
            raise DomainError(_("Họ, tên đệm và tên phải ghép lại đúng họ và tên."), field="given_name")
    values: dict[str, object] = name_fields(name.full, family, middle, given)

    if data.birth is not None:
        if data.birth.to_date() > today:
            raise DomainError(_("Ngày sinh ở tương lai."), field="birth")
        if today.year - data.birth.year > MAX_AGE:
            raise DomainError(_("Năm sinh %(year)s không hợp lệ.") % {"year": data.birth.year}, field="birth")
    values.update(birth_fields(data.birth))

    if data.gender and data.gender not in Gender.values:
        raise DomainError(_("Giới tính không hợp lệ."), field="gender")
    values["gender"] = data.gender or ""

    values["id_type"], values["id_number"] = "", ""
    if data.id_number.strip():
        citizen_id, problem = parse_cccd(data.id_number.strip())
        if citizen_id is None:
            raise DomainError(problem.message if problem else _("Số CCCD không hợp lệ."), field="id_number")
        if problem:
            warnings.append(problem.message)
        values["id_number"], values["id_type"] = citizen_id.number, citizen_id.id_type
        if citizen_id.id_type == IdType.CCCD:
            mismatch = cccd_consistency(
                citizen_id.number, data.gender or None, data.birth.year if data.birth else None
            )
            if mismatch:
                warnings.append(mismatch.message)

    values["phone"] = ""
    if data.phone.strip():
        phone, problem = parse_phone(data.phone.strip())
        if phone is None:
            raise DomainError(problem.message if problem else _("Số điện thoại không hợp lệ."), field="phone")
        if problem:
            warnings.append(problem.message)
        values["phone"] = phone.e164
    for name_, maximum in (("phone_note", 80), ("address", 255), ("ethnicity", 50), ("religion", 50),
                           ("health_note", 255), ("policy_status", 255)):  # fmt: skip
        if getattr(data, name_) is None:
            continue  # a sensitive field left as stored
        text = nfc(getattr(data, name_) or "")
        if len(text) > maximum:
            raise DomainError(_("Dài quá %(max)s ký tự.") % {"max": maximum}, field=name_)
        values[name_] = text
    values["note"] = (data.note or "").strip()
    values["area_id"], values["hamlet_id"] = data.area_id, data.hamlet_id
    return CleanPerson(values, warnings)


def sort_key_of(values: dict[str, object]) -> str:
    return name_sort_key(str(values["given_name"]), str(values["middle_name"]), str(values["family_name"]))


def partial_date(day: date | None, precision: str) -> PartialDate | None:
    if day is None:
        return None
    if precision == DatePrecision.YEAR:
        return PartialDate(day.year)
    if precision == DatePrecision.MONTH:
        return PartialDate(day.year, day.month)
    return PartialDate.from_date(day)


def age_on(birth: PartialDate, day: date) -> int:
    """Age on a day: exact when the birthday is known ("từ đủ 60 tuổi", DOMAIN.md §1.4), else by
    calendar year, the way lists with only a birth year are read."""
    if birth.precision == "day":
        birthday_passed = (day.month, day.day) >= (birth.month, birth.day)
        return day.year - birth.year - (0 if birthday_passed else 1)
    return day.year - birth.year
