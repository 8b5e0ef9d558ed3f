"""Write paths of the register: admit, edit, transfer, leave, death, re-join, honorary,
consent, restore from history, merge duplicates.

Every service is atomic, refuses units outside the active scope, writes the lifecycle event
and an audit row, and keeps the membership's state (status, unit, stays) in step with its
events; ``rebuild_state`` recomputes that state from the events alone. Callers: web views,
the API, the import and the demo (never views doing their own writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoi.core.audit import audit
from sohoi.core.errors import DomainError, NotFoundError
from sohoi.core.scoping import ensure_in_scope
from sohoi.core.text import name_sort_key
from sohoi.imports.values import PartialDate
from sohoi.orgunits.models import OrgUnit, UnitEvent, UnitLevel
from sohoi.orgunits.services import register_unit_close_guard, register_unit_data_mover

from .models import (
    Consent,
    DatePrecision,
    EventKind,
    MemberNumberCounter,
    Membership,
    MembershipEvent,
    MembershipStatus,
    MembershipStay,
    Person,
)
from .person_data import PersonInput, age_on, clean_person, name_fields, partial_date, sort_key_of

if TYPE_CHECKING:
    from sohoi.accounts.models import User


class ConflictError(DomainError):
    """Someone else saved the record after this form was opened."""

    code = "conflict"


class WarningsNotConfirmed(DomainError):
    """The data has warnings the user has not yet seen and confirmed."""

    code = "needs_confirmation"


def member_not_found_message() -> str:
    return _("Không tìm thấy hội viên, hoặc bạn không có quyền truy cập.")


# --- helpers ------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _ensure_open_unit(unit: OrgUnit, *, field: str = "org_unit") -> None:
    if not unit.is_open:
        raise DomainError(
            _("Đơn vị “%(name)s” đã giải thể hoặc sáp nhập.") % {"name": unit.name}, field=field
        )


def _ensure_not_future(day: date, *, field: str) -> None:
    if day > _today():
        raise DomainError(_("Ngày không thể ở tương lai."), field=field)


def _lock(membership: Membership) -> Membership:
    """Re-read the membership under a row lock (two cadres acting on one member at once)."""
    try:
        return (
            Membership.unscoped.select_for_update().select_related("person", "org_unit").get(pk=membership.pk)
        )
    except Membership.DoesNotExist as exc:
        raise NotFoundError(member_not_found_message()) from exc


def _check_version(current: int, expected: int | None, what: str) -> None:
    if expected is not None and current != expected:
        raise ConflictError(
            _(
                "%(what)s vừa được người khác sửa sau khi bạn mở trang. Hãy tải lại trang để xem "
                "thay đổi mới nhất rồi nhập lại; chưa có gì được lưu."
            )
            % {"what": what}
        )


def _event(
    membership: Membership,
    kind: str,
    *,
    on: date,
    actor: User | None,
    unit: OrgUnit | None = None,
    from_unit: OrgUnit | None = None,
    reason: str = "",
    precision: str = DatePrecision.DAY,
    cause: UnitEvent | None = None,
) -> MembershipEvent:
    return MembershipEvent.unscoped.create(
        membership=membership,
        kind=kind,
        org_unit=unit or membership.org_unit,
        from_unit=from_unit,
        happened_on=on,
        precision=precision,
        reason=reason,
        cause=cause,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def _with_history_user(instance: Person | Membership, actor: User | None) -> None:
    """Called right before every save or delete of a person or a membership."""
    if instance.pk is not None:
        _history_baseline(instance)
    instance._history_user = actor if actor is not None and actor.is_authenticated else None  # type: ignore[union-attr]


def _history_baseline(instance: Person | Membership) -> None:
    """Rows written in bulk (an import) get no history row, to keep imports fast. Before their
    first change, record the state they were written in (dated when written, by no user), so
    the change shows what it replaced and can be undone like any other."""
    if instance.history.exists():  # type: ignore[union-attr]
        return
    model = type(instance)
    stored = model.unscoped.get(pk=instance.pk)  # type: ignore[attr-defined]
    model.history.bulk_history_create([stored], default_date=stored.created_at)  # type: ignore[attr-defined]


def number_issuer_for(unit: OrgUnit) -> OrgUnit:
    """Member numbers are issued by the commune-level Hội (cơ sở) the unit belongs to, or by the
    unit itself when it sits above that level."""
    if unit.level in (UnitLevel.BRANCH, UnitLevel.GROUP):
        for ancestor in OrgUnit.unscoped.filter(path__in=unit.ancestor_paths()).order_by("-depth"):
            if ancestor.level not in (UnitLevel.BRANCH, UnitLevel.GROUP):
                return ancestor
    return unit


def _next_member_number(issuer: OrgUnit, pattern: str, joined_on: date) -> str:
    counter, _created = MemberNumberCounter.unscoped.select_for_update().get_or_create(org_unit=issuer)
    for _attempt in range(1000):
        counter.last_value += 1
        try:
            number = pattern.format(seq=counter.last_value, year=joined_on.year)[:30]
        except (KeyError, IndexError, ValueError) as exc:
            raise DomainError(
                _("Mẫu số hội viên của hội không hợp lệ: hãy nhập số tay."), field="member_number"
            ) from exc
        if not Membership.unscoped.filter(number_issuer=issuer, member_number=number).exists():
            counter.save(update_fields=["last_value"])
            return number
    raise DomainError(_("Không cấp được số hội viên tự động: hãy nhập số."), field="member_number")


def _ensure_number_free(issuer: OrgUnit, number: str, *, exclude: int | None = None) -> None:
    taken = Membership.unscoped.filter(number_issuer=issuer, member_number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if number and taken.exists():
        raise DomainError(
            _("Số hội viên %(number)s đã được cấp cho người khác trong %(unit)s.")
            % {"number": number, "unit": issuer.name},
            field="member_number",
            code="duplicate_member_number",
        )


def age_rule_problem(association, birth: PartialDate | None, on: date) -> str | None:  # noqa: ANN001
    """The association's age rule (DOMAIN.md §1.4: từ đủ 60, 55–59 by exception): a message
    when the person is below it on the day they join, or None."""
    rule = association.membership_rule or {}
    min_age = rule.get("min_age")
    if not min_age or birth is None:
        return None
    age = age_on(birth, on)
    if age >= int(min_age):
        return None
    exception_age = rule.get("exception_min_age")
    if exception_age and age >= int(exception_age):
        return _(
            "Người này %(age)s tuổi khi vào hội, dưới %(min)s tuổi: chỉ được kết nạp theo ngoại lệ "
            "(từ %(low)s tuổi, tích cực tham gia hoặc được giao công tác Hội). Hãy ghi lý do."
        ) % {"age": age, "min": min_age, "low": exception_age}
    return _("Người này %(age)s tuổi khi vào hội, dưới độ tuổi %(min)s của hội. Hãy ghi lý do.") % {
        "age": age,
        "min": min_age,
    }


# --- admit and edit ----------------------------------------------------------------------------


def _refuse_registered_id(values: dict[str, object]) -> None:
    """A citizen ID already in the register (in scope) is that person: admit them, do not
    create them twice (a double submit, or a second cadre entering the same form)."""
    number = values.get("id_number")
    if not number:
        return
    existing = Person.objects.current().filter(id_number=number).first()
    if existing is not None:
        raise DomainError(
            _("Số CCCD/CMND %(number)s đã có trong sổ: %(name)s. Hãy mở hồ sơ đó thay vì thêm mới.")
            % {"number": number, "name": existing.full_name},
            field="id_number",
            code="duplicate_person",
        )


def _likely_same_person(unit: OrgUnit, values: dict[str, object]) -> list[str]:
    """Same folded name and birth year in the unit's register: probably the same person."""
    if not values.get("birth_year"):
        return []
    same = (
        Membership.objects.filter(
            org_unit__path__within=unit.path,
            person__merged_into__isnull=True,
            person__search_name=values["search_name"],
            person__name_key=values["name_key"],
            person__birth_year=values["birth_year"],
        )  # fmt: skip
        .select_related("org_unit")
        .first()
    )
    if same is None:
        return []
    return [
        _("Đã có %(name)s sinh năm %(year)s ở %(unit)s: có thể là cùng một người.")
        % {"name": values["full_name"], "year": values["birth_year"], "unit": same.org_unit.name}
    ]


@dataclass
class MembershipInput:
    joined: PartialDate
    member_number: str = ""
    card_number: str = ""
    card_issued_on: date | None = None


def _clean_membership(data: MembershipInput) -> None:
    if data.joined.to_date() > _today():
        raise DomainError(_("Ngày vào hội không thể ở tương lai."), field="joined")
    if data.card_issued_on and data.card_issued_on > _today():
        raise DomainError(_("Ngày cấp thẻ không thể ở tương lai."), field="card_issued_on")
    for name_, maximum in (("member_number", 30), ("card_number", 30)):
        value = getattr(data, name_).strip()
        if len(value) > maximum:
            raise DomainError(_("Dài quá %(max)s ký tự.") % {"max": maximum}, field=name_)
        setattr(data, name_, value)


@transaction.atomic
def member_admit(
    *,
    unit: OrgUnit,
    person: PersonInput | Person,
    membership: MembershipInput,
    actor: User | None,
    confirmed_warnings: bool = False,
    exception_reason: str = "",
) -> tuple[Membership, list[str]]:
    """Admit a new member of ``unit``'s association (a new person, or one already registered in
    another association). Warnings (CCCD vs birth year, age below the rule) stop the admission
    until the user confirms them; the age rule also needs a reason. Returns the membership and
    the warnings that were confirmed."""
    ensure_in_scope(unit)
    unit = OrgUnit.unscoped.select_related("association").get(pk=unit.pk)
    _ensure_open_unit(unit)
    _clean_membership(membership)
    joined_on = membership.joined.to_date()

    if isinstance(person, Person):
        if person.died_on:
            raise DomainError(_("Người này đã mất."), field="full_name")
        if Membership.unscoped.filter(person=person, association=unit.association_id).exists():
            raise DomainError(
                _("Người này đã là hội viên của hội (có thể đã thôi: hãy dùng “Vào lại hội”)."),
                code="already_member",
            )
        warnings: list[str] = []
        birth = partial_date(person.birth_date, person.birth_precision)
        sort_key = name_sort_key(person.given_name, person.middle_name, person.family_name)
    else:
        cleaned = clean_person(person)
        warnings = cleaned.warnings
        if any(cleaned.values.get(name_) for name_ in Person.SENSITIVE_FIELDS):
            raise DomainError(
                _(
                    "Chỉ được ghi tôn giáo, sức khỏe, diện chính sách khi đã ghi nhận sự đồng ý của người này."
                ),
                field="religion",
                code="consent_required",
            )
        _refuse_registered_id(cleaned.values)
        warnings = [*warnings, *_likely_same_person(unit, cleaned.values)]
        birth = person.birth
        sort_key = sort_key_of(cleaned.values)
    age_problem = age_rule_problem(unit.association, birth, joined_on)
    if age_problem:
        if not exception_reason.strip():
            raise DomainError(age_problem, field="exception_reason", code="age_below_rule")
        warnings = [*warnings, age_problem]
    if warnings and not confirmed_warnings:
        raise WarningsNotConfirmed(" ".join(warnings), warnings=warnings)

    if not isinstance(person, Person):
        person = Person(**cleaned.values)
        _with_history_user(person, actor)
        person.save()

    issuer = number_issuer_for(unit)
    number = membership.member_number
    pattern = (unit.association.membership_rule or {}).get("member_number_pattern")
    if not number and pattern:
        number = _next_member_number(issuer, pattern, joined_on)
    _ensure_number_free(issuer, number)
    row = Membership(
        person=person,
        association=unit.association,
        org_unit=unit,
        member_number=number,
        number_issuer=issuer if number else None,
        card_number=membership.card_number,
        card_issued_on=membership.card_issued_on,
        joined_on=joined_on,
        joined_precision=membership.joined.precision,
        unit_since=joined_on,
        sort_key=sort_key,
    )
    _with_history_user(row, actor)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:  # a concurrent admission of the same person or number
        raise DomainError(
            _("Người này vừa được thêm vào hội, hoặc số hội viên vừa được cấp."), code="conflict"
        ) from exc
    _event(row, EventKind.JOINED, on=joined_on, actor=actor, precision=membership.joined.precision,
           reason=exception_reason.strip())  # fmt: skip
    audit(action="member.admitted", actor=actor, unit=unit, target=row, warnings=len(warnings))
    return row, warnings


@transaction.atomic
def member_update(
    *,
    membership: Membership,
    person_data: PersonInput,
    membership_data: MembershipInput,
    expected_version: int | None,
    actor: User | None,
    confirmed_warnings: bool = False,
) -> tuple[Membership, list[str]]:
    """Change a member's personal data and membership details. ``expected_version`` is the
    version the form was opened at: a save over someone else's newer save is refused."""
    membership = _lock(membership)
    ensure_in_scope(membership.org_unit)
    person = Person.unscoped.select_for_update().get(pk=membership.person_id)
    _check_version(membership.version, expected_version, _("Hồ sơ hội viên"))
    cleaned = clean_person(person_data)
    _clean_membership(membership_data)
    if cleaned.warnings and not confirmed_warnings:
        raise WarningsNotConfirmed(" ".join(cleaned.warnings), warnings=cleaned.warnings)
    if any(cleaned.values.get(name_) for name_ in Person.SENSITIVE_FIELDS) and not _has_consent(person):
        raise DomainError(
            _("Chỉ được ghi tôn giáo, sức khỏe, diện chính sách khi đã ghi nhận sự đồng ý của người này."),
            field="religion",
            code="consent_required",
        )
    changed = [name_ for name_, value in cleaned.values.items() if getattr(person, name_) != value]
    for name_, value in cleaned.values.items():
        setattr(person, name_, value)
    if changed:
        person.version = F("version") + 1
        _with_history_user(person, actor)
        person.save()
        person.refresh_from_db(fields=["version"])

    joined_on = membership_data.joined.to_date()
    issuer = membership.number_issuer or number_issuer_for(membership.org_unit)
    _ensure_number_free(issuer, membership_data.member_number, exclude=membership.pk)
    new_values = {
        "member_number": membership_data.member_number,
        "number_issuer": issuer if membership_data.member_number else None,
        "card_number": membership_data.card_number,
        "card_issued_on": membership_data.card_issued_on,
        "joined_on": joined_on,
        "joined_precision": membership_data.joined.precision,
        "sort_key": sort_key_of(cleaned.values),
    }
    if joined_on != membership.joined_on:
        first_stay = membership.stays.order_by("started_on").first()
        if first_stay is None and membership.unit_since == membership.joined_on:
            new_values["unit_since"] = joined_on
        elif (first_stay and joined_on > first_stay.ended_on) or joined_on > membership.unit_since:
            raise DomainError(_("Ngày vào hội phải trước các lần chuyển sinh hoạt."), field="joined")
        elif first_stay is not None:
            first_stay.started_on = joined_on
            first_stay.save(update_fields=["started_on"])
        MembershipEvent.unscoped.filter(membership=membership, kind=EventKind.JOINED).update(
            happened_on=joined_on, precision=membership_data.joined.precision
        )
    ms_changed = [name_ for name_, value in new_values.items() if getattr(membership, name_) != value]
    for name_, value in new_values.items():
        setattr(membership, name_, value)
    if changed:
        # The person's other memberships list them under the new name, and a form opened on one
        # of them before this change is now stale: it must not overwrite it.
        Membership.unscoped.filter(person=person).exclude(pk=membership.pk).update(
            sort_key=new_values["sort_key"], version=F("version") + 1
        )
    membership.version += 1
    _with_history_user(membership, actor)
    membership.save()
    if changed or ms_changed:
        audit(action="member.updated", actor=actor, unit=membership.org_unit, target=membership,
              fields=sorted(set(changed + ms_changed) - {"search_name", "name_key", "sort_key"}))  # fmt: skip
    return membership, cleaned.warnings


def _has_consent(person: Person) -> bool:
    return Consent.unscoped.filter(person=person, withdrawn_on__isnull=True).exists()


# --- lifecycle ---------------------------------------------------------------------------------


def _ensure_active(membership: Membership) -> None:
    if membership.status != MembershipStatus.ACTIVE:
        raise DomainError(
            _("Hội viên này không còn sinh hoạt (%(status)s).") % {"status": membership.get_status_display()},
            code="not_active",
        )


def _ensure_after_stay_start(membership: Membership, on: date) -> None:
    if on < membership.unit_since:
        raise DomainError(
            _("Ngày phải từ %(day)s trở đi (ngày bắt đầu sinh hoạt tại đơn vị hiện tại).")
            % {"day": membership.unit_since.strftime("%d/%m/%Y")},
            field="on",
        )


def _close_stay(membership: Membership, on: date) -> None:
    if on > membership.unit_since:
        MembershipStay.unscoped.create(
            membership=membership, org_unit=membership.org_unit, started_on=membership.unit_since, ended_on=on
        )


@transaction.atomic
def member_transfer(
    *,
    membership: Membership,
    to_unit: OrgUnit,
    on: date,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
) -> Membership:
    """Chuyển sinh hoạt: the member moves to another open unit of the same association, from ``on``."""
    membership = _lock(membership)
    ensure_in_scope(membership.org_unit)
    ensure_in_scope(to_unit)
    _check_version(membership.version, expected_version, _("Hồ sơ hội viên"))
    _ensure_active(membership)
    _ensure_not_future(on, field="on")
    _ensure_after_stay_start(membership, on)
    to_unit = OrgUnit.unscoped.get(pk=to_unit.pk)
    _ensure_open_unit(to_unit, field="to_unit")
    if to_unit.association_id != membership.association_id:
        raise DomainError(_("Chỉ chuyển được sang đơn vị của cùng hội."), field="to_unit")
    if to_unit.pk == membership.org_unit_id:
        raise DomainError(_("Hội viên đang sinh hoạt tại đơn vị này."), field="to_unit")
    from_unit = membership.org_unit
    _close_stay(membership, on)
    membership.org_unit, membership.unit_since = to_unit, on
    membership.version += 1
    _with_history_user(membership, actor)
    membership.save()
    _event(
        membership,
        EventKind.TRANSFERRED,
        on=on,
        actor=actor,
        unit=to_unit,
        from_unit=from_unit,
        reason=reason,
    )
    audit(action="member.transferred", actor=actor, unit=to_unit, target=membership, from_unit=from_unit.code)
    return membership


@transaction.atomic
def member_leave(
    *, membership: Membership, on: date, reason: str, actor: User | None, expected_version: int | None = None
) -> Membership:
    """Thôi sinh hoạt: the membership ends on ``on``, with a reason; the row stays in the register."""
    if not reason.strip():
        raise DomainError(_("Cần ghi lý do thôi sinh hoạt."), field="reason")
    membership = _lock(membership)
    ensure_in_scope(membership.org_unit)
    _check_version(membership.version, expected_version, _("Hồ sơ hội viên"))
    _ensure_active(membership)
    _ensure_not_future(on, field="on")
    _ensure_after_stay_start(membership, on)
    membership.status, membership.ended_on = MembershipStatus.LEFT, on
    membership.version += 1
    _with_history_user(membership, actor)
    membership.save()
    _event(membership, EventKind.LEFT, on=on, actor=actor, reason=reason.strip())
    audit(action="member.left", actor=actor, unit=membership.org_unit, target=membership)
    return membership


@transaction.atomic
def member_record_death(
    *,
    membership: Membership,
    on: date,
    actor: User | None,
    note: str = "",
    expected_version: int | None = None,
) -> Membership:
    """Từ trần: a fact about the person. Every membership of theirs still active ends on that day,
    in whichever association: a death recorded by one Hội is a death for all."""
    membership = _lock(membership)
    ensure_in_scope(membership.org_unit)
    _check_version(membership.version, expected_version, _("Hồ sơ hội viên"))
    person = Person.unscoped.select_for_update().get(pk=membership.person_id)
    if person.died_on:
        raise DomainError(
            _("Đã ghi nhận người này mất ngày %(day)s.") % {"day": person.died_on.strftime("%d/%m/%Y")}
        )
    _ensure_not_future(on, field="on")
    if person.birth_date and on < person.birth_date:
        raise DomainError(_("Ngày mất trước ngày sinh."), field="on")
    if membership.is_active:
        _ensure_after_stay_start(membership, on)
    person.died_on = on
    person.version = F("version") + 1
    _with_history_user(person, actor)
    person.save()
    for row in Membership.unscoped.select_for_update().filter(person=person, status=MembershipStatus.ACTIVE):
        if on < row.unit_since:
            raise DomainError(_("Ngày mất trước ngày bắt đầu sinh hoạt tại đơn vị."), field="on")
        row.status, row.ended_on = MembershipStatus.DECEASED, on
        row.version += 1
        _with_history_user(row, actor)
        row.save()
        _event(row, EventKind.DIED, on=on, actor=actor, reason=note.strip())
        audit(action="member.died", actor=actor, unit=row.org_unit, target=row)
    return _lock(membership)


@transaction.atomic
def member_rejoin(
    *,
    membership: Membership,
    on: date,
    actor: User | None,
    unit: OrgUnit | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Membership:
    """Vào lại hội: a member who had left joins again, in the same unit or another of the Hội."""
    membership = _lock(membership)
    ensure_in_scope(membership.org_unit)
    _check_version(membership.version, expected_version, _("Hồ sơ hội viên"))
    if membership.status == MembershipStatus.DECEASED:
        raise DomainError(_("Hội viên này đã mất."), code="deceased")
    if membership.status != MembershipStatus.LEFT:
        raise DomainError(_("Hội viên này vẫn đang sinh hoạt."), code="active")
    _ensure_not_future(on, field="on")
    if on < membership.ended_on:
        raise DomainError(_("Ngày vào lại phải sau ngày thôi sinh hoạt."), field="on")
    target = unit or membership.org_unit
    ensure_in_scope(target)
    target = OrgUnit.unscoped.get(pk=target.pk)
    _ensure_open_unit(target, field="unit")
    if target.association_id != membership.association_id:
        raise DomainError(_("Chỉ vào lại được đơn vị của cùng hội."), field="unit")
    if membership.ended_on > membership.unit_since:
        MembershipStay.unscoped.create(membership=membership, org_unit=membership.org_unit,
                                       started_on=membership.unit_since, ended_on=membership.ended_on)  # fmt: skip
    from_unit = membership.org_unit if target.pk != membership.org_unit_id else None
    membership.org_unit, membership.unit_since = target, on
    membership.status, membership.ended_on = MembershipStatus.ACTIVE, None
    membership.version += 1
    _with_history_user(membership, actor)
    membership.save()
    _event(
        membership, EventKind.REJOINED, on=on, actor=actor, unit=target, from_unit=from_unit, reason=reason
    )
    audit(action="member.rejoined", actor=actor, unit=target, target=membership)
    return membership


@transaction.atomic
def member_make_honorary(
    *,
    membership: Membership,
    on: date,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
) -> Membership:
    membership = _lock(membership)
    ensure_in_scope(membership.org_unit)
    _check_version(membership.version, expected_version, _("Hồ sơ hội viên"))
    _ensure_active(membership)
    if membership.is_honorary:
        raise DomainError(_("Đã là hội viên danh dự."))
    _ensure_not_future(on, field="on")
    _ensure_after_stay_start(membership, on)
    membership.is_honorary = True
    membership.version += 1
    _with_history_user(membership, actor)
    membership.save()
    _event(membership, EventKind.HONORARY, on=on, actor=actor, reason=reason)
    audit(action="member.honorary", actor=actor, unit=membership.org_unit, target=membership)
    return membership


def rebuild_state(membership: Membership) -> Membership:
    """Recompute the membership's state and earlier stays from its events alone (the events are
    the record; this is how a test, or a repair job, checks the kept state)."""
    events = list(MembershipEvent.unscoped.filter(membership=membership).order_by("happened_on", "id"))
    if not events or events[0].kind != EventKind.JOINED:
        raise DomainError(_("Hồ sơ không có sự kiện vào hội."))
    stays: list[tuple[int, date, date]] = []
    unit_id, since = events[0].org_unit_id, events[0].happened_on
    status, ended_on, honorary = MembershipStatus.ACTIVE, None, False
    for event in events[1:]:
        if event.kind == EventKind.TRANSFERRED:
            if event.happened_on > since:
                stays.append((unit_id, since, event.happened_on))
            unit_id, since = event.org_unit_id, event.happened_on
        elif event.kind == EventKind.LEFT:
            status, ended_on = MembershipStatus.LEFT, event.happened_on
        elif event.kind == EventKind.DIED:
            status, ended_on = MembershipStatus.DECEASED, event.happened_on
        elif event.kind == EventKind.JOINED:
            # A second admission: two records of one person combined by a merge. Read it as
            # what it would have been in one record: a move while active, a re-join after leaving.
            if status == MembershipStatus.ACTIVE:
                if event.org_unit_id != unit_id:
                    if event.happened_on > since:
                        stays.append((unit_id, since, event.happened_on))
                    unit_id, since = event.org_unit_id, event.happened_on
            elif status == MembershipStatus.LEFT:
                if ended_on and ended_on > since:
                    stays.append((unit_id, since, ended_on))
                unit_id, since, status, ended_on = (
                    event.org_unit_id,
                    event.happened_on,
                    MembershipStatus.ACTIVE,
                    None,
                )
        elif event.kind == EventKind.REJOINED:
            if ended_on and ended_on > since:
                stays.append((unit_id, since, ended_on))
            unit_id, since, status, ended_on = (
                event.org_unit_id,
                event.happened_on,
                MembershipStatus.ACTIVE,
                None,
            )
        elif event.kind == EventKind.HONORARY:
            honorary = True
    membership.org_unit_id, membership.unit_since = unit_id, since
    membership.status, membership.ended_on, membership.is_honorary = status, ended_on, honorary
    MembershipStay.unscoped.filter(membership=membership).delete()
    MembershipStay.unscoped.bulk_create(
        MembershipStay(membership=membership, org_unit_id=u, started_on=s, ended_on=e) for u, s, e in stays
    )
    Membership.unscoped.filter(pk=membership.pk).update(
        org_unit_id=unit_id, unit_since=since, status=status, ended_on=ended_on, is_honorary=honorary
    )
    return membership


# --- units merged, split, closed ---------------------------------------------------------------


@register_unit_data_mover
def move_members_with_unit(*, source: OrgUnit, target: OrgUnit, event: UnitEvent, actor: User | None) -> None:
    """A merge or split moves the source's active members to the target on the effective day,
    each with a transfer event caused by the unit event. Done in bulk: a commune merge moves
    thousands of members."""
    on = event.effective_on
    moving = list(
        Membership.unscoped.filter(org_unit=source, status=MembershipStatus.ACTIVE).values_list(
            "pk", "unit_since"
        )
    )
    if not moving:
        return
    MembershipStay.unscoped.bulk_create(
        MembershipStay(membership_id=pk, org_unit=source, started_on=since, ended_on=on)
        for pk, since in moving
        if on > since
    )
    MembershipEvent.unscoped.bulk_create(
        MembershipEvent(membership_id=pk, kind=EventKind.TRANSFERRED, org_unit=target, from_unit=source,
                        happened_on=on, cause=event, actor=actor if actor and actor.is_authenticated else None)
        for pk, _since in moving
    )  # fmt: skip
    Membership.unscoped.filter(pk__in=[pk for pk, _since in moving]).update(
        org_unit=target, unit_since=on, version=F("version") + 1
    )
    audit(action="member.moved_with_unit", actor=actor, unit=target, target=event, count=len(moving),
          source=source.code)  # fmt: skip


@register_unit_close_guard
def members_keep_unit_open(unit: OrgUnit) -> str | None:
    count = Membership.unscoped.filter(org_unit=unit, status=MembershipStatus.ACTIVE).count()
    if count:
        return _("Đơn vị còn %(count)s hội viên đang sinh hoạt: hãy chuyển sinh hoạt cho họ trước.") % {
            "count": count
        }
    return None


# --- people: merge duplicates, restore a version, consent --------------------------------------

# Personal fields a merge fills in (when the kept record has them blank) and a restore brings
# back. Groups are taken whole: a birth is a date with its precision, an ID a number with its type.
_PERSON_FIELD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("birth_date", "birth_precision", "birth_year"),
    ("gender",),
    ("id_type", "id_number"),
    ("phone",),
    ("phone_note",),
    ("area_id",),
    ("hamlet_id",),
    ("address",),
    ("ethnicity",),
    ("religion",),
    ("health_note",),
    ("policy_status",),
    ("note",),
)
_NAME_FIELDS = ("full_name", "family_name", "middle_name", "given_name")


def _save_person(person: Person, actor: User | None) -> None:
    person.version = F("version") + 1
    _with_history_user(person, actor)
    person.save()
    person.refresh_from_db(fields=["version"])


def _bump(membership: Membership, actor: User | None) -> None:
    membership.version += 1
    _with_history_user(membership, actor)
    membership.save()


def _combine_into(target: Membership, duplicate: Membership, actor: User | None) -> None:
    """Two memberships of one association (the same person entered twice): the duplicate's
    events and stays go to ``target``, its state is rebuilt from them, and the emptied row is
    deleted (its versions stay in the history)."""
    MembershipEvent.unscoped.filter(membership=duplicate).update(membership=target)
    MembershipStay.unscoped.filter(membership=duplicate).update(membership=target)
    joined = (
        MembershipEvent.unscoped.filter(membership=target, kind=EventKind.JOINED)
        .order_by("happened_on", "id")
        .first()
    )
    number, issuer = duplicate.member_number, duplicate.number_issuer
    card_number, card_issued_on = duplicate.card_number, duplicate.card_issued_on
    _with_history_user(duplicate, actor)
    duplicate.delete()
    rebuild_state(target)
    target.refresh_from_db()
    if joined is not None:
        target.joined_on, target.joined_precision = joined.happened_on, joined.precision
    if not target.member_number and number:
        target.member_number, target.number_issuer = number, issuer
    if not target.card_number and card_number:
        target.card_number, target.card_issued_on = card_number, card_issued_on
    _bump(target, actor)


@transaction.atomic
def person_merge(*, keep: Membership, drop: Membership, actor: User | None) -> Person:
    """Two records of one person: ``drop``'s person is merged into ``keep``'s. Memberships of
    other associations move over, one in the same association is combined with keep's, blank
    fields of the kept person are filled from the dropped one, and the dropped person row stays,
    pointing to the kept one (``merged_into``)."""
    keep, drop = _lock(keep), _lock(drop)
    ensure_in_scope(keep.org_unit)
    ensure_in_scope(drop.org_unit)
    if keep.person_id == drop.person_id:
        raise DomainError(_("Không thể gộp một người với chính họ."), code="same_person")
    people = {
        p.pk: p for p in Person.unscoped.select_for_update().filter(pk__in=[keep.person_id, drop.person_id])
    }
    kept, dropped = people[keep.person_id], people[drop.person_id]
    if kept.merged_into_id or dropped.merged_into_id:
        raise DomainError(_("Một trong hai hồ sơ đã được gộp trước đó."), code="already_merged")

    kept_by_association = {
        m.association_id: m for m in Membership.unscoped.select_for_update().filter(person=kept)
    }
    moving = list(Membership.unscoped.select_for_update().select_related("org_unit").filter(person=dropped))
    for row in moving:
        # The other records of these people may be another Hội's: merging would write in a
        # register this user cannot see. The same answer as for a unit not theirs.
        ensure_in_scope(row.org_unit)
        target = kept_by_association.get(row.association_id)
        if target is not None:
            ensure_in_scope(target.org_unit)
    for row in sorted(moving, key=lambda m: m.pk):
        target = kept_by_association.get(row.association_id)
        if target is None:
            row.person = kept
            row.sort_key = name_sort_key(kept.given_name, kept.middle_name, kept.family_name)
            _bump(row, actor)
        else:
            _combine_into(target, row, actor)
    Consent.unscoped.filter(person=dropped).update(person=kept)

    filled = []
    for group in _PERSON_FIELD_GROUPS:
        if all(getattr(kept, name_) in ("", None) for name_ in group) and any(
            getattr(dropped, name_) not in ("", None) for name_ in group
        ):
            for name_ in group:
                setattr(kept, name_, getattr(dropped, name_))
            filled.append(group[-1].removesuffix("_id"))
    if kept.died_on is None and dropped.died_on is not None:
        kept.died_on = dropped.died_on
        filled.append("died_on")
    _save_person(kept, actor)
    dropped.merged_into = kept
    _save_person(dropped, actor)
    audit(action="member.merged", actor=actor, unit=keep.org_unit, target=keep, dropped=drop.code,
          filled=filled)  # fmt: skip
    return kept


@transaction.atomic
def person_restore(
    *, membership: Membership, history_id: int, actor: User | None, expected_version: int | None
) -> Person:
    """Bring the person's personal data back to a kept version: a new change on top (a new
    version in the history), never a rewrite of the past. Sensitive fields come back only
    while a consent is on record."""
    membership = _lock(membership)
    ensure_in_scope(membership.org_unit)
    _check_version(membership.version, expected_version, _("Hồ sơ hội viên"))
    person = Person.unscoped.select_for_update().get(pk=membership.person_id)
    try:
        record = person.history.get(history_id=history_id)
    except (person.history.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError(_("Không tìm thấy phiên bản này của hồ sơ.")) from exc
    consented = _has_consent(person)
    names = [getattr(record, name_) for name_ in _NAME_FIELDS]
    values: dict[str, object] = name_fields(*names)
    for group in _PERSON_FIELD_GROUPS:
        for name_ in group:
            value = getattr(record, name_)
            if name_ in Person.SENSITIVE_FIELDS and not consented:
                value = ""
            values[name_] = value
    changed = [name_ for name_, value in values.items() if getattr(person, name_) != value]
    if not changed:
        raise DomainError(_("Hồ sơ hiện tại đã giống phiên bản này."), code="unchanged")
    for name_, value in values.items():
        setattr(person, name_, value)
    _save_person(person, actor)
    Membership.unscoped.filter(person=person).update(sort_key=sort_key_of(values), version=F("version") + 1)
    audit(action="member.restored", actor=actor, unit=membership.org_unit, target=membership,
          history_id=history_id, fields=sorted(set(changed) - {"search_name", "name_key"}))  # fmt: skip
    return person


@transaction.atomic
def consent_record(
    *,
    membership: Membership,
    purposes: str,
    method: str,
    given_on: date,
    actor: User | None,
    notice_version: str = "",
    representative: str = "",
) -> Consent:
    """Record a person's consent to keep sensitive data (DOMAIN.md §6.3): explicit, per
    purpose, with how it was given (signature, thumbprint, a representative)."""
    from .models import ConsentMethod

    membership = _lock(membership)
    ensure_in_scope(membership.org_unit)
    purposes, notice_version, representative = (
        purposes.strip(),
        notice_version.strip(),
        representative.strip(),
    )
    if not purposes:
        raise DomainError(_("Cần ghi mục đích được đồng ý."), field="purposes")
    if method not in ConsentMethod.values:
        raise DomainError(_("Hình thức đồng ý không hợp lệ."), field="method")
    if method == ConsentMethod.REPRESENTATIVE and not representative:
        raise DomainError(_("Cần ghi tên người đại diện ký."), field="representative")
    _ensure_not_future(given_on, field="given_on")
    for name_, value, maximum in (("purposes", purposes, 255), ("notice_version", notice_version, 40),
                                  ("representative", representative, 120)):  # fmt: skip
        if len(value) > maximum:
            raise DomainError(_("Dài quá %(max)s ký tự.") % {"max": maximum}, field=name_)
    consent = Consent.unscoped.create(
        person_id=membership.person_id,
        org_unit=membership.org_unit,
        purposes=purposes,
        method=method,
        given_on=given_on,
        notice_version=notice_version,
        representative=representative,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    audit(action="consent.recorded", actor=actor, unit=membership.org_unit, target=membership,
          consent=consent.pk, method=method)  # fmt: skip
    return consent


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, on: date, actor: User | None, person: Person | None = None
) -> Consent:
    """The person withdraws a consent. When none is left on record, the sensitive fields are
    cleared (a change with its own version in the history: DOMAIN.md §6.3)."""
    try:
        consent = Consent.unscoped.select_for_update().select_related("org_unit").get(pk=consent.pk)
    except Consent.DoesNotExist as exc:
        raise NotFoundError(_("Không tìm thấy bản đồng ý này.")) from exc
    ensure_in_scope(consent.org_unit)
    if person is not None and consent.person_id != person.pk:
        raise NotFoundError(_("Không tìm thấy bản đồng ý này."))
    if consent.withdrawn_on is not None:
        raise DomainError(_("Sự đồng ý này đã được rút lại."), code="already_withdrawn")
    _ensure_not_future(on, field="on")
    if on < consent.given_on:
        raise DomainError(_("Ngày rút lại phải từ ngày đồng ý trở đi."), field="on")
    consent.withdrawn_on = on
    consent.save(update_fields=["withdrawn_on", "updated_at"])
    person = Person.unscoped.select_for_update().get(pk=consent.person_id)
    cleared = []
    if not _has_consent(person):
        cleared = [name_ for name_ in Person.SENSITIVE_FIELDS if getattr(person, name_)]
        if cleared:
            for name_ in cleared:
                setattr(person, name_, "")
            _save_person(person, actor)
            Membership.unscoped.filter(person=person).update(version=F("version") + 1)
        # Withdrawal means the data goes (DOMAIN.md §6.3): from the kept versions too, so no
        # history page or restore can bring it back.
        person.history.update(**{name_: "" for name_ in Person.SENSITIVE_FIELDS})
    audit(action="consent.withdrawn", actor=actor, unit=consent.org_unit, target=consent, cleared=cleared)
    return consent
