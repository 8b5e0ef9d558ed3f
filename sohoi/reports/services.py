"""Write paths of the reports: targets (set by a unit or handed down from above), the population
of an area, the narrative of the year-end report and the letterhead. Each checks its input and
changes nothing when it refuses."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from sohoi.core.audit import audit
from sohoi.core.errors import DomainError
from sohoi.core.scoping import ensure_in_scope

from . import indicators as registry
from .models import AreaPopulation, Letterhead, Target, YearReport

if TYPE_CHECKING:
    from sohoi.accounts.models import User
    from sohoi.orgunits.models import OrgUnit

YEAR_MIN, YEAR_MAX = 1980, 2100
TARGET_MAX = Decimal("999999999999")


def check_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = 0
    if not YEAR_MIN <= value <= YEAR_MAX:
        raise DomainError(
            _("Năm phải từ %(low)s đến %(high)s.") % {"low": YEAR_MIN, "high": YEAR_MAX},
            field="year",
            code="year",
        )
    return value


def check_report_year(year: Any) -> int:
    """A year whose figures exist: not after the current one."""
    value = check_year(year)
    if value > date.today().year:
        raise DomainError(
            _("Năm %(year)s chưa đến: chưa có số liệu để làm báo cáo.") % {"year": value},
            field="year",
            code="year",
        )
    return value


def cut_off_problem(year: int, day: date | None) -> str | None:
    """Figures of year Y are counted to a day of Y (30 September…) or early in Y+1: the message
    when ``day`` is neither (the pages, the API, the command and the saved report share it)."""
    if day is None or day.year in (year, year + 1):
        return None
    return _("Ngày tính số liệu phải thuộc năm %(year)s (hoặc đầu năm %(next)s).") % {
        "year": year,
        "next": year + 1,
    }


def check_as_of(year: int, day: date | None) -> date | None:
    """The day the figures are counted on: see :func:`cut_off_problem`, and never a day still to come."""
    if day is None:
        return None
    if problem := cut_off_problem(year, day):
        raise DomainError(problem, field="as_of", code="as_of")
    if day > date.today():
        raise DomainError(_("Ngày tính số liệu không được sau hôm nay."), field="as_of", code="as_of")
    return day


def parse_as_of(year: int, text: str) -> date | None:
    """The "as of" day typed as YYYY-MM-DD (API, command), checked by :func:`check_as_of`."""
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(
            _("Ngày “%(value)s” không đúng dạng YYYY-MM-DD.") % {"value": text[:20]},
            field="as_of",
        ) from None
    return check_as_of(year, day)


def _target_value(indicator: registry.Indicator, raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("“%(value)s” không phải là một số.") % {"value": str(raw)[:40]}, field="value"
        ) from None
    if not value.is_finite() or value < 0 or value > TARGET_MAX:
        raise DomainError(_("Chỉ tiêu phải là một số không âm."), field="value", code="target_range")
    if indicator.unit == registry.Unit.PERCENT:
        if value > 100:
            raise DomainError(_("Chỉ tiêu tỷ lệ không được quá 100%."), field="value", code="target_range")
        return value.quantize(Decimal("0.01"))
    if value != value.to_integral_value():
        raise DomainError(_("Chỉ tiêu này phải là số nguyên."), field="value", code="target_whole")
    return value.to_integral_value()


def _indicator(name: str) -> registry.Indicator:
    found = registry.indicator(name)
    if found is None:
        raise DomainError(_("Không có chỉ tiêu “%(name)s”.") % {"name": str(name)[:64]}, field="indicator")
    return found


def _may_change(existing: Target | None, setter: OrgUnit) -> None:
    """A target handed down from above is changed only from that level (or a higher one)."""
    if existing is None:
        return
    if not existing.set_by.path.startswith(setter.path):
        raise DomainError(
            _("Chỉ tiêu này do %(unit)s giao; chỉ cấp đã giao mới sửa được.")
            % {"unit": existing.set_by.name},
            field="value",
            code="handed_down",
        )


@transaction.atomic
def target_set(
    *,
    unit: OrgUnit,
    setter: OrgUnit,
    year: int,
    indicator: str,
    value: Any,
    actor: User | None,
    note: str = "",
) -> Target | None:
    """Set (or, with an empty value, remove) ``unit``'s target. ``setter`` is the unit acting: the
    unit itself, or a level above handing the target down."""
    ensure_in_scope(unit)
    if not unit.path.startswith(setter.path):
        raise DomainError(
            _("Chỉ giao chỉ tiêu được cho đơn vị mình hoặc đơn vị cấp dưới."), code="handed_down"
        )
    year = check_year(year)
    found = _indicator(indicator)
    existing = (
        Target.objects.select_for_update()
        .select_related("set_by")
        .filter(org_unit=unit, year=year, indicator=found.name)
        .first()
    )
    _may_change(existing, setter)
    if value is None or str(value).strip() == "":
        if existing is not None:
            existing.delete()
            audit(action="reports.target_removed", actor=actor, unit=unit, indicator=found.name, year=year)
        return None
    amount = _target_value(found, value)
    if existing is None:
        existing = Target(org_unit=unit, year=year, indicator=found.name)
    elif existing.value == amount and existing.set_by_id == setter.pk and existing.note == note.strip():
        return existing
    existing.value, existing.set_by, existing.note, existing.actor = amount, setter, note.strip()[:255], actor
    existing.save()
    audit(
        action="reports.target_set", actor=actor, unit=unit, indicator=found.name, year=year, value=str(amount),
        handed_down=setter.pk != unit.pk,
    )  # fmt: skip
    return existing


@transaction.atomic
def targets_set(
    *, unit: OrgUnit, setter: OrgUnit, year: int, values: dict[str, Any], actor: User | None
) -> int:
    """Several targets at once (the targets form): all or nothing. Returns how many changed."""
    changed = 0
    errors: list[DomainError] = []
    for name, value in values.items():
        try:
            with transaction.atomic():
                before = (
                    Target.objects.filter(org_unit=unit, year=year, indicator=name)
                    .values_list("value", flat=True)
                    .first()
                )
                after = target_set(
                    unit=unit, setter=setter, year=year, indicator=name, value=value, actor=actor
                )
                changed += (after.value if after else None) != before
        except DomainError as error:
            error.field = name
            errors.append(error)
    if errors:
        raise errors[0]
    return changed


@transaction.atomic
def targets_hand_down(
    *, parent: OrgUnit, year: int, indicator: str, values: dict[OrgUnit, Any], actor: User | None
) -> int:
    """The level above gives each child its target of one indicator: all or nothing."""
    changed = 0
    for child, value in values.items():
        if child.parent_id != parent.pk:
            raise DomainError(_("Chỉ giao chỉ tiêu được cho đơn vị trực thuộc."), code="handed_down")
        if value is None or str(value).strip() == "":
            # An empty value takes back only a target this level gave; a child's own stays.
            given = Target.objects.filter(
                org_unit=child, year=year, indicator=indicator, set_by=parent
            ).exists()
            if not given:
                continue
        try:
            target_set(unit=child, setter=parent, year=year, indicator=indicator, value=value, actor=actor)
        except DomainError as error:
            raise DomainError(
                f"{child.name}: {error.message}", field=f"unit-{child.pk}", code=error.code
            ) from None
        changed += 1
    return changed


@transaction.atomic
def population_set(
    *, unit: OrgUnit, year: int, aged_60_plus: Any, total: Any = None, source: str = "", actor: User | None
) -> AreaPopulation:
    """The number of people aged 60+ (and, optionally, all people) in the unit's area for a year."""
    ensure_in_scope(unit)
    if unit.area_id is None:
        raise DomainError(
            _("Đơn vị chưa gắn với địa bàn hành chính, nên chưa nhập được dân số."), code="no_area"
        )
    year = check_year(year)
    elderly = _whole_number(aged_60_plus, field="aged_60_plus")
    everyone = None if total in (None, "") else _whole_number(total, field="total")
    if everyone is not None and everyone < elderly:
        raise DomainError(_("Tổng dân số không thể nhỏ hơn số người từ 60 tuổi."), field="total")
    row, _created = AreaPopulation.objects.select_for_update().get_or_create(
        area_id=unit.area_id, year=year, defaults={"aged_60_plus": elderly}
    )
    row.aged_60_plus, row.total, row.source, row.actor = elderly, everyone, source.strip()[:255], actor
    row.save()
    audit(action="reports.population_set", actor=actor, unit=unit, year=year, aged_60_plus=elderly)
    return row


def _whole_number(raw: Any, *, field: str) -> int:
    text = str(raw).strip().replace(".", "").replace(",", "").replace(" ", "")
    if not text.isdecimal() or not text.isascii() or len(text) > 9:
        raise DomainError(_("Hãy nhập một số nguyên không âm."), field=field, code="number")
    return int(text)


@dataclass
class YearReportInput:
    number: str = ""
    place: str = ""
    issued_on: date | None = None
    cut_off: date | None = None
    preamble: str = ""
    situation: str = ""
    achievements: str = ""
    shortcomings: str = ""
    causes: str = ""
    lessons: str = ""
    directions: str = ""
    proposals: str = ""
    recipients: str = ""
    signer_authority: str = ""
    signer_title: str = ""
    signer_name: str = ""


@transaction.atomic
def year_report_save(
    *, unit: OrgUnit, year: int, data: YearReportInput, version: int | None, actor: User | None
) -> YearReport:
    """Save the written parts of the year-end report. ``version`` is the one the form was opened
    with: an edit made meanwhile by someone else is never overwritten."""
    ensure_in_scope(unit)
    year = check_year(year)
    if problem := cut_off_problem(year, data.cut_off):
        raise DomainError(problem, field="cut_off", code="cut_off")
    report = YearReport.objects.select_for_update().filter(org_unit=unit, year=year).first()
    if report is None:
        if version not in (None, 0):
            raise _stale()
        report = YearReport(org_unit=unit, year=year)
    elif version != report.version:
        raise _stale()
    else:
        report.version += 1
    for item in fields(YearReportInput):
        value = getattr(data, item.name)
        setattr(report, item.name, value.strip() if isinstance(value, str) else value)
    report.actor = actor
    report.save()
    audit(action="reports.year_report_saved", actor=actor, unit=unit, year=year)
    return report


def _stale() -> DomainError:
    return DomainError(
        _("Báo cáo vừa được người khác sửa. Hãy mở lại trang để xem bản mới rồi sửa tiếp."), code="conflict"
    )


@transaction.atomic
def letterhead_save(
    *, unit: OrgUnit, parent_body: str, issuer: str, issuer_abbreviation: str, place: str, actor: User | None
) -> Letterhead:
    ensure_in_scope(unit)
    letterhead, _created = Letterhead.objects.get_or_create(org_unit=unit)
    letterhead.parent_body = parent_body.strip()[:160]
    letterhead.issuer = issuer.strip()[:160]
    letterhead.issuer_abbreviation = issuer_abbreviation.strip()[:20]
    letterhead.place = place.strip()[:80]
    letterhead.save()
    audit(action="reports.letterhead_saved", actor=actor, unit=unit)
    return letterhead
