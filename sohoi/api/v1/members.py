"""The member register of a unit: list, one member, admit, edit, and the lifecycle events.

Every operation runs through ``unit_operation``: the URL unit's subtree is the scope, so a
member outside it is "not found", exactly like one that does not exist. Reads go through
``sohoi.members.selectors`` and writes through ``sohoi.members.services``, the same functions
as the pages: the same rules, the same messages, the same warnings to confirm.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from sohoi.core.errors import DomainError, NotFoundError, UnitNotFoundError
from sohoi.core.http import UnitRequest
from sohoi.imports.values import PartialDate, parse_date
from sohoi.members import selectors, services
from sohoi.members.models import Membership
from sohoi.members.person_data import PersonInput, partial_date
from sohoi.members.selectors import MemberFilters
from sohoi.members.services import MembershipInput
from sohoi.orgunits.models import OrgUnit
from sohoi.orgunits.selectors import area_get, unit_get

from ..pagination import decode_cursor, encode_cursor
from ..permissions import unit_operation
from .member_schemas import (
    DeathIn,
    HonoraryIn,
    LeaveIn,
    MemberCreateIn,
    MemberDetailOut,
    MemberListParams,
    MemberPageOut,
    MemberUpdateIn,
    RejoinIn,
    TransferIn,
    member_detail_out,
    member_out,
)

router = Router(tags=["Hội viên"])

MEMBER = "/u/{unit_code}/members/{code}"


# --- reading -------------------------------------------------------------------------------------


@unit_operation(
    router, "GET", "/u/{unit_code}/members", permission="members.view", response=MemberPageOut,
    summary="Danh sách hội viên",
)  # fmt: skip
def member_list(request: UnitRequest, unit_code: str, params: Query[MemberListParams]) -> MemberPageOut:
    """The members of the unit and every unit below, in roster order (tên, tên đệm, họ), by keyset
    pages. Active members unless ``status`` says otherwise; ``q`` searches names (accents
    optional), citizen ID and phone prefixes, and member numbers."""
    filters = MemberFilters(
        q=params.q,
        status="" if params.status == "all" else params.status,
        gender=params.gender or "",
        age_band=params.age_band or "",
        birth_year=params.birth_year,
        join_year=params.join_year,
        area_id=_area_id(params.area, params.area_scheme) if params.area else None,
    )
    page = selectors.member_page(
        unit=request.unit, filters=filters, after=_member_cursor(params.cursor), size=params.limit
    )
    # A subtree belongs to one association, and so does every membership in it.
    association = request.unit.association.code
    return MemberPageOut(
        items=[member_out(m, association=association, perms=request.perms) for m in page.rows],
        next_cursor=encode_cursor(page.next_cursor) if page.next_cursor else None,
    )


@unit_operation(
    router, "GET", MEMBER, permission="members.view", response=MemberDetailOut, summary="Một hội viên"
)
def member_detail(request: UnitRequest, unit_code: str, code: str) -> MemberDetailOut:
    return _detail(request, selectors.member_get(code=code))


# --- admit and edit ------------------------------------------------------------------------------


@unit_operation(
    router, "POST", "/u/{unit_code}/members", permission="members.change", response=MemberDetailOut,
    status=201, summary="Kết nạp hội viên",
)  # fmt: skip
def member_create(request: UnitRequest, unit_code: str, payload: MemberCreateIn) -> MemberDetailOut:
    """A new member of the unit (or of ``unit_code``, a unit below it). Warnings (a CCCD that
    disagrees with the birth year, an age below the rule …) refuse the admission with
    ``needs_confirmation`` and ``extra.warnings``: send again with ``confirm_warnings`` true."""
    unit = _unit_in_scope(payload.unit_code, field="unit_code") if payload.unit_code else request.unit
    joined = _required(_partial_date(payload.joined, field="joined"), field="joined")
    person = PersonInput(
        full_name=payload.full_name,
        family_name=payload.family_name,
        middle_name=payload.middle_name,
        given_name=payload.given_name,
        birth=_partial_date(payload.birth, field="birth"),
        gender=payload.gender,
        id_number=payload.id_number,
        phone=payload.phone,
        phone_note=payload.phone_note,
        address=payload.address,
        ethnicity=payload.ethnicity,
        note=payload.note,
    )
    with _fields_renamed(org_unit="unit_code"):
        membership, _warnings = services.member_admit(
            unit=unit,
            person=person,
            membership=MembershipInput(
                joined=joined,
                member_number=payload.member_number,
                card_number=payload.card_number,
                card_issued_on=payload.card_issued_on,
            ),
            actor=request.user,
            confirmed_warnings=payload.confirm_warnings,
            exception_reason=payload.exception_reason,
        )
    return _detail(request, selectors.member_get(code=membership.code))


@unit_operation(router, "PATCH", MEMBER, permission="members.change", response=MemberDetailOut,
                summary="Sửa hồ sơ hội viên")  # fmt: skip
def member_update(
    request: UnitRequest, unit_code: str, code: str, payload: MemberUpdateIn
) -> MemberDetailOut:
    """Only the fields sent change. ``version`` is the one read before editing: if someone saved
    since, nothing is written and the answer is ``conflict``."""
    membership = selectors.member_get(code=code)
    if payload.version is None:
        raise DomainError(
            _("Cần gửi kèm version của hồ sơ, lấy từ lần đọc trước khi sửa."),
            code="required",
            field="version",
        )
    person = membership.person
    sent = payload.model_fields_set

    def given(name: str, current: str) -> str:
        return getattr(payload, name) if name in sent else current

    if sent & {"family_name", "middle_name", "given_name"}:
        parts = (payload.family_name or "", payload.middle_name or "", payload.given_name or "")
    elif "full_name" in sent:
        parts = None  # split again from the new full name
    else:
        parts = (person.family_name, person.middle_name, person.given_name)
    if "birth" in sent:
        birth = _partial_date(payload.birth, field="birth")
    else:
        birth = partial_date(person.birth_date, person.birth_precision)
    if "joined" in sent:
        joined = _required(_partial_date(payload.joined, field="joined"), field="joined")
    else:
        joined = _required(partial_date(membership.joined_on, membership.joined_precision), field="joined")
    person_data = PersonInput(
        full_name=given("full_name", person.full_name),
        family_name=parts[0] if parts else None,
        middle_name=parts[1] if parts else None,
        given_name=parts[2] if parts else None,
        birth=birth,
        gender=given("gender", person.gender),
        id_number=given("id_number", person.id_number),
        phone=given("phone", person.phone),
        phone_note=given("phone_note", person.phone_note),
        address=given("address", person.address),
        ethnicity=given("ethnicity", person.ethnicity),
        note=given("note", person.note),
        area_id=person.area_id,
        hamlet_id=person.hamlet_id,
        religion=None,  # the API does not carry sensitive fields: kept as stored
        health_note=None,
        policy_status=None,
    )
    membership_data = MembershipInput(
        joined=joined,
        member_number=given("member_number", membership.member_number),
        card_number=given("card_number", membership.card_number),
        card_issued_on=payload.card_issued_on if "card_issued_on" in sent else membership.card_issued_on,
    )
    services.member_update(
        membership=membership,
        person_data=person_data,
        membership_data=membership_data,
        expected_version=payload.version,
        actor=request.user,
        confirmed_warnings=payload.confirm_warnings,
    )
    return _detail(request, selectors.member_get(code=code))


# --- lifecycle -----------------------------------------------------------------------------------


@unit_operation(router, "POST", MEMBER + "/transfer", permission="members.change", response=MemberDetailOut,
                summary="Chuyển sinh hoạt")  # fmt: skip
def member_transfer(request: UnitRequest, unit_code: str, code: str, payload: TransferIn) -> MemberDetailOut:
    """To another open unit of the same association, inside the URL unit's tree."""
    membership = selectors.member_get(code=code)
    if not payload.to_unit_code:
        raise DomainError(_("Cần chọn đơn vị chuyển đến."), code="required", field="to_unit_code")
    to_unit = _unit_in_scope(payload.to_unit_code, field="to_unit_code")
    with _fields_renamed(to_unit="to_unit_code"):
        services.member_transfer(
            membership=membership,
            to_unit=to_unit,
            on=_day(payload.on),
            actor=request.user,
            reason=payload.reason,
            expected_version=payload.version,
        )
    return _detail(request, selectors.member_get(code=code))


@unit_operation(router, "POST", MEMBER + "/leave", permission="members.change", response=MemberDetailOut,
                summary="Thôi sinh hoạt")  # fmt: skip
def member_leave(request: UnitRequest, unit_code: str, code: str, payload: LeaveIn) -> MemberDetailOut:
    membership = selectors.member_get(code=code)
    services.member_leave(
        membership=membership,
        on=_day(payload.on),
        reason=payload.reason,
        actor=request.user,
        expected_version=payload.version,
    )
    return _detail(request, selectors.member_get(code=code))


@unit_operation(router, "POST", MEMBER + "/death", permission="members.change", response=MemberDetailOut,
                summary="Ghi nhận từ trần")  # fmt: skip
def member_death(request: UnitRequest, unit_code: str, code: str, payload: DeathIn) -> MemberDetailOut:
    """Ends every active membership of the person, in every association."""
    membership = selectors.member_get(code=code)
    services.member_record_death(
        membership=membership,
        on=_day(payload.on),
        actor=request.user,
        note=payload.note,
        expected_version=payload.version,
    )
    return _detail(request, selectors.member_get(code=code))


@unit_operation(router, "POST", MEMBER + "/rejoin", permission="members.change", response=MemberDetailOut,
                summary="Vào lại hội")  # fmt: skip
def member_rejoin(request: UnitRequest, unit_code: str, code: str, payload: RejoinIn) -> MemberDetailOut:
    """A member who left joins again, in their old unit or in ``unit_code``."""
    membership = selectors.member_get(code=code)
    unit = _unit_in_scope(payload.unit_code, field="unit_code") if payload.unit_code else None
    with _fields_renamed(unit="unit_code"):
        services.member_rejoin(
            membership=membership,
            on=_day(payload.on),
            actor=request.user,
            unit=unit,
            reason=payload.reason,
            expected_version=payload.version,
        )
    return _detail(request, selectors.member_get(code=code))


@unit_operation(router, "POST", MEMBER + "/honorary", permission="members.change", response=MemberDetailOut,
                summary="Công nhận hội viên danh dự")  # fmt: skip
def member_honorary(request: UnitRequest, unit_code: str, code: str, payload: HonoraryIn) -> MemberDetailOut:
    membership = selectors.member_get(code=code)
    services.member_make_honorary(
        membership=membership,
        on=_day(payload.on),
        actor=request.user,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _detail(request, selectors.member_get(code=code))


# --- helpers -------------------------------------------------------------------------------------


def _detail(request: UnitRequest, membership: Membership) -> MemberDetailOut:
    return member_detail_out(
        membership,
        perms=request.perms,
        memberships=selectors.person_memberships(person=membership.person),
        events=selectors.member_timeline(membership=membership),
    )


def _unit_in_scope(code: str, *, field: str) -> OrgUnit:
    """A unit named in the body: absent and outside the URL unit's tree look the same."""
    try:
        return unit_get(code=code)
    except NotFoundError:
        raise UnitNotFoundError(field=field) from None


def _area_id(code: str, scheme: str) -> int:
    try:
        return area_get(scheme=scheme, code=code).pk
    except NotFoundError:
        raise DomainError(
            _("Không tìm thấy địa bàn mã “%(code)s”.") % {"code": code}, code="unknown_area", field="area"
        ) from None


_MEMBER_CURSOR = re.compile(r"[a-z]*\.\d+")


def _member_cursor(cursor: str | None) -> str | None:
    """The register's own keyset position, carried inside the API's opaque cursor."""
    position = decode_cursor(cursor)
    if position is not None and not _MEMBER_CURSOR.fullmatch(position):
        raise DomainError(_("Con trỏ phân trang không hợp lệ."), code="invalid_cursor", field="cursor")
    return position


def _partial_date(value: str, *, field: str) -> PartialDate | None:
    """A date read as the forms read it (DOMAIN.md §8): 12/03/1945, 3/1950, 1950 or ISO; empty is None."""
    known, problem = parse_date(value.strip(), today=timezone.localdate())
    if known is None and problem is not None:
        raise DomainError(problem.message, code="invalid_date", field=field)
    return known


def _required(known: PartialDate | None, *, field: str) -> PartialDate:
    if known is None:
        raise DomainError(_("Cần nhập ngày."), code="required", field=field)
    return known


def _day(value: str, *, field: str = "on") -> date:
    """The day of a lifecycle event: it must be known to the day."""
    known = _required(_partial_date(value, field=field), field=field)
    if known.precision != "day":
        raise DomainError(_("Cần ghi đủ ngày, tháng, năm."), code="invalid_date", field=field)
    return known.to_date()


@contextmanager
def _fields_renamed(**names: str) -> Iterator[None]:
    """Name the API's input field in a service's error (its ``to_unit`` is our ``to_unit_code``)."""
    try:
        yield
    except DomainError as exc:
        exc.field = names.get(exc.field or "", exc.field)
        raise
