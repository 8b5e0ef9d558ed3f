"""Write paths of the unit tree: create, rename, move, merge, split, close, and areas.

Every service is atomic, validates first, records a dated UnitEvent and an audit row, and
refuses units outside the active scope. Closed units are never deleted.
Tree writes run unscoped here (allowlisted, STYLE.md §7.6): treebeard's own queries touch
siblings and ancestors that may lie outside the caller's scope; the scope checks come first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from treebeard.exceptions import InvalidMoveToDescendant, PathOverflow

from sohoi.core.audit import audit
from sohoi.core.errors import DomainError
from sohoi.core.scoping import ensure_in_scope, scopes_disabled
from sohoi.core.text import name_key, nfc

from .models import (
    Area,
    AreaLevel,
    Association,
    OrgUnit,
    UnitEvent,
    UnitEventKind,
    UnitEventLink,
    UnitEventRole,
    UnitLevel,
    level_fits_under,
)

if TYPE_CHECKING:
    from sohoi.accounts.models import User

NAME_MAX_LENGTH = 200

# Other apps register how their unit-owned rows follow a unit that is merged or split
# (members move with a recorded transfer). Each is called inside the merge's transaction.
UnitDataMover = Callable[..., None]
_data_movers: list[UnitDataMover] = []


def register_unit_data_mover(mover: UnitDataMover) -> UnitDataMover:
    """Register ``mover(*, source, target, event, actor)``; used as a decorator by other apps."""
    if mover not in _data_movers:
        _data_movers.append(mover)
    return mover


def _clean_name(name: str) -> str:
    cleaned = nfc(name or "")
    if not cleaned:
        raise DomainError(_("Tên đơn vị không được để trống."), field="name")
    if len(cleaned) > NAME_MAX_LENGTH:
        raise DomainError(_("Tên đơn vị dài quá %(n)d ký tự.") % {"n": NAME_MAX_LENGTH}, field="name")
    return cleaned


def _ensure_open(unit: OrgUnit) -> None:
    if not unit.is_open:
        raise DomainError(_("Đơn vị “%(name)s” đã đóng, không thể thay đổi.") % {"name": unit.name})


def _ensure_not_before_opening(units: Sequence[OrgUnit], effective_on: date) -> None:
    for unit in units:
        if unit.opened_on and effective_on < unit.opened_on:
            raise DomainError(
                _("Ngày hiệu lực %(day)s trước ngày thành lập của “%(name)s” (%(opened)s).")
                % {
                    "day": f"{effective_on:%d/%m/%Y}",
                    "name": unit.name,
                    "opened": f"{unit.opened_on:%d/%m/%Y}",
                },
                code="date",
                field="effective_on",
            )


def _ensure_level_fits(level: str, parent_level: str, *, field: str) -> None:
    if not level_fits_under(level, parent_level):
        raise DomainError(
            _("Không thể đặt một %(level)s dưới một %(parent)s.")
            % {"level": UnitLevel(level).label, "parent": UnitLevel(parent_level).label},
            code="level",
            field=field,
        )


def _ensure_name_free(
    *, parent: OrgUnit | None, association: Association, name: str, exclude: Sequence[int] = ()
) -> None:
    siblings = OrgUnit.unscoped.filter(closed_on__isnull=True, name_key=name_key(name))
    siblings = (
        siblings.filter(parent=parent)
        if parent
        else siblings.filter(parent__isnull=True, association=association)
    )
    if siblings.exclude(pk__in=exclude).exists():
        raise DomainError(
            _("Đã có đơn vị tên “%(name)s” trong cùng đơn vị cấp trên.") % {"name": name},
            code="duplicate_name",
            field="name",
        )


def _record(
    *,
    kind: str,
    unit: OrgUnit,
    effective_on: date,
    actor: User | None,
    decision_ref: str = "",
    decision_on: date | None = None,
    note: str = "",
    cause: UnitEvent | None = None,
    sources: Sequence[OrgUnit] = (),
    targets: Sequence[OrgUnit] = (),
    **data: Any,
) -> UnitEvent:
    event = UnitEvent.unscoped.create(
        kind=kind,
        org_unit=unit,
        effective_on=effective_on,
        decision_ref=nfc(decision_ref or ""),
        decision_on=decision_on,
        note=(note or "").strip(),
        actor=actor,
        cause=cause,
        data=data,
    )
    UnitEventLink.unscoped.bulk_create(
        [UnitEventLink(event=event, org_unit=u, role=UnitEventRole.SOURCE) for u in sources]
        + [UnitEventLink(event=event, org_unit=u, role=UnitEventRole.TARGET) for u in targets]
    )
    return event


def _reload(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.unscoped.select_related("association", "area", "parent").get(pk=unit.pk)


@transaction.atomic
def orgunit_create_root(
    *,
    association: Association,
    name: str,
    area: Area | None,
    actor: User | None,
    opened_on: date | None = None,
) -> OrgUnit:
    """Create the central unit of an association. Only the system (superuser, demo, setup) calls this."""
    name = _clean_name(name)
    _ensure_name_free(parent=None, association=association, name=name)
    with scopes_disabled():
        unit = OrgUnit.unscoped.add_root(
            instance=OrgUnit(
                association=association,
                name=name,
                name_key=name_key(name),
                level=UnitLevel.CENTRAL,
                area=area,
                opened_on=opened_on,
            )
        )
    _record(
        kind=UnitEventKind.CREATED, unit=unit, effective_on=opened_on or timezone.localdate(), actor=actor
    )
    audit(action="unit.created", actor=actor, unit=unit, target=unit, name=name)
    return unit


@transaction.atomic
def orgunit_create(
    *,
    parent: OrgUnit,
    name: str,
    level: str,
    area: Area | None,
    actor: User | None,
    opened_on: date | None = None,
    decision_ref: str = "",
) -> OrgUnit:
    """Create a unit under ``parent`` (which must be open and in scope)."""
    ensure_in_scope(parent)
    parent = _reload(parent)
    _ensure_open(parent)
    name = _clean_name(name)
    if level not in UnitLevel.values:
        raise DomainError(_("Cấp đơn vị không hợp lệ."), field="level")
    if level == UnitLevel.CENTRAL:
        raise DomainError(_("Không thể tạo đơn vị Trung ương bên dưới một đơn vị khác."), field="level")
    _ensure_level_fits(level, parent.level, field="level")
    _ensure_name_free(parent=parent, association=parent.association, name=name)
    try:
        with transaction.atomic(), scopes_disabled():
            unit = OrgUnit.unscoped.add_child(
                parent,
                instance=OrgUnit(
                    association=parent.association,
                    parent=parent,
                    name=name,
                    name_key=name_key(name),
                    level=level,
                    area=area,
                    opened_on=opened_on,
                ),
            )
    except IntegrityError as exc:  # a concurrent create of the same name
        raise DomainError(
            _("Đã có đơn vị tên “%(name)s” trong cùng đơn vị cấp trên.") % {"name": name}, field="name"
        ) from exc
    _record(
        kind=UnitEventKind.CREATED,
        unit=unit,
        effective_on=opened_on or timezone.localdate(),
        actor=actor,
        decision_ref=decision_ref,
    )
    audit(action="unit.created", actor=actor, unit=unit, target=unit, name=name, parent=parent.code)
    return unit


@transaction.atomic
def orgunit_update(
    *,
    unit: OrgUnit,
    name: str,
    area: Area | None,
    actor: User | None,
    effective_on: date | None = None,
    decision_ref: str = "",
) -> OrgUnit:
    """Rename a unit and/or change its area; a rename is a recorded event keeping the old name."""
    ensure_in_scope(unit)
    unit = _reload(unit)
    _ensure_open(unit)
    name = _clean_name(name)
    old_name = unit.name
    if name != old_name:
        _ensure_name_free(parent=unit.parent, association=unit.association, name=name, exclude=[unit.pk])
        _record(
            kind=UnitEventKind.RENAMED,
            unit=unit,
            effective_on=effective_on or timezone.localdate(),
            actor=actor,
            decision_ref=decision_ref,
            old_name=old_name,
            new_name=name,
        )
    old_area = unit.area.code if unit.area else None
    unit.name, unit.name_key, unit.area = name, name_key(name), area
    unit.save(update_fields=["name", "name_key", "area", "updated_at"])
    audit(
        action="unit.updated",
        actor=actor,
        unit=unit,
        target=unit,
        old_name=old_name,
        new_name=name,
        old_area=old_area,
        new_area=area.code if area else None,
    )
    return unit


def _move_under(unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move ``unit`` and its subtree under ``new_parent`` (tree + parent column), unscoped."""
    with scopes_disabled():
        # Lock both rows: two concurrent moves of the same subtree must not interleave.
        list(OrgUnit.unscoped.select_for_update().filter(pk__in=[unit.pk, new_parent.pk]))
        unit = OrgUnit.unscoped.get(pk=unit.pk)
        new_parent = OrgUnit.unscoped.get(pk=new_parent.pk)
        try:
            OrgUnit.unscoped.move(unit, new_parent, "last-child")
        except (InvalidMoveToDescendant, PathOverflow) as exc:
            # Another admin moved one of these units meanwhile (the checks above saw the old tree).
            raise DomainError(
                _("Cây đơn vị vừa được người khác thay đổi. Hãy tải lại trang và thử lại."), code="conflict"
            ) from exc
        OrgUnit.unscoped.filter(pk=unit.pk).update(parent=new_parent)
    return _reload(unit)


@transaction.atomic
def orgunit_move(
    *,
    unit: OrgUnit,
    new_parent: OrgUnit,
    actor: User | None,
    effective_on: date | None = None,
    decision_ref: str = "",
    cause: UnitEvent | None = None,
) -> OrgUnit:
    """Move a unit and everything below it under another unit of the same association."""
    ensure_in_scope(unit)
    ensure_in_scope(new_parent)
    unit, new_parent = _reload(unit), _reload(new_parent)
    _ensure_open(unit)
    _ensure_open(new_parent)
    if unit.parent_id is None:
        raise DomainError(_("Không thể chuyển đơn vị Trung ương."))
    if new_parent.association_id != unit.association_id:
        raise DomainError(_("Không thể chuyển đơn vị sang một hội khác."), field="new_parent")
    if new_parent.path.startswith(unit.path):
        raise DomainError(
            _("Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó."),
            code="cycle",
            field="new_parent",
        )
    _ensure_not_before_opening([unit, new_parent], effective_on or timezone.localdate())
    _ensure_level_fits(unit.level, new_parent.level, field="new_parent")
    if new_parent.pk == unit.parent_id:
        raise DomainError(
            _("Đơn vị đã trực thuộc “%(name)s”.") % {"name": new_parent.name}, field="new_parent"
        )
    _ensure_name_free(parent=new_parent, association=unit.association, name=unit.name, exclude=[unit.pk])
    old_parent = unit.parent
    moved = _move_under(unit, new_parent)
    _record(
        kind=UnitEventKind.MOVED,
        unit=moved,
        effective_on=effective_on or timezone.localdate(),
        actor=actor,
        decision_ref=decision_ref,
        cause=cause,
        old_parent=old_parent.code,
        old_parent_name=old_parent.name,
        new_parent=new_parent.code,
        new_parent_name=new_parent.name,
    )
    audit(
        action="unit.moved",
        actor=actor,
        unit=moved,
        target=moved,
        old_parent=old_parent.code,
        new_parent=new_parent.code,
    )
    return moved


@dataclass(frozen=True)
class NewUnitSpec:
    """A unit to create as the successor of a merge or split."""

    name: str
    parent: OrgUnit
    level: str
    area: Area | None = None


def _close(unit: OrgUnit, on: date) -> None:
    OrgUnit.unscoped.filter(pk=unit.pk).update(closed_on=on, updated_at=timezone.now())


def _move_children(
    source: OrgUnit, target: OrgUnit, *, event: UnitEvent, actor: User | None, effective_on: date
) -> list[OrgUnit]:
    moved = []
    for child in OrgUnit.unscoped.filter(parent=source, closed_on__isnull=True).order_by("path"):
        moved.append(
            orgunit_move(unit=child, new_parent=target, actor=actor, effective_on=effective_on, cause=event)
        )
    return moved


def _check_children_names_free(
    children_by_target: dict[int, list[OrgUnit]], targets: dict[int, OrgUnit]
) -> None:
    """Two units of the same name must not land under one successor: say which, before any change."""
    for target_pk, children in children_by_target.items():
        seen = {
            u.name_key: u.name
            for u in OrgUnit.unscoped.filter(parent_id=target_pk, closed_on__isnull=True)
            if u.pk not in {c.pk for c in children}
        }
        for child in children:
            if child.name_key in seen:
                raise DomainError(
                    _(
                        "Đơn vị “%(target)s” sẽ có hai đơn vị cùng tên “%(name)s”. "
                        "Hãy đổi tên một trong hai trước khi thực hiện."
                    )
                    % {"target": targets[target_pk].name, "name": child.name},
                    code="duplicate_name",
                )
            seen[child.name_key] = child.name


@transaction.atomic
def orgunit_merge(
    *,
    sources: Sequence[OrgUnit],
    into: OrgUnit | NewUnitSpec,
    effective_on: date,
    actor: User | None,
    decision_ref: str = "",
    decision_on: date | None = None,
    note: str = "",
) -> tuple[OrgUnit, UnitEvent]:
    """Merge units into one: an existing unit or a new one.

    The sources are closed on ``effective_on`` (never deleted) and linked to the successor; their
    open child units move under it, and every registered data mover moves its rows, each move a
    recorded event caused by the merge. Nothing is written if any check fails.
    """
    if not decision_ref.strip():
        raise DomainError(_("Cần ghi số quyết định sáp nhập."), field="decision_ref")
    sources = [_reload(s) for s in sources]
    for source in sources:
        ensure_in_scope(source)
        _ensure_open(source)
    if len({s.pk for s in sources}) != len(sources):
        raise DomainError(_("Một đơn vị được chọn hai lần."), field="sources")
    # A source below another source would be moved by its parent's merge and then closed again.
    if any(a.pk != b.pk and b.path.startswith(a.path) for a in sources for b in sources):
        raise DomainError(
            _("Không chọn cùng lúc một đơn vị và đơn vị cấp dưới của nó."), code="cycle", field="sources"
        )
    target = into if isinstance(into, OrgUnit) else None
    count = len(sources) + (1 if target else 0)
    if count < 2:
        raise DomainError(_("Cần chọn ít nhất hai đơn vị để sáp nhập."), field="sources")
    association_id = sources[0].association_id if sources else None
    parent_for_new = into.parent if isinstance(into, NewUnitSpec) else None
    if target is not None:
        ensure_in_scope(target)
        target = _reload(target)
        _ensure_open(target)
    else:
        ensure_in_scope(parent_for_new)
    others = [target] if target else [parent_for_new]
    if any(u.association_id != association_id for u in [*sources, *others]):
        raise DomainError(_("Chỉ có thể sáp nhập các đơn vị của cùng một hội."), code="cross_association")
    _ensure_not_before_opening([*sources, *([target] if target else [])], effective_on)
    anchor = target or parent_for_new
    if target and target.pk in {s.pk for s in sources}:
        raise DomainError(_("Đơn vị nhận không thể đồng thời là đơn vị bị sáp nhập."), field="into")
    if any(anchor.path.startswith(s.path) for s in sources):
        raise DomainError(
            _("Đơn vị nhận không thể nằm bên dưới một đơn vị bị sáp nhập."), code="cycle", field="into"
        )
    children = [c for s in sources for c in OrgUnit.unscoped.filter(parent=s, closed_on__isnull=True)]
    # Close the sources first: a successor may take a source's name (Bắc Giang + Bắc Ninh →
    # Bắc Ninh), which the one-open-name-per-parent rule would otherwise refuse. Their open
    # children still move below; any refusal later rolls the whole merge back.
    for source in sources:
        _close(source, effective_on)
    if target is None:
        target = orgunit_create(
            parent=parent_for_new,
            name=into.name,
            level=into.level,
            area=into.area,
            actor=actor,
            opened_on=effective_on,
            decision_ref=decision_ref,
        )
    _check_children_names_free({target.pk: children}, {target.pk: target})

    event = _record(
        kind=UnitEventKind.MERGED,
        unit=target,
        effective_on=effective_on,
        actor=actor,
        decision_ref=decision_ref,
        decision_on=decision_on,
        note=note,
        sources=sources,
        targets=[target],
        sources_names=[s.name for s in sources],
    )
    for source in sources:
        _move_children(source, target, event=event, actor=actor, effective_on=effective_on)
        for mover in _data_movers:
            mover(source=source, target=target, event=event, actor=actor)
        audit(
            action="unit.merged", actor=actor, unit=source, target=source, into=target.code, event=event.code
        )
    audit(
        action="unit.merge_received",
        actor=actor,
        unit=target,
        target=target,
        sources=[s.code for s in sources],
    )
    return _reload(target), event


@transaction.atomic
def orgunit_split(
    *,
    source: OrgUnit,
    into: Sequence[OrgUnit | NewUnitSpec],
    children_to: dict[str, int],
    effective_on: date,
    actor: User | None,
    data_to: int = 0,
    decision_ref: str = "",
    decision_on: date | None = None,
    note: str = "",
) -> tuple[list[OrgUnit], UnitEvent]:
    """Split one unit into several: the source is closed; each open child unit goes to the
    successor chosen in ``children_to`` (child code → index in ``into``); the source's own
    rows go to ``into[data_to]``.
    """
    if not decision_ref.strip():
        raise DomainError(_("Cần ghi số quyết định chia tách."), field="decision_ref")
    ensure_in_scope(source)
    source = _reload(source)
    _ensure_open(source)
    _ensure_not_before_opening([source], effective_on)
    if len(into) < 2:
        raise DomainError(_("Cần ít nhất hai đơn vị mới khi chia tách."), field="into")
    if not 0 <= data_to < len(into):
        raise DomainError(_("Đơn vị nhận dữ liệu không hợp lệ."), field="data_to")
    for spec in into:
        anchor = spec if isinstance(spec, OrgUnit) else spec.parent
        ensure_in_scope(anchor)
        if anchor.association_id != source.association_id:
            raise DomainError(_("Chỉ có thể chia tách trong cùng một hội."), code="cross_association")
        if anchor.path.startswith(source.path):
            raise DomainError(_("Đơn vị mới không thể nằm bên dưới đơn vị bị chia tách."), code="cycle")
    new_names = [name_key(s.name) for s in into if isinstance(s, NewUnitSpec)]
    if len(set(new_names)) != len(new_names):
        raise DomainError(_("Các đơn vị mới phải có tên khác nhau."), code="duplicate_name", field="into")
    children = list(OrgUnit.unscoped.filter(parent=source, closed_on__isnull=True).order_by("path"))
    missing = [c.name for c in children if c.code not in children_to]
    if missing:
        raise DomainError(
            _("Chưa chọn đơn vị mới cho: %(names)s.") % {"names": ", ".join(missing)}, field="children_to"
        )
    if any(not 0 <= i < len(into) for i in children_to.values()):
        raise DomainError(_("Đơn vị nhận không hợp lệ."), field="children_to")

    # Closed first, so one of the new units may keep the source's name.
    _close(source, effective_on)
    targets: list[OrgUnit] = []
    for spec in into:
        if isinstance(spec, OrgUnit):
            unit = _reload(spec)
            _ensure_open(unit)
            targets.append(unit)
        else:
            targets.append(
                orgunit_create(
                    parent=spec.parent,
                    name=spec.name,
                    level=spec.level,
                    area=spec.area,
                    actor=actor,
                    opened_on=effective_on,
                    decision_ref=decision_ref,
                )
            )
    by_target: dict[int, list[OrgUnit]] = {}
    for child in children:
        by_target.setdefault(targets[children_to[child.code]].pk, []).append(child)
    _check_children_names_free(by_target, {t.pk: t for t in targets})

    event = _record(
        kind=UnitEventKind.SPLIT,
        unit=source,
        effective_on=effective_on,
        actor=actor,
        decision_ref=decision_ref,
        decision_on=decision_on,
        note=note,
        sources=[source],
        targets=targets,
        target_names=[t.name for t in targets],
    )
    for child in children:
        orgunit_move(
            unit=child,
            new_parent=targets[children_to[child.code]],
            actor=actor,
            effective_on=effective_on,
            cause=event,
        )
    for mover in _data_movers:
        mover(source=source, target=targets[data_to], event=event, actor=actor)
    audit(action="unit.split", actor=actor, unit=source, target=source, into=[t.code for t in targets])
    return [_reload(t) for t in targets], event


# Other apps register what keeps a unit from being dissolved (members still in it …):
# ``guard(unit) -> str | None`` returns the reason, translated, or None.
UnitCloseGuard = Callable[[OrgUnit], "str | None"]
_close_guards: list[UnitCloseGuard] = []


def register_unit_close_guard(guard: UnitCloseGuard) -> UnitCloseGuard:
    if guard not in _close_guards:
        _close_guards.append(guard)
    return guard


@transaction.atomic
def orgunit_close(
    *,
    unit: OrgUnit,
    effective_on: date,
    actor: User | None,
    decision_ref: str = "",
    decision_on: date | None = None,
    note: str = "",
) -> OrgUnit:
    """Dissolve a unit without a successor (a district Hội when districts were abolished).

    Only a unit with no open child unit and nothing else still in it; it is closed, not deleted.
    """
    if not decision_ref.strip():
        raise DomainError(_("Cần ghi số quyết định giải thể."), field="decision_ref")
    ensure_in_scope(unit)
    unit = _reload(unit)
    _ensure_open(unit)
    if unit.parent_id is None:
        raise DomainError(_("Không thể giải thể đơn vị Trung ương."))
    if unit.opened_on and effective_on < unit.opened_on:
        raise DomainError(_("Ngày giải thể không thể trước ngày thành lập."), field="effective_on")
    open_children = list(
        OrgUnit.unscoped.filter(parent=unit, closed_on__isnull=True).values_list("name", flat=True)
    )
    if open_children:
        raise DomainError(
            _("Còn đơn vị trực thuộc đang hoạt động: %(names)s. Hãy chuyển hoặc sáp nhập chúng trước.")
            % {"names": ", ".join(open_children[:5]) + ("…" if len(open_children) > 5 else "")},
            code="has_children",
        )
    for guard in _close_guards:
        if reason := guard(unit):
            raise DomainError(reason, code="not_empty")
    _close(unit, effective_on)
    _record(
        kind=UnitEventKind.CLOSED,
        unit=unit,
        effective_on=effective_on,
        actor=actor,
        decision_ref=decision_ref,
        decision_on=decision_on,
        note=note,
        sources=[unit],
    )
    audit(action="unit.closed", actor=actor, unit=unit, target=unit, decision_ref=decision_ref)
    return _reload(unit)


@transaction.atomic
def association_create(
    *, name: str, short_name: str, abbreviation: str, code: str, membership_rule: dict, actor: User | None
) -> Association:
    name = nfc(name)
    if not name:
        raise DomainError(_("Tên hội không được để trống."), field="name")
    # Compared by name_key in Python (a few dozen rows): SQLite's iexact folds ASCII only, so
    # "HỘI NGƯỜI CAO TUỔI" would slip past a database comparison.
    taken = list(Association.objects.values_list("name", "code"))
    if any(name_key(other) == name_key(name) for other, _code in taken):
        raise DomainError(_("Hội này đã có trong danh mục."), code="duplicate_name", field="name")
    if any(other_code == code for _name, other_code in taken):
        raise DomainError(_("Hội này đã có trong danh mục."), code="duplicate_name", field="code")
    association = Association(
        name=name, short_name=nfc(short_name) or name, abbreviation=nfc(abbreviation), code=code,
        membership_rule=membership_rule,
    )  # fmt: skip
    try:
        association.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if field == NON_FIELD_ERRORS else field) from exc
    association.save()
    audit(action="association.created", actor=actor, target=association, name=name)
    return association


@transaction.atomic
def hamlet_create(*, commune: Area, name: str, division_type: str, actor: User | None) -> Area:
    """Add a thôn / tổ dân phố under a commune (residential groups are not in the national lists)."""
    if commune.level != AreaLevel.COMMUNE:
        raise DomainError(_("Chỉ thêm thôn, tổ dân phố vào một xã, phường."), field="commune")
    name = nfc(name)
    if not name:
        raise DomainError(_("Tên không được để trống."), field="name")
    if len(name) > 120:
        raise DomainError(_("Tên dài quá 120 ký tự."), field="name")
    # Lock the commune: two hamlets added at once would otherwise take the same code number.
    Area.objects.select_for_update().filter(pk=commune.pk).first()
    existing = Area.objects.filter(parent=commune, level=AreaLevel.HAMLET)
    if any(name_key(a.name) == name_key(name) for a in existing):
        raise DomainError(
            _("“%(name)s” đã có trong %(commune)s.") % {"name": name, "commune": commune.name}, field="name"
        )
    sequence = existing.count() + 1
    code = f"{commune.code}-{sequence:03d}"
    while Area.objects.filter(scheme=commune.scheme, code=code).exists():
        sequence += 1
        code = f"{commune.code}-{sequence:03d}"
    hamlet = Area.objects.add_child(
        Area.objects.get(pk=commune.pk),
        instance=Area(
            parent=commune,
            scheme=commune.scheme,
            level=AreaLevel.HAMLET,
            code=code,
            name=name,
            division_type=division_type,
            valid_from=commune.valid_from,
            valid_to=commune.valid_to,
        ),
    )
    audit(action="area.hamlet_created", actor=actor, target=hamlet, name=name, commune=commune.code)
    return hamlet
