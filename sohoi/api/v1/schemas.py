"""Input and output schemas of API v1, and the functions that build them from models."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from sohoi.accounts.models import RoleGrant, User
from sohoi.core.scoping import UnitPaths
from sohoi.orgunits.models import Area, Association, OrgUnit
from sohoi.orgunits.selectors import AreaLineage

# --- catalogue ---------------------------------------------------------------------------------


class AssociationOut(Schema):
    code: str
    name: str
    short_name: str
    abbreviation: str
    membership_rule: dict[str, Any]
    is_active: bool


class AssociationPage(Schema):
    items: list[AssociationOut]
    next_cursor: str | None


class AreaRef(Schema):
    scheme: str = Field(description="pre2025 (63 tỉnh, 3 cấp) hoặc 2025 (34 tỉnh, 2 cấp)")
    code: str
    name: str


class AreaOut(AreaRef):
    level: str = Field(description="province, district, commune hoặc hamlet")
    division_type: str
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None
    is_current: bool


class AreaLinkOut(AreaRef):
    is_partial: bool = Field(description="Chỉ một phần địa bàn cũ chuyển sang địa bàn mới")


class AreaDetailOut(AreaOut):
    parent: AreaRef | None
    successors: list[AreaLinkOut]
    predecessors: list[AreaLinkOut]


class AreaPage(Schema):
    items: list[AreaOut]
    next_cursor: str | None


def area_ref(area: Area | None) -> AreaRef | None:
    return AreaRef(scheme=area.scheme, code=area.code, name=area.name) if area is not None else None


def area_out(area: Area) -> AreaOut:
    return AreaOut(
        scheme=area.scheme,
        code=area.code,
        name=area.name,
        level=area.level,
        division_type=area.division_type,
        parent_code=area.parent.code if area.parent_id else None,
        valid_from=area.valid_from,
        valid_to=area.valid_to,
        is_current=area.is_current,
    )


def area_link_out(area: Area, *, is_partial: bool) -> AreaLinkOut:
    return AreaLinkOut(scheme=area.scheme, code=area.code, name=area.name, is_partial=is_partial)


def area_detail_out(area: Area, lineage: AreaLineage) -> AreaDetailOut:
    """The area with its lineage in the official order (by path), not the pages' name order."""
    successors = sorted(lineage.successors, key=lambda s: s.new_area.path)
    predecessors = sorted(lineage.predecessors, key=lambda s: s.old_area.path)
    return AreaDetailOut(
        **area_out(area).model_dump(),
        parent=area_ref(area.parent if area.parent_id else None),
        successors=[area_link_out(s.new_area, is_partial=s.is_partial) for s in successors],
        predecessors=[area_link_out(s.old_area, is_partial=s.is_partial) for s in predecessors],
    )


# --- units ---------------------------------------------------------------------------------------


class UnitOut(Schema):
    code: str
    name: str
    association: str = Field(description="Mã hội, ví dụ nct")
    level: str = Field(description="central, province, district, commune, branch hoặc group")
    path: str = Field(description="Đường dẫn trong cây đơn vị; sắp xếp theo nó là thứ tự của cây")
    depth: int
    parent_code: str | None = Field(
        description="Mã đơn vị cấp trên; null khi không có, hoặc khi người gọi không được xem đơn vị đó"
    )
    area: AreaRef | None
    opened_on: date | None
    closed_on: date | None
    is_open: bool


class UnitDetailOut(UnitOut):
    perms: list[str] = Field(description="Quyền của người gọi ở đơn vị này")
    successors: list[str] = Field(
        description="Mã các đơn vị kế thừa (sáp nhập, chia tách) mà người gọi được xem"
    )
    predecessors: list[str] = Field(
        description="Mã các đơn vị đã sáp nhập/chia tách vào đơn vị này mà người gọi được xem"
    )


class UnitPage(Schema):
    items: list[UnitOut]
    next_cursor: str | None


def unit_out(unit: OrgUnit, *, visible: UnitPaths | None = None) -> UnitOut:
    """``visible``: the subtrees the caller may open, when the parent may lie outside them;
    None when the parent is known to be visible (children and subtree lists)."""
    parent_path = unit.path[: -unit.steplen]
    show_parent = unit.parent_id is not None and (visible is None or visible.covers(parent_path))
    return UnitOut(
        code=unit.code,
        name=unit.name,
        association=unit.association.code,
        level=unit.level,
        path=unit.path,
        depth=unit.depth,
        parent_code=unit.parent.code if show_parent else None,
        area=area_ref(unit.area),
        opened_on=unit.opened_on,
        closed_on=unit.closed_on,
        is_open=unit.is_open,
    )


def unit_page(units: list[OrgUnit], next_cursor: str | None, *, visible: UnitPaths | None = None) -> UnitPage:
    return UnitPage(items=[unit_out(u, visible=visible) for u in units], next_cursor=next_cursor)


class UnitCreateIn(Schema):
    name: str = Field(description="Tên đơn vị, tối đa 200 ký tự")
    level: Literal["province", "district", "commune", "branch", "group"]
    area_code: str | None = Field(None, max_length=20, description="Mã địa bàn (tuỳ chọn)")
    area_scheme: Literal["2025", "pre2025"] = "2025"
    opened_on: date | None = None
    decision_ref: str = Field("", max_length=120, description="Số quyết định thành lập")


# --- the caller ------------------------------------------------------------------------------------


class UnitRef(Schema):
    code: str
    name: str
    association: str


class GrantOut(Schema):
    code: str
    role: str = Field(description="viewer, editor hoặc admin")
    unit: UnitRef | None = Field(
        description="Đơn vị được phân quyền (cả cây bên dưới); null với quyền theo địa bàn"
    )
    area: AreaRef | None = Field(
        description="Địa bàn được phân quyền (mọi hội, hoặc các hội trong associations)"
    )
    associations: list[str]
    can_export: bool


class MeOut(Schema):
    code: str
    username: str
    full_name: str
    is_superuser: bool
    grants: list[GrantOut]


def grant_out(grant: RoleGrant) -> GrantOut:
    unit = grant.org_unit
    return GrantOut(
        code=grant.code,
        role=grant.role,
        unit=UnitRef(code=unit.code, name=unit.name, association=unit.association.code) if unit else None,
        area=area_ref(grant.area),
        associations=sorted(a.code for a in grant.associations.all()),
        can_export=grant.can_export,
    )


def me_out(user: User, grants: list[RoleGrant]) -> MeOut:
    return MeOut(
        code=user.code,
        username=user.username,
        full_name=user.get_full_name(),
        is_superuser=user.is_superuser,
        grants=[grant_out(g) for g in grants],
    )


def association_out(association: Association) -> AssociationOut:
    return AssociationOut.model_validate(association)
