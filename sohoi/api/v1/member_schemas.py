"""Input and output schemas of the member register in API v1, and the functions that build them.

Citizen ID and phone are masked (``0241******89``) unless the caller holds ``members.view_ids``,
as on the pages; ``ids_masked`` says which the caller got.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Schema
from pydantic import Field

from sohoi.members.models import Membership, MembershipEvent, Person
from sohoi.members.person_data import partial_date
from sohoi.members.selectors import mask_digits, phone_national
from sohoi.orgunits.models import OrgUnit

from ..pagination import PageParams

VIEW_IDS = "members.view_ids"

# --- reading ---------------------------------------------------------------------------------------


class MemberListParams(PageParams):
    q: str = Field(
        "",
        max_length=100,
        description="Tìm theo tên (không dấu cũng được), số CCCD, số điện thoại, số hội viên",
    )
    status: Literal["active", "left", "deceased", "all"] = Field(
        "active", description="Tình trạng: active (mặc định), left, deceased hoặc all"
    )
    gender: Literal["male", "female"] | None = None
    age_band: Literal["under_60", "60_69", "70_79", "80_89", "90_99", "100_plus"] | None = Field(
        None, description="Nhóm tuổi, tính theo năm sinh"
    )
    birth_year: int | None = Field(None, ge=1880, le=2100)
    join_year: int | None = Field(None, ge=1880, le=2100)
    area: str | None = Field(None, max_length=20, description="Mã xã/phường hoặc thôn/tổ nơi ở")
    area_scheme: Literal["2025", "pre2025"] = "2025"


class UnitBrief(Schema):
    code: str
    name: str


class MemberOut(Schema):
    code: str
    full_name: str
    family_name: str
    middle_name: str
    given_name: str
    birth: str | None = Field(description="dd/mm/yyyy, mm/yyyy hoặc yyyy, tùy điều đã biết")
    birth_year: int | None
    gender: str = Field(description="male, female, hoặc rỗng khi chưa biết")
    unit: UnitBrief
    association: str = Field(description="Mã hội, ví dụ nct")
    member_number: str
    card_number: str
    status: str = Field(description="active, left hoặc deceased")
    is_honorary: bool
    joined_on: date
    joined: str = Field(description="Ngày vào hội như đã biết: dd/mm/yyyy, mm/yyyy hoặc yyyy")
    ended_on: date | None
    phone: str = Field(description="Dạng +84…; không có quyền members.view_ids thì bị che bớt: 0912****11")
    id_number: str = Field(description="Số CCCD/CMND; bị che bớt khi không có quyền members.view_ids")
    ids_masked: bool


class MemberPageOut(Schema):
    items: list[MemberOut]
    next_cursor: str | None


class MembershipBrief(Schema):
    code: str
    association: str
    unit: UnitBrief
    status: str
    joined_on: date


class EventOut(Schema):
    kind: str = Field(description="joined, transferred, left, died, rejoined hoặc honorary")
    happened_on: date
    happened: str = Field(description="Ngày như đã biết: dd/mm/yyyy, mm/yyyy hoặc yyyy")
    unit: UnitBrief = Field(description="Đơn vị sau sự kiện (đơn vị nhận khi chuyển sinh hoạt)")
    from_unit: UnitBrief | None
    reason: str


class MemberDetailOut(MemberOut):
    version: int = Field(description="Gửi lại khi sửa (PATCH) hoặc khi ghi một sự kiện")
    id_type: str
    phone_note: str
    address: str
    ethnicity: str
    note: str
    unit_since: date
    card_issued_on: date | None
    died_on: date | None
    memberships: list[MembershipBrief] = Field(description="Các hội người này tham gia mà bạn được xem")
    events: list[EventOut]


def unit_brief(unit: OrgUnit) -> UnitBrief:
    return UnitBrief(code=unit.code, name=unit.name)


def _date_text(day: date | None, precision: str) -> str | None:
    known = partial_date(day, precision or "day")
    return str(known) if known is not None else None


def _phone(phone: str, *, masked: bool) -> str:
    # Masked as the pages mask it: national form, the network prefix readable ("0912****11").
    return mask_digits(phone_national(phone), keep_start=4, keep_end=2) if masked and phone else phone


def member_out(membership: Membership, *, association: str, perms: frozenset[str]) -> MemberOut:
    return MemberOut(**_member_fields(membership, association=association, perms=perms))


def _member_fields(membership: Membership, *, association: str, perms: frozenset[str]) -> dict:
    person: Person = membership.person
    masked = VIEW_IDS not in perms
    return {
        "code": membership.code,
        "full_name": person.full_name,
        "family_name": person.family_name,
        "middle_name": person.middle_name,
        "given_name": person.given_name,
        "birth": _date_text(person.birth_date, person.birth_precision),
        "birth_year": person.birth_year,
        "gender": person.gender,
        "unit": unit_brief(membership.org_unit),
        "association": association,
        "member_number": membership.member_number,
        "card_number": membership.card_number,
        "status": membership.status,
        "is_honorary": membership.is_honorary,
        "joined_on": membership.joined_on,
        "joined": _date_text(membership.joined_on, membership.joined_precision),
        "ended_on": membership.ended_on,
        "phone": _phone(person.phone, masked=masked),
        "id_number": mask_digits(person.id_number) if masked and person.id_number else person.id_number,
        "ids_masked": masked,
    }


def event_out(event: MembershipEvent) -> EventOut:
    return EventOut(
        kind=event.kind,
        happened_on=event.happened_on,
        happened=_date_text(event.happened_on, event.precision) or "",
        unit=unit_brief(event.org_unit),
        from_unit=unit_brief(event.from_unit) if event.from_unit_id else None,
        reason=event.reason,
    )


def member_detail_out(
    membership: Membership,
    *,
    perms: frozenset[str],
    memberships: list[Membership],
    events: list[MembershipEvent],
) -> MemberDetailOut:
    person = membership.person
    return MemberDetailOut(
        **_member_fields(membership, association=membership.association.code, perms=perms),
        version=membership.version,
        id_type=person.id_type,
        phone_note=person.phone_note,
        address=person.address,
        ethnicity=person.ethnicity,
        note=person.note,
        unit_since=membership.unit_since,
        card_issued_on=membership.card_issued_on,
        died_on=person.died_on,
        memberships=[
            MembershipBrief(
                code=m.code,
                association=m.association.code,
                unit=unit_brief(m.org_unit),
                status=m.status,
                joined_on=m.joined_on,
            )
            for m in memberships
        ],
        events=[event_out(e) for e in events],
    )


# --- writing ---------------------------------------------------------------------------------------
# Required fields are checked by the operation, not by the schema: the unit's 404 (or 403) comes
# first, whatever the body, and a missing value is a 400 naming its field like any other.

DATE_HELP = "dd/mm/yyyy, mm/yyyy, yyyy hoặc yyyy-mm-dd"


class PersonFieldsIn(Schema):
    """What the create and the update share. On an update only the fields sent are changed."""

    family_name: str | None = Field(
        None, max_length=60, description="Chỉ khi cần sửa cách tách họ/tên đệm/tên (gửi cùng given_name)"
    )
    middle_name: str | None = Field(None, max_length=60)
    given_name: str | None = Field(None, max_length=60)
    birth: str = Field("", max_length=40, description=f"Ngày sinh: {DATE_HELP}")
    gender: Literal["male", "female", ""] = ""
    id_number: str = Field("", max_length=30, description="Số CCCD (12 số) hoặc CMND cũ (9 số)")
    phone: str = Field("", max_length=30, description="Số điện thoại, ví dụ 0912 345 678")
    phone_note: str = Field("", max_length=80)
    address: str = Field("", max_length=255)
    ethnicity: str = Field("", max_length=50)
    note: str = Field("", max_length=2000)
    member_number: str = Field(
        "", max_length=30, description="Bỏ trống để hội tự cấp (nếu hội có quy tắc đánh số)"
    )
    card_number: str = Field("", max_length=30)
    card_issued_on: date | None = None
    confirm_warnings: bool = Field(
        False, description="Đã xem và xác nhận các cảnh báo (lỗi code needs_confirmation, extra.warnings)"
    )


class MemberCreateIn(PersonFieldsIn):
    full_name: str = Field("", max_length=120, description="Bắt buộc")
    joined: str = Field("", max_length=40, description=f"Bắt buộc. Ngày vào hội: {DATE_HELP}")
    unit_code: str | None = Field(
        None,
        max_length=16,
        description="Đơn vị sinh hoạt, trong cây của đơn vị trên địa chỉ; mặc định là đơn vị đó",
    )
    exception_reason: str = Field(
        "", max_length=255, description="Lý do kết nạp ngoại lệ khi chưa đủ tuổi theo điều lệ"
    )


class MemberUpdateIn(PersonFieldsIn):
    version: int | None = Field(None, description="Bắt buộc: giá trị version của hồ sơ lúc bắt đầu sửa")
    full_name: str = Field("", max_length=120)
    joined: str = Field("", max_length=40, description=f"Ngày vào hội: {DATE_HELP}")


class EventIn(Schema):
    on: str = Field("", max_length=40, description="Bắt buộc. Ngày: dd/mm/yyyy hoặc yyyy-mm-dd")
    version: int | None = Field(None, description="Giá trị version của hồ sơ; khác thì báo xung đột")


class TransferIn(EventIn):
    to_unit_code: str = Field("", max_length=16, description="Bắt buộc")
    reason: str = Field("", max_length=255)


class LeaveIn(EventIn):
    reason: str = Field("", max_length=255, description="Bắt buộc")


class DeathIn(EventIn):
    note: str = Field("", max_length=255)


class RejoinIn(EventIn):
    unit_code: str | None = Field(None, max_length=16, description="Mặc định: đơn vị cũ")
    reason: str = Field("", max_length=255)


class HonoraryIn(EventIn):
    reason: str = Field("", max_length=255)
