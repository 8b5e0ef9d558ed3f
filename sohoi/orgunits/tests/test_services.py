"""The write paths of the unit tree: create, rename, move, merge, split, and the catalogue.

Each refusal is checked twice: the Vietnamese message, and that nothing changed (units, events).
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from django_scopes import scopes_disabled

from sohoi.core.errors import DomainError, NotFoundError
from sohoi.core.models import AuditEvent
from sohoi.core.scoping import unit_scope
from sohoi.orgunits import services
from sohoi.orgunits.models import (
    Area,
    AreaLevel,
    AreaScheme,
    Association,
    OrgUnit,
    UnitEvent,
    UnitEventKind,
    UnitEventLink,
    UnitEventRole,
    UnitLevel,
)
from sohoi.orgunits.services import (
    NewUnitSpec,
    association_create,
    hamlet_create,
    orgunit_close,
    orgunit_create,
    orgunit_merge,
    orgunit_move,
    orgunit_split,
    orgunit_update,
)

JULY_1 = date(2025, 7, 1)


def counts() -> tuple[int, int, int]:
    with scopes_disabled():
        return OrgUnit.unscoped.count(), UnitEvent.unscoped.count(), UnitEventLink.unscoped.count()


def reload(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.unscoped.select_related("parent").get(pk=unit.pk)


def assert_tree_consistent() -> None:
    """treebeard's own check, plus the parent column agreeing with the path."""
    with scopes_disabled():
        assert OrgUnit.unscoped.find_problems() == ([], [], [], [], [])
        by_path = {u.path: u for u in OrgUnit.unscoped.all()}
        for unit in by_path.values():
            parent = by_path.get(unit.path[: -unit.steplen])
            assert unit.parent_id == (parent.pk if parent else None), unit.name


def add(parent: OrgUnit, name: str, level: str = UnitLevel.BRANCH, **kwargs) -> OrgUnit:
    return orgunit_create(parent=parent, name=name, level=level, area=None, actor=None, **kwargs)


@pytest.fixture
def branches(tree):
    """A1 gets three chi hội, the first with two tổ hội."""
    c1 = add(tree.A1, "Chi hội Thôn 1")
    c2 = add(tree.A1, "Chi hội Thôn 2")
    c3 = add(tree.A1, "Chi hội Thôn 3")
    t1 = add(c1, "Tổ hội 1", UnitLevel.GROUP)
    t2 = add(c1, "Tổ hội 2", UnitLevel.GROUP)
    return c1, c2, c3, t1, t2


# ---------- create ----------


def test_create_adds_a_child_with_an_event_and_an_audit_row(tree, chi):
    before = counts()
    with unit_scope(tree.A):
        unit = orgunit_create(
            parent=tree.A1, name="  Chi hội  Thôn Đông ", level=UnitLevel.BRANCH, area=None, actor=chi,
            opened_on=date(2024, 3, 1), decision_ref="12/QĐ-NCT",
        )  # fmt: skip
    assert unit.name == "Chi hội Thôn Đông" and unit.name_key == "chi hội thôn đông"
    assert reload(unit).parent_id == tree.A1.pk
    assert counts()[:2] == (before[0] + 1, before[1] + 1)
    event = UnitEvent.unscoped.get(org_unit=unit)
    assert (event.kind, event.effective_on, event.decision_ref) == ("created", date(2024, 3, 1), "12/QĐ-NCT")
    assert AuditEvent.unscoped.filter(action="unit.created", target_code=unit.code).exists()
    assert_tree_consistent()


@pytest.mark.parametrize(
    "duplicate",
    [
        "Chi hội Thôn 1",
        "CHI HỘI THÔN 1",
        unicodedata.normalize("NFD", "Chi hội Thôn 1"),
        "Chi  hội Thôn 1 ",
    ],
)
def test_create_refuses_a_duplicate_name_under_one_parent(tree, branches, duplicate):
    before = counts()
    with unit_scope(tree.A), pytest.raises(DomainError) as refused:
        add(tree.A1, duplicate)
    shown = unicodedata.normalize("NFC", " ".join(duplicate.split()))
    assert refused.value.message == f"Đã có đơn vị tên “{shown}” trong cùng đơn vị cấp trên."
    assert refused.value.field == "name"
    assert counts() == before


def test_the_same_name_is_allowed_under_another_parent(tree, branches):
    with unit_scope(tree.B):
        unit = add(tree.B1, "Chi hội Thôn 1")
    assert unit.parent_id == tree.B1.pk


def test_a_closed_unit_frees_its_name(tree, branches):
    c1, c2, *_ = branches
    with unit_scope(tree.A):
        orgunit_merge(sources=[c1], into=c2, effective_on=JULY_1, actor=None, decision_ref="1/QĐ")
        again = add(tree.A1, "Chi hội Thôn 1")
    assert again.is_open and reload(c1).closed_on == JULY_1


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Tên đơn vị không được để trống."),
        ("   ", "Tên đơn vị không được để trống."),
        ("x" * 201, "Tên đơn vị dài quá 200 ký tự."),
    ],
)
def test_create_refuses_an_empty_or_too_long_name(tree, name, message):
    before = counts()
    with unit_scope(tree.A), pytest.raises(DomainError, match=message):
        add(tree.A1, name)
    assert counts() == before


def test_create_under_a_closed_unit_is_refused(tree, branches):
    c1, c2, *_ = branches
    with unit_scope(tree.A):
        orgunit_merge(sources=[c2], into=c1, effective_on=JULY_1, actor=None, decision_ref="1/QĐ")
        before = counts()
        with pytest.raises(DomainError, match="đã đóng, không thể thay đổi"):
            add(c2, "Tổ hội mới", UnitLevel.GROUP)
    assert counts() == before


def test_create_refuses_a_central_level_or_an_unknown_level(tree):
    before = counts()
    with unit_scope(tree.A):
        with pytest.raises(DomainError, match="Không thể tạo đơn vị Trung ương"):
            add(tree.A1, "X", UnitLevel.CENTRAL)
        with pytest.raises(DomainError, match="Cấp đơn vị không hợp lệ"):
            add(tree.A1, "X", "galaxy")
    assert counts() == before


def test_create_outside_the_scope_is_refused(tree):
    before = counts()
    with unit_scope(tree.A), pytest.raises(NotFoundError):
        add(tree.B1, "Chi hội lạ")
    assert counts() == before


# ---------- rename / edit ----------


def test_rename_records_the_old_and_new_name(tree, branches, chi):
    c1, *_ = branches
    with unit_scope(tree.A1):
        unit = orgunit_update(unit=c1, name="Chi hội Thôn Một", area=None, actor=chi, effective_on=JULY_1,
                              decision_ref="5/QĐ")  # fmt: skip
    assert (unit.name, unit.name_key) == ("Chi hội Thôn Một", "chi hội thôn một")
    event = UnitEvent.unscoped.get(org_unit=c1, kind=UnitEventKind.RENAMED)
    assert event.data == {"old_name": "Chi hội Thôn 1", "new_name": "Chi hội Thôn Một"}
    assert (event.effective_on, event.decision_ref, event.actor) == (JULY_1, "5/QĐ", chi)


def test_changing_only_the_area_records_no_rename(tree, branches, commune_area):
    c1, *_ = branches
    before = counts()
    with unit_scope(tree.A1):
        unit = orgunit_update(unit=c1, name=c1.name, area=commune_area, actor=None)
    assert unit.area == commune_area
    assert counts() == before


def test_rename_to_a_sibling_name_is_refused(tree, branches):
    c1, *_ = branches
    before = counts()
    with unit_scope(tree.A1), pytest.raises(DomainError, match="Đã có đơn vị tên"):
        orgunit_update(unit=c1, name="chi hội thôn 2", area=None, actor=None)
    assert counts() == before and reload(c1).name == "Chi hội Thôn 1"


def test_renaming_a_closed_unit_is_refused(tree, branches):
    c1, c2, *_ = branches
    with unit_scope(tree.A1):
        orgunit_merge(sources=[c1], into=c2, effective_on=JULY_1, actor=None, decision_ref="1/QĐ")
        before = counts()
        with pytest.raises(DomainError, match="“Chi hội Thôn 1” đã đóng, không thể thay đổi."):
            orgunit_update(unit=c1, name="Tên mới", area=None, actor=None)
    assert counts() == before and reload(c1).name == "Chi hội Thôn 1"


# ---------- move ----------


def test_move_takes_the_subtree_along_and_records_the_old_parent(tree, branches, chi):
    c1, c2, c3, t1, t2 = branches
    with unit_scope(tree.A1):
        moved = orgunit_move(unit=c1, new_parent=c2, actor=chi, effective_on=JULY_1, decision_ref="7/QĐ")
    assert moved.parent_id == c2.pk and moved.path.startswith(reload(c2).path)
    assert {reload(t).parent_id for t in (t1, t2)} == {c1.pk}
    assert all(reload(t).path.startswith(moved.path) for t in (t1, t2))
    event = UnitEvent.unscoped.get(org_unit=c1, kind=UnitEventKind.MOVED)
    assert event.data["old_parent"] == tree.A1.code and event.data["new_parent"] == c2.code
    assert_tree_consistent()


def test_move_into_own_subtree_is_refused(tree, branches):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    with unit_scope(tree.A1):
        for target in (c1, t1):
            with pytest.raises(DomainError) as refused:
                orgunit_move(unit=c1, new_parent=target, actor=None)
            assert refused.value.code == "cycle"
            assert refused.value.message == (
                "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó."
            )
    assert counts() == before and reload(c1).parent_id == tree.A1.pk


def test_move_to_the_current_parent_or_onto_a_clashing_name_is_refused(tree, branches):
    c1, c2, *_ = branches
    with unit_scope(tree.A1):
        add(c2, "Tổ hội 1", UnitLevel.GROUP)
        t_other = add(c2, "Chi hội Thôn 1", UnitLevel.GROUP)
        before = counts()
        with pytest.raises(DomainError, match="Đơn vị đã trực thuộc"):
            orgunit_move(unit=c1, new_parent=tree.A1, actor=None)
        with pytest.raises(DomainError, match="Đã có đơn vị tên “Chi hội Thôn 1”"):
            orgunit_move(unit=c1, new_parent=c2, actor=None)
    assert counts() == before and t_other.is_open


def test_move_outside_the_scope_or_to_another_association_is_refused(tree, branches):
    c1, *_ = branches
    before = counts()
    with unit_scope(tree.A), pytest.raises(NotFoundError):
        orgunit_move(unit=c1, new_parent=tree.B1, actor=None)
    kh = Association.objects.get(code="khuyen-hoc")
    with scopes_disabled():
        kh_root = services.orgunit_create_root(
            association=kh, name="Hội Khuyến học Việt Nam", area=None, actor=None
        )
    before = counts()
    with scopes_disabled(), pytest.raises(DomainError, match="Không thể chuyển đơn vị sang một hội khác."):
        orgunit_move(unit=c1, new_parent=kh_root, actor=None)
    assert counts() == before


# ---------- merge ----------


def test_merge_into_a_new_unit_closes_the_sources_and_moves_their_children(tree, branches, chi):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    with unit_scope(tree.A1):
        target, event = orgunit_merge(
            sources=[c1, c2],
            into=NewUnitSpec(name="Chi hội Liên thôn", parent=tree.A1, level=UnitLevel.BRANCH),
            effective_on=JULY_1,
            actor=chi,
            decision_ref="15/QĐ-NCT",
            decision_on=date(2025, 6, 20),
            note="Theo sắp xếp thôn",
        )
    # Sources closed, not deleted.
    assert reload(c1).closed_on == JULY_1 and reload(c2).closed_on == JULY_1
    assert reload(c3).closed_on is None
    assert target.is_open and target.parent_id == tree.A1.pk and target.opened_on == JULY_1
    # Linked as sources / target of the merge event, which carries the decision.
    assert event.kind == UnitEventKind.MERGED and event.org_unit == target
    assert (event.decision_ref, event.decision_on, event.note, event.actor) == (
        "15/QĐ-NCT", date(2025, 6, 20), "Theo sắp xếp thôn", chi,
    )  # fmt: skip
    links = {(link.org_unit_id, link.role) for link in UnitEventLink.unscoped.filter(event=event)}
    assert links == {(c1.pk, "source"), (c2.pk, "source"), (target.pk, "target")}
    # The children moved under the successor, each with a "moved" event caused by the merge.
    assert {reload(t).parent_id for t in (t1, t2)} == {target.pk}
    moves = UnitEvent.unscoped.filter(kind=UnitEventKind.MOVED, cause=event)
    assert {m.org_unit_id for m in moves} == {t1.pk, t2.pk}
    assert all(m.effective_on == JULY_1 for m in moves)
    # 1 new unit; events: created + merged + 2 moved; links: 3.
    assert counts() == (before[0] + 1, before[1] + 4, before[2] + 3)
    assert AuditEvent.unscoped.filter(action="unit.merged", target_code=c1.code).exists()
    assert_tree_consistent()


def test_a_new_successor_may_take_the_name_of_a_merged_unit(tree, branches):
    c1, c2, c3, t1, t2 = branches
    with unit_scope(tree.A1):
        target, _ = orgunit_merge(
            sources=[c1, c2],
            into=NewUnitSpec(name="Chi hội Thôn 1", parent=tree.A1, level=UnitLevel.BRANCH),
            effective_on=JULY_1, actor=None, decision_ref="3/QĐ",
        )  # fmt: skip
    assert target.pk != c1.pk and target.name == reload(c1).name and reload(c1).closed_on == JULY_1
    assert {reload(t).parent_id for t in (t1, t2)} == {target.pk}
    assert_tree_consistent()


def test_close_dissolves_an_empty_unit_with_a_recorded_event(tree, branches, chi):
    c1, c2, c3, t1, t2 = branches
    with unit_scope(tree.A1):
        closed = orgunit_close(unit=c3, effective_on=JULY_1, actor=chi, decision_ref="7/QĐ")
    assert closed.closed_on == JULY_1 and OrgUnit.unscoped.filter(pk=c3.pk).exists()
    event = UnitEvent.unscoped.get(org_unit=c3, kind=UnitEventKind.CLOSED)
    assert (event.decision_ref, event.actor, event.effective_on) == ("7/QĐ", chi, JULY_1)


@pytest.mark.parametrize(
    "case, message",
    [
        ("has children", "Còn đơn vị trực thuộc đang hoạt động: Tổ hội 1, Tổ hội 2."),
        ("no decision", "Cần ghi số quyết định giải thể."),
        ("guarded", "Đơn vị còn hội viên."),
    ],
)
def test_close_refusals_change_nothing(tree, branches, monkeypatch, case, message):
    c1, c2, c3, t1, t2 = branches
    monkeypatch.setattr(
        services, "_close_guards", [lambda unit: "Đơn vị còn hội viên." if case == "guarded" else None]
    )
    unit = c1 if case == "has children" else c3
    before = counts()
    with unit_scope(tree.A1), pytest.raises(DomainError, match=message):
        orgunit_close(
            unit=unit, effective_on=JULY_1, actor=None, decision_ref="" if case == "no decision" else "1/QĐ"
        )
    assert counts() == before and reload(unit).is_open


def test_merge_into_an_existing_unit(tree, branches):
    c1, c2, c3, t1, t2 = branches
    with unit_scope(tree.A1):
        target, event = orgunit_merge(
            sources=[c1], into=c3, effective_on=JULY_1, actor=None, decision_ref="2/QĐ"
        )
    assert target.pk == c3.pk and target.is_open
    assert reload(c1).closed_on == JULY_1
    assert {reload(t).parent_id for t in (t1, t2)} == {c3.pk}
    assert {(link.org_unit_id, link.role) for link in UnitEventLink.unscoped.filter(event=event)} == {
        (c1.pk, "source"),
        (c3.pk, "target"),
    }
    assert_tree_consistent()


def test_merge_calls_the_registered_data_movers_inside_the_transaction(tree, branches, monkeypatch):
    c1, c2, c3, *_ = branches
    monkeypatch.setattr(services, "_data_movers", [])
    calls = []

    @services.register_unit_data_mover
    def move_members(*, source, target, event, actor):
        calls.append((source.pk, target.pk, event.kind))

    services.register_unit_data_mover(move_members)  # registering twice keeps one
    with unit_scope(tree.A1):
        target, _ = orgunit_merge(
            sources=[c1, c2], into=c3, effective_on=JULY_1, actor=None, decision_ref="3/QĐ"
        )
    assert calls == [(c1.pk, c3.pk, "merged"), (c2.pk, c3.pk, "merged")]


def test_a_failing_data_mover_rolls_the_whole_merge_back(tree, branches, monkeypatch):
    c1, c2, c3, *_ = branches
    monkeypatch.setattr(services, "_data_movers", [])

    @services.register_unit_data_mover
    def refuse(*, source, target, event, actor):
        raise DomainError("Hội viên chưa chuyển được.")

    before = counts()
    with unit_scope(tree.A1), pytest.raises(DomainError, match="Hội viên chưa chuyển được."):
        orgunit_merge(sources=[c1, c2], into=c3, effective_on=JULY_1, actor=None, decision_ref="3/QĐ")
    assert counts() == before and reload(c1).is_open


@pytest.mark.parametrize(
    "case, message",
    [
        ("no decision", "Cần ghi số quyết định sáp nhập."),
        ("one unit", "Cần chọn ít nhất hai đơn vị để sáp nhập."),
        ("twice", "Một đơn vị được chọn hai lần."),
        ("a unit and its child", "Không chọn cùng lúc một đơn vị và đơn vị cấp dưới của nó."),
        ("into a source", "Đơn vị nhận không thể đồng thời là đơn vị bị sáp nhập."),
        ("into a child of a source", "Đơn vị nhận không thể nằm bên dưới một đơn vị bị sáp nhập."),
    ],
)
def test_merge_refusals_change_nothing(tree, branches, case, message):
    c1, c2, c3, t1, t2 = branches
    new = NewUnitSpec(name="Chi hội mới", parent=tree.A1, level=UnitLevel.BRANCH)
    sources, into, decision_ref = {
        "no decision": ([c1, c2], new, "  "),
        "one unit": ([c1], new, "4/QĐ"),
        "twice": ([c1, c1], new, "4/QĐ"),
        "a unit and its child": ([c1, t1], c3, "4/QĐ"),
        "into a source": ([c1, c2], c1, "4/QĐ"),
        "into a child of a source": ([c1, c2], t1, "4/QĐ"),
    }[case]
    before = counts()
    with unit_scope(tree.A1), pytest.raises(DomainError) as refused:
        orgunit_merge(sources=sources, into=into, decision_ref=decision_ref, effective_on=JULY_1, actor=None)
    assert refused.value.message == message
    assert counts() == before
    assert reload(c1).is_open and reload(c2).is_open


def test_merge_across_associations_is_refused(tree):
    kh = Association.objects.get(code="khuyen-hoc")
    with scopes_disabled():
        kh_root = services.orgunit_create_root(
            association=kh, name="Hội Khuyến học Việt Nam", area=None, actor=None
        )
        kh_unit = orgunit_create(parent=kh_root, name="Hội Khuyến học tỉnh P", level=UnitLevel.PROVINCE,
                                 area=None, actor=None)  # fmt: skip
    before = counts()
    with unit_scope([tree.root, kh_root]), pytest.raises(DomainError) as refused:
        orgunit_merge(
            sources=[tree.A1, kh_unit], into=tree.B1, effective_on=JULY_1, actor=None, decision_ref="1"
        )
    assert refused.value.message == "Chỉ có thể sáp nhập các đơn vị của cùng một hội."
    assert counts() == before


def test_merge_with_a_source_outside_the_scope_is_refused(tree):
    before = counts()
    with unit_scope(tree.A), pytest.raises(NotFoundError):
        orgunit_merge(
            sources=[tree.A1, tree.B1], into=tree.A, effective_on=JULY_1, actor=None, decision_ref="1"
        )
    assert counts() == before


def test_merge_refuses_two_children_of_the_same_name_under_the_successor(tree, branches):
    c1, c2, c3, *_ = branches
    with unit_scope(tree.A1):
        add(c3, "Tổ hội 1", UnitLevel.GROUP)
        before = counts()
        with pytest.raises(DomainError, match="sẽ có hai đơn vị cùng tên “Tổ hội 1”"):
            orgunit_merge(sources=[c1], into=c3, effective_on=JULY_1, actor=None, decision_ref="1")
    assert counts() == before


def test_merging_a_closed_unit_again_is_refused(tree, branches):
    c1, c2, c3, *_ = branches
    with unit_scope(tree.A1):
        orgunit_merge(sources=[c1], into=c2, effective_on=JULY_1, actor=None, decision_ref="1")
        before = counts()
        with pytest.raises(DomainError, match="đã đóng"):
            orgunit_merge(sources=[c1], into=c3, effective_on=JULY_1, actor=None, decision_ref="2")
    assert counts() == before


# ---------- split ----------


def test_split_closes_the_source_and_shares_out_its_children(tree, branches, chi):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    with unit_scope(tree.A1):
        targets, event = orgunit_split(
            source=c1,
            into=[
                NewUnitSpec(name="Chi hội Thôn 1A", parent=tree.A1, level=UnitLevel.BRANCH),
                NewUnitSpec(name="Chi hội Thôn 1B", parent=tree.A1, level=UnitLevel.BRANCH),
            ],
            children_to={t1.code: 0, t2.code: 1},
            effective_on=JULY_1,
            actor=chi,
            decision_ref="9/QĐ",
        )
    a, b = targets
    assert reload(c1).closed_on == JULY_1
    assert (reload(t1).parent_id, reload(t2).parent_id) == (a.pk, b.pk)
    assert event.kind == UnitEventKind.SPLIT and event.org_unit_id == c1.pk
    assert {(link.org_unit_id, link.role) for link in UnitEventLink.unscoped.filter(event=event)} == {
        (c1.pk, UnitEventRole.SOURCE), (a.pk, UnitEventRole.TARGET), (b.pk, UnitEventRole.TARGET),
    }  # fmt: skip
    assert set(UnitEvent.unscoped.filter(cause=event).values_list("org_unit_id", flat=True)) == {t1.pk, t2.pk}
    # 2 new units; events: 2 created + split + 2 moved; links: 3.
    assert counts() == (before[0] + 2, before[1] + 5, before[2] + 3)
    assert_tree_consistent()


def test_split_sends_the_source_data_to_the_chosen_successor(tree, branches, monkeypatch):
    c1, *_rest, t1, t2 = branches
    monkeypatch.setattr(services, "_data_movers", [])
    calls = []
    services.register_unit_data_mover(lambda **kw: calls.append((kw["source"].pk, kw["target"].name)))
    with unit_scope(tree.A1):
        orgunit_split(
            source=c1,
            into=[
                NewUnitSpec("Chi hội A", tree.A1, UnitLevel.BRANCH),
                NewUnitSpec("Chi hội B", tree.A1, UnitLevel.BRANCH),
            ],
            children_to={t1.code: 0, t2.code: 0},
            data_to=1,
            effective_on=JULY_1,
            actor=None,
            decision_ref="9/QĐ",
        )
    assert calls == [(c1.pk, "Chi hội B")]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"decision_ref": ""}, "Cần ghi số quyết định chia tách."),
        ({"children_to": "t1 only"}, "Chưa chọn đơn vị mới cho: Tổ hội 2."),
        ({"children_to": "bad index"}, "Đơn vị nhận không hợp lệ."),
        ({"into": "one"}, "Cần ít nhất hai đơn vị mới khi chia tách."),
        ({"into": "same names"}, "Các đơn vị mới phải có tên khác nhau."),
        ({"into": "under source"}, "Đơn vị mới không thể nằm bên dưới đơn vị bị chia tách."),
        ({"into": "clashing name"}, "Đã có đơn vị tên “Chi hội Thôn 2” trong cùng đơn vị cấp trên."),
        ({"data_to": 5}, "Đơn vị nhận dữ liệu không hợp lệ."),
    ],
)
def test_split_refusals_change_nothing(tree, branches, change, message):
    c1, c2, c3, t1, t2 = branches

    def spec(name, parent=tree.A1):
        return NewUnitSpec(name=name, parent=parent, level=UnitLevel.BRANCH)

    args = {
        "into": [spec("Chi hội A"), spec("Chi hội B")],
        "children_to": {t1.code: 0, t2.code: 1},
        "decision_ref": "9/QĐ",
        "data_to": 0,
    }
    variants = {
        "t1 only": {t1.code: 0},
        "bad index": {t1.code: 0, t2.code: 7},
        "one": [spec("Chi hội A")],
        "same names": [spec("Chi hội Hòa"), spec("CHI HỘI HOÀ")],
        "under source": [spec("Chi hội A"), spec("Chi hội B", parent=t1)],
        "clashing name": [spec("Chi hội A"), spec("Chi hội Thôn 2")],
    }
    for key, value in change.items():
        args[key] = variants.get(value, value) if isinstance(value, str) else value
    before = counts()
    with unit_scope(tree.A1), pytest.raises(DomainError) as refused:
        orgunit_split(source=c1, effective_on=JULY_1, actor=None, **args)
    assert refused.value.message == message
    assert counts() == before and reload(c1).is_open


def test_split_refuses_two_children_of_one_name_landing_together(tree, branches):
    c1, c2, c3, t1, t2 = branches
    with unit_scope(tree.A1):
        add(c3, "Tổ hội 1", UnitLevel.GROUP)
        before = counts()
        with pytest.raises(DomainError, match="sẽ có hai đơn vị cùng tên “Tổ hội 1”"):
            orgunit_split(source=c1, into=[c3, NewUnitSpec("Chi hội B", tree.A1, UnitLevel.BRANCH)],
                          children_to={t1.code: 0, t2.code: 1}, effective_on=JULY_1, actor=None,
                          decision_ref="1")  # fmt: skip
    assert counts() == before


# ---------- catalogue ----------


def test_association_create_stores_the_membership_rule(staff):
    association = association_create(
        name="Hội Cựu giáo chức", short_name="Hội CGC", abbreviation="CGC", code="cuu-giao-chuc",
        membership_rule={"min_age": 55, "note": "Nhà giáo đã nghỉ hưu."}, actor=staff,
    )  # fmt: skip
    assert association.min_age == 55 and association.membership_rule["note"] == "Nhà giáo đã nghỉ hưu."
    assert AuditEvent.unscoped.filter(action="association.created", target_code="cuu-giao-chuc").exists()


@pytest.mark.parametrize("name", ["Hội Người cao tuổi", "HỘI NGƯỜI CAO TUỔI", "hội người cao tuổi"])
def test_association_create_refuses_a_duplicate_name_in_any_case(db, name):
    before = Association.objects.count()
    with pytest.raises(DomainError, match="Hội này đã có trong danh mục."):
        association_create(
            name=name, short_name="", abbreviation="X", code="x-new", membership_rule={}, actor=None
        )
    assert Association.objects.count() == before


def test_association_create_refuses_a_taken_code_and_a_bad_value(db):
    before = Association.objects.count()
    with pytest.raises(DomainError, match="Hội này đã có trong danh mục."):
        association_create(
            name="Hội mới", short_name="", abbreviation="X", code="nct", membership_rule={}, actor=None
        )
    with pytest.raises(DomainError) as refused:
        association_create(name="Hội mới", short_name="", abbreviation="X" * 21, code="moi", membership_rule={},
                           actor=None)  # fmt: skip
    assert refused.value.field == "abbreviation"
    assert Association.objects.count() == before


@pytest.fixture
def commune_area(db):
    province = Area.objects.add_root(
        instance=Area(scheme=AreaScheme.FROM_2025, level=AreaLevel.PROVINCE, code="99", name="Tỉnh Thử")
    )
    return Area.objects.add_child(
        province,
        instance=Area(parent=province, scheme=AreaScheme.FROM_2025, level=AreaLevel.COMMUNE, code="99001",
                      name="Xã Thử", division_type="Xã"),
    )  # fmt: skip


def test_hamlet_create_numbers_hamlets_inside_the_commune(commune_area, chi):
    first = hamlet_create(commune=commune_area, name="Thôn Đông", division_type="Thôn", actor=chi)
    second = hamlet_create(commune=commune_area, name="Tổ dân phố 2", division_type="Tổ dân phố", actor=chi)
    assert (first.code, second.code) == ("99001-001", "99001-002")
    assert first.parent == commune_area and first.level == AreaLevel.HAMLET
    assert Area.objects.find_problems() == ([], [], [], [], [])


def test_hamlet_create_refuses_a_duplicate_or_a_non_commune(commune_area):
    hamlet_create(commune=commune_area, name="Thôn Đông", division_type="Thôn", actor=None)
    before = Area.objects.count()
    with pytest.raises(DomainError, match="“thôn đông” đã có trong Xã Thử."):
        hamlet_create(commune=commune_area, name="thôn đông", division_type="Thôn", actor=None)
    with pytest.raises(DomainError, match="Chỉ thêm thôn, tổ dân phố vào một xã, phường."):
        hamlet_create(commune=commune_area.parent, name="Thôn Tây", division_type="Thôn", actor=None)
    assert Area.objects.count() == before


def test_names_differing_only_by_tone_placement_are_one_name_but_accents_matter(tree):
    with unit_scope(tree.A):
        add(tree.A1, "Chi hội Thôn Hòa")
        with pytest.raises(DomainError):
            add(tree.A1, "Chi hội thôn Hoà")  # the other tone-placement style: same place
        other = add(tree.A1, "Chi hội Thôn Hoa")  # a different word, a different place
    assert other.name == "Chi hội Thôn Hoa"


def test_a_unit_cannot_be_placed_under_a_lower_level(tree, branches):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    with (
        unit_scope(tree.A),
        pytest.raises(DomainError, match="Không thể đặt một Tỉnh/thành phố dưới một Chi hội"),
    ):
        add(c1, "Hội NCT tỉnh lạ", UnitLevel.PROVINCE)
    with unit_scope(tree.A), pytest.raises(DomainError, match="Không thể đặt một Chi hội dưới một Tổ hội"):
        orgunit_move(unit=c2, new_parent=t1, actor=None)
    with unit_scope(tree.P), pytest.raises(DomainError, match="Không thể đặt một Xã/phường"):
        orgunit_move(unit=tree.B1, new_parent=tree.A1, actor=None)
    assert counts() == before
    with unit_scope(tree.A):
        nested = add(t1, "Phân tổ 1", UnitLevel.GROUP)  # tổ hội may nest
    assert nested.parent_id == t1.pk


def test_merge_split_and_move_refuse_a_date_before_a_unit_was_founded(tree, branches):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    too_early = date(1950, 1, 1)
    with unit_scope(tree.P):
        with pytest.raises(DomainError, match="trước ngày thành lập của “Hội NCT xã A1”"):
            orgunit_merge(sources=[tree.A1, tree.B1], into=NewUnitSpec(name="Xã mới", parent=tree.A, level=UnitLevel.COMMUNE),
                          effective_on=too_early, actor=None, decision_ref="1/QĐ")  # fmt: skip
        with pytest.raises(DomainError, match="trước ngày thành lập"):
            orgunit_move(unit=c1, new_parent=tree.A1, actor=None, effective_on=too_early)
    assert counts() == before and reload(tree.A1).is_open
