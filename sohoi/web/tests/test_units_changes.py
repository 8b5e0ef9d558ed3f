"""Changing the unit tree through the pages: create, edit, move, merge, split.

Every refusal shows a Vietnamese message on the page AND changes nothing (units and events
counted before and after). Posts that skip the confirmation step go straight to the service.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from sohoi.orgunits.models import (
    Area,
    AreaLevel,
    AreaScheme,
    Association,
    OrgUnit,
    UnitEvent,
    UnitEventKind,
    UnitLevel,
)
from sohoi.orgunits.services import orgunit_create, orgunit_create_root, orgunit_merge

JULY_1 = date(2025, 7, 1)
INVALID_CHOICE = "Hãy chọn một lựa chọn hợp lệ."
WRONG_DATE = "Ngày không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 01/07/2025."


def counts() -> tuple[int, int]:
    with scopes_disabled():
        return OrgUnit.unscoped.count(), UnitEvent.unscoped.count()


def reload(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.unscoped.get(pk=unit.pk)


def add(parent, name, level=UnitLevel.BRANCH):
    with scopes_disabled():
        return orgunit_create(parent=parent, name=name, level=level, area=None, actor=None)


def refused(response, *messages: str) -> str:
    """The page came back (200, not a redirect) showing every given message."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    for message in messages:
        assert message in html, message
    return html


@pytest.fixture
def branches(tree):
    """Under A1: chi hội 1 (with tổ 1, tổ 2), 2 and 3."""
    c1, c2, c3 = (add(tree.A1, f"Chi hội Thôn {i}") for i in (1, 2, 3))
    t1, t2 = add(c1, "Tổ hội 1", UnitLevel.GROUP), add(c1, "Tổ hội 2", UnitLevel.GROUP)
    return c1, c2, c3, t1, t2


@pytest.fixture
def commune_area(db):
    province = Area.objects.add_root(
        instance=Area(scheme=AreaScheme.FROM_2025, level=AreaLevel.PROVINCE, code="99", name="Tỉnh Thử")
    )
    commune = Area.objects.add_child(
        province,
        instance=Area(parent=province, scheme=AreaScheme.FROM_2025, level=AreaLevel.COMMUNE, code="99001",
                      name="Xã Thử", division_type="Xã"),
    )  # fmt: skip
    hamlet = Area.objects.add_child(
        commune,
        instance=Area(parent=commune, scheme=AreaScheme.FROM_2025, level=AreaLevel.HAMLET, code="99001-001",
                      name="Thôn Đông", division_type="Thôn"),
    )  # fmt: skip
    return commune, hamlet


# ---------- create ----------


def test_create_a_chi_hoi_in_a_hamlet_with_a_vietnamese_date(tree, chi, client_for, commune_area):
    commune, hamlet = commune_area
    with scopes_disabled():
        OrgUnit.unscoped.filter(pk=tree.A1.pk).update(area=commune)
    client = client_for(chi)
    url = reverse("units:create", args=[tree.A1.code])
    form_html = client.get(url).content.decode()
    # The area picker offers the commune and its hamlets; the level defaults to chi hội.
    assert '<option value="2025:99001-001">' in form_html and "Thôn Đông" in form_html
    assert '<option value="branch" selected>' in form_html
    before = counts()
    response = client.post(url, {"name": "Chi hội Thôn Đông", "level": "branch", "area": "2025:99001-001",
                                 "opened_on": "01/07/2025", "decision_ref": "12/QĐ-NCT"})  # fmt: skip
    unit = OrgUnit.unscoped.get(name="Chi hội Thôn Đông")
    assert response.status_code == 302 and response.url == reverse("units:detail", args=[unit.code])
    assert (unit.parent_id, unit.level, unit.area, unit.opened_on) == (tree.A1.pk, "branch", hamlet, JULY_1)
    assert counts() == (before[0] + 1, before[1] + 1)
    assert client.get(response.url).content.decode().count("Đã thành lập “Chi hội Thôn Đông”.") == 1


def test_create_accepts_an_iso_date_too(tree, chi, client_for):
    response = client_for(chi).post(
        reverse("units:create", args=[tree.A1.code]),
        {"name": "Chi hội X", "level": "branch", "opened_on": "2025-07-01"},
    )
    assert response.status_code == 302
    assert OrgUnit.unscoped.get(name="Chi hội X").opened_on == JULY_1


@pytest.mark.parametrize(
    "name",
    [
        "Chi hội Thôn 1",
        "CHI HỘI THÔN 1",
        unicodedata.normalize("NFD", "Chi hội Thôn 1"),
    ],
    ids=["same", "upper case", "NFD"],
)
def test_create_refuses_a_duplicate_name_under_one_parent(tree, branches, chi, client_for, name):
    before = counts()
    response = client_for(chi).post(
        reverse("units:create", args=[tree.A1.code]), {"name": name, "level": "branch"}
    )
    shown = unicodedata.normalize("NFC", name)
    refused(response, f"Đã có đơn vị tên “{shown}” trong cùng đơn vị cấp trên.")
    assert counts() == before


def test_create_refuses_a_name_of_201_characters(tree, chi, client_for):
    before = counts()
    response = client_for(chi).post(
        reverse("units:create", args=[tree.A1.code]), {"name": "Ạ" * 201, "level": "branch"}
    )
    refused(response, "Tên đơn vị dài quá 200 ký tự (hiện có 201).")
    assert counts() == before


@pytest.mark.parametrize("value", ["31/02/2025", "2025/07/01", "hôm qua", "01/13/2025", "01/01/0999"])
def test_create_refuses_a_wrong_date(tree, chi, client_for, value):
    before = counts()
    response = client_for(chi).post(
        reverse("units:create", args=[tree.A1.code]),
        {"name": "Chi hội Mới", "level": "branch", "opened_on": value},
    )
    message = "Năm phải nằm trong khoảng 1900–2100." if value == "01/01/0999" else WRONG_DATE
    refused(response, message)
    assert counts() == before


def test_create_refuses_a_level_above_the_parent(tree, chi, client_for):
    before = counts()
    response = client_for(chi).post(
        reverse("units:create", args=[tree.A1.code]), {"name": "X", "level": "province"}
    )
    refused(response, INVALID_CHOICE)
    assert counts() == before


def test_create_under_a_closed_unit_is_refused(tree, branches, chi, client_for):
    c1, c2, *_ = branches
    with scopes_disabled():
        orgunit_merge(sources=[c2], into=c1, effective_on=JULY_1, actor=None, decision_ref="1")
    before = counts()
    response = client_for(chi).post(
        reverse("units:create", args=[c2.code]), {"name": "Tổ mới", "level": "group"}
    )
    refused(response, "Đơn vị “Chi hội Thôn 2” đã đóng, không thể thay đổi.")
    assert counts() == before


def test_hostile_text_is_stored_as_text_and_shown_escaped(tree, chi, client_for):
    client = client_for(chi)
    client.post(
        reverse("units:create", args=[tree.A1.code]), {"name": "<script>alert(1)</script>", "level": "branch"}
    )
    html = client.get(reverse("units:detail", args=[tree.A1.code])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ---------- edit ----------


def test_rename_records_an_event_with_the_decision(tree, branches, chi, client_for):
    c1, *_ = branches
    response = client_for(chi).post(
        reverse("units:edit", args=[c1.code]),
        {"name": "Chi hội Thôn Một", "effective_on": "01/07/2025", "decision_ref": "5/QĐ"},
    )
    assert response.status_code == 302
    assert reload(c1).name == "Chi hội Thôn Một"
    event = UnitEvent.unscoped.get(org_unit=c1, kind=UnitEventKind.RENAMED)
    assert (event.effective_on, event.decision_ref, event.actor.username) == (JULY_1, "5/QĐ", "chi")


def test_editing_a_closed_unit_is_refused(tree, branches, chi, client_for):
    c1, c2, *_ = branches
    with scopes_disabled():
        orgunit_merge(sources=[c1], into=c2, effective_on=JULY_1, actor=None, decision_ref="1")
    before = counts()
    response = client_for(chi).post(reverse("units:edit", args=[c1.code]), {"name": "Tên mới"})
    refused(response, "Đơn vị “Chi hội Thôn 1” đã đóng, không thể thay đổi.")
    assert counts() == before and reload(c1).name == "Chi hội Thôn 1"


def test_rename_to_a_sibling_name_is_refused(tree, branches, chi, client_for):
    c1, *_ = branches
    before = counts()
    response = client_for(chi).post(reverse("units:edit", args=[c1.code]), {"name": "chi hội thôn 2"})
    refused(response, "Đã có đơn vị tên “chi hội thôn 2” trong cùng đơn vị cấp trên.")
    assert counts() == before and reload(c1).name == "Chi hội Thôn 1"


def test_rename_refuses_a_too_long_name_and_a_wrong_date(tree, branches, chi, client_for):
    c1, *_ = branches
    before = counts()
    response = client_for(chi).post(
        reverse("units:edit", args=[c1.code]), {"name": "x" * 201, "effective_on": "32/01/2025"}
    )
    refused(response, "Tên đơn vị dài quá 200 ký tự (hiện có 201).", WRONG_DATE)
    assert counts() == before and reload(c1).name == "Chi hội Thôn 1"


# ---------- move ----------


def test_move_a_chi_hoi_under_another_from_the_commune_page(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    client = client_for(chi)
    url = reverse("units:move", args=[tree.A1.code])
    assert f'<option value="{c1.code}" selected>' in client.get(url + f"?don-vi={c1.code}").content.decode()
    response = client.post(url, {"unit": c1.code, "new_parent": c2.code, "effective_on": "01/07/2025"})
    assert response.status_code == 302
    assert reload(c1).parent_id == c2.pk and reload(t1).path.startswith(reload(c2).path)
    assert UnitEvent.unscoped.filter(org_unit=c1, kind=UnitEventKind.MOVED).count() == 1


def test_move_into_own_subtree_is_refused(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    response = client_for(chi).post(
        reverse("units:move", args=[tree.A1.code]), {"unit": c1.code, "new_parent": t1.code}
    )
    refused(response, "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó.")
    assert counts() == before and reload(c1).parent_id == tree.A1.pk


def test_move_to_a_unit_outside_the_scope_is_an_invalid_choice(tree, branches, chi, client_for):
    c1, *_ = branches
    before = counts()
    # chi manages A, but on A1's page only A1's subtree is offered: B1 and A itself are refused.
    for target in (tree.B1, tree.A):
        response = client_for(chi).post(
            reverse("units:move", args=[tree.A1.code]), {"unit": c1.code, "new_parent": target.code}
        )
        refused(response, INVALID_CHOICE)
    assert counts() == before and reload(c1).parent_id == tree.A1.pk


def test_moving_the_page_unit_itself_is_not_offered(tree, chi, client_for):
    before = counts()
    response = client_for(chi).post(reverse("units:move", args=[tree.A1.code]), {"unit": tree.A1.code,
                                                                              "new_parent": tree.A1.code})  # fmt: skip
    refused(response, INVALID_CHOICE)
    assert counts() == before


# ---------- merge ----------


def merge_post(**overrides):
    data = {
        "mode": "new",
        "new_name": "Chi hội Liên thôn",
        "new_level": "branch",
        "effective_on": "01/07/2025",
        "decision_ref": "15/QĐ-NCT",
        "decision_on": "20/06/2025",
        "note": "Theo sắp xếp thôn",
        "action": "commit",
    }
    data.update(overrides)
    return data


def test_merge_preview_summarises_and_changes_nothing_then_commit_merges(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    client = client_for(chi)
    url = reverse("units:merge", args=[tree.A1.code])
    form_html = client.get(url + f"?nguon={c1.code}").content.decode()
    assert re.search(rf'value="{c1.code}" id="id_sources_\d+" checked>', form_html)  # preselected
    assert not re.search(rf'value="{c2.code}" id="id_sources_\d+" checked>', form_html)
    before = counts()
    data = merge_post(sources=[c1.code, c2.code], new_parent=tree.A1.code, action="preview")
    preview = refused(client.post(url, data), "Xác nhận sáp nhập", "Các đơn vị sẽ đóng từ ngày 01/07/2025")
    assert "<strong>Chi hội Thôn 1</strong>" in preview and "Tổ hội 1, Tổ hội 2" in preview
    assert "Thành lập đơn vị mới “Chi hội Liên thôn”, trực thuộc “Hội NCT xã A1”." in preview
    assert f'<input type="hidden" name="sources" value="{c1.code}"' in preview
    assert counts() == before
    response = client.post(url, {**data, "action": "commit"})
    target = OrgUnit.unscoped.get(name="Chi hội Liên thôn")
    assert response.status_code == 302 and response.url == reverse("units:detail", args=[target.code])
    assert reload(c1).closed_on == JULY_1 and reload(c2).closed_on == JULY_1
    assert reload(t1).parent_id == target.pk
    event = UnitEvent.unscoped.get(kind=UnitEventKind.MERGED)
    assert (event.decision_ref, event.decision_on, event.note) == (
        "15/QĐ-NCT",
        date(2025, 6, 20),
        "Theo sắp xếp thôn",
    )


def test_merge_back_to_edit_keeps_the_values(tree, branches, chi, client_for):
    c1, c2, *_ = branches
    data = merge_post(sources=[c1.code, c2.code], new_parent=tree.A1.code, action="edit")
    html = refused(client_for(chi).post(reverse("units:merge", args=[tree.A1.code]), data))
    assert 'value="Chi hội Liên thôn"' in html and "errorlist" not in html


def test_merge_into_an_existing_unit_ticked_among_the_sources(tree, branches, chi, client_for):
    c1, c2, c3, *_ = branches
    data = merge_post(sources=[c1.code, c3.code], mode="existing", successor=c3.code)
    response = client_for(chi).post(reverse("units:merge", args=[tree.A1.code]), data)
    assert response.status_code == 302 and response.url == reverse("units:detail", args=[c3.code])
    assert reload(c1).closed_on == JULY_1 and reload(c3).is_open


def test_merge_with_one_unit_is_refused(tree, branches, chi, client_for):
    c1, *_ = branches
    before = counts()
    data = merge_post(sources=[c1.code], new_parent=tree.A1.code)
    refused(
        client_for(chi).post(reverse("units:merge", args=[tree.A1.code]), data),
        "Cần chọn ít nhất hai đơn vị để sáp nhập.",
    )
    assert counts() == before and reload(c1).is_open


def test_merge_without_a_decision_number_is_refused(tree, branches, chi, client_for):
    c1, c2, *_ = branches
    before = counts()
    for step in ("preview", "commit"):
        data = merge_post(sources=[c1.code, c2.code], new_parent=tree.A1.code, decision_ref="  ", action=step)
        refused(
            client_for(chi).post(reverse("units:merge", args=[tree.A1.code]), data),
            "Cần ghi số quyết định sáp nhập.",
        )
    assert counts() == before and reload(c1).is_open


def test_merge_across_associations_is_refused(tree, chi, client_for):
    # Another association's units are never in the page's tree: posting one is an invalid choice.
    kh = Association.objects.get(code="khuyen-hoc")
    with scopes_disabled():
        kh_root = orgunit_create_root(association=kh, name="Hội Khuyến học Việt Nam", area=None, actor=None)
        kh_unit = orgunit_create(parent=kh_root, name="Chi hội Khuyến học", level=UnitLevel.BRANCH, area=None,
                                 actor=None)  # fmt: skip
    c1 = add(tree.A1, "Chi hội Thôn 1")
    before = counts()
    data = merge_post(sources=[c1.code, kh_unit.code], new_parent=tree.A1.code)
    refused(client_for(chi).post(reverse("units:merge", args=[tree.A1.code]), data), INVALID_CHOICE)
    assert counts() == before and reload(c1).is_open and reload(kh_unit).is_open


def test_merge_with_a_source_outside_the_scope_is_an_invalid_choice(tree, branches, chi, client_for):
    c1, *_ = branches
    b_branch = add(tree.B1, "Chi hội B")
    before = counts()
    data = merge_post(sources=[c1.code, b_branch.code], new_parent=tree.A1.code)
    refused(client_for(chi).post(reverse("units:merge", args=[tree.A1.code]), data), INVALID_CHOICE)
    assert counts() == before and reload(b_branch).is_open


def test_merge_refuses_a_wrong_date_and_missing_successor(tree, branches, chi, client_for):
    c1, c2, *_ = branches
    before = counts()
    data = merge_post(sources=[c1.code, c2.code], mode="existing", effective_on="30/02/2025")
    refused(client_for(chi).post(reverse("units:merge", args=[tree.A1.code]), data),
            WRONG_DATE, "Hãy chọn đơn vị nhận sáp nhập.")  # fmt: skip
    assert counts() == before


def test_merge_into_a_child_of_a_source_is_refused(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    data = merge_post(sources=[c1.code, c2.code], mode="existing", successor=t1.code)
    refused(client_for(chi).post(reverse("units:merge", args=[tree.A1.code]), data),
            "Đơn vị nhận không thể nằm bên dưới một đơn vị bị sáp nhập.")  # fmt: skip
    assert counts() == before


# ---------- split ----------


def split_post(source, children_to, **overrides):
    data = {
        "nguon": source.code,
        "rows": "2",
        "name_0": "Chi hội Thôn 1A",
        "name_1": "Chi hội Thôn 1B",
        "data_to": "0",
        "effective_on": "01/07/2025",
        "decision_ref": "9/QĐ-NCT",
        "action": "commit",
        **{f"child_{child.code}": index for child, index in children_to.items()},
    }
    data.update(overrides)
    return data


def test_split_asks_for_the_source_then_lists_its_children(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    client = client_for(chi)
    url = reverse("units:split", args=[tree.A1.code])
    step_one = client.get(url).content.decode()
    assert '<select name="nguon"' in step_one and f'<option value="{c1.code}">' in step_one
    step_two = client.get(url + f"?nguon={c1.code}").content.decode()
    assert f'name="child_{t1.code}"' in step_two and f'name="child_{t2.code}"' in step_two
    assert 'name="name_0"' in step_two and 'name="name_1"' in step_two and 'name="name_2"' not in step_two


def test_split_add_a_row_keeps_what_was_typed(tree, branches, chi, client_for):
    c1, *_ = branches
    data = split_post(c1, {}, action="add_row")
    html = refused(client_for(chi).post(reverse("units:split", args=[tree.A1.code]), data))
    assert 'name="name_2"' in html and 'value="Chi hội Thôn 1A"' in html and "errorlist" not in html


def test_split_preview_then_commit(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    client = client_for(chi)
    url = reverse("units:split", args=[tree.A1.code])
    before = counts()
    preview = refused(client.post(url, split_post(c1, {t1: 0, t2: 1}, action="preview")), "Xác nhận chia tách",
                      "“Chi hội Thôn 1” sẽ đóng từ ngày 01/07/2025.")  # fmt: skip
    assert "<strong>Chi hội Thôn 1A</strong>" in preview and "nhận các đơn vị: Tổ hội 1" in preview
    assert counts() == before
    response = client.post(url, split_post(c1, {t1: 0, t2: 1}))
    assert response.status_code == 302 and response.url == reverse("units:detail", args=[tree.A1.code])
    a, b = OrgUnit.unscoped.get(name="Chi hội Thôn 1A"), OrgUnit.unscoped.get(name="Chi hội Thôn 1B")
    assert reload(c1).closed_on == JULY_1
    assert (reload(t1).parent_id, reload(t2).parent_id) == (a.pk, b.pk)
    assert a.parent_id == tree.A1.pk and a.level == "branch"


def test_split_with_three_rows_and_an_empty_one(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    data = split_post(c1, {t1: 2, t2: 0}, rows="3", name_1="", name_2="Chi hội Thôn 1C", data_to="2")
    response = client_for(chi).post(reverse("units:split", args=[tree.A1.code]), data)
    # Row 2 is required (a split makes at least two units): refused.
    refused(response, "Hãy nhập tên đơn vị.")
    data["name_1"] = "Chi hội Thôn 1B"
    assert client_for(chi).post(reverse("units:split", args=[tree.A1.code]), data).status_code == 302
    assert reload(t1).parent.name == "Chi hội Thôn 1C"


def test_split_leaving_a_child_unassigned_is_refused(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    data = split_post(c1, {t1: 0})
    refused(client_for(chi).post(reverse("units:split", args=[tree.A1.code]), data),
            "Hãy chọn đơn vị mới cho “Tổ hội 2”.")  # fmt: skip
    assert counts() == before and reload(c1).is_open and reload(t2).parent_id == c1.pk


def test_split_without_a_decision_number_or_with_equal_names_is_refused(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    url = reverse("units:split", args=[tree.A1.code])
    refused(
        client_for(chi).post(url, split_post(c1, {t1: 0, t2: 1}, decision_ref="")),
        "Cần ghi số quyết định chia tách.",
    )
    refused(client_for(chi).post(url, split_post(c1, {t1: 0, t2: 1}, name_1="chi hội thôn 1a")),
            "Các đơn vị mới phải có tên khác nhau.")  # fmt: skip
    refused(client_for(chi).post(url, split_post(c1, {t1: 0, t2: 1}, name_1="Chi hội Thôn 2")),
            "Đã có đơn vị tên “Chi hội Thôn 2” trong cùng đơn vị cấp trên.")  # fmt: skip
    assert counts() == before and reload(c1).is_open


def test_split_of_a_unit_outside_the_scope_is_an_invalid_choice(tree, chi, client_for):
    b_branch = add(tree.B1, "Chi hội B")
    before = counts()
    response = client_for(chi).post(reverse("units:split", args=[tree.A1.code]), split_post(b_branch, {}))
    refused(response, INVALID_CHOICE)
    assert counts() == before and reload(b_branch).is_open


def test_a_child_sent_to_an_unnamed_row_is_refused(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    data = split_post(c1, {t1: 0, t2: 2}, rows="3", name_2="")
    refused(
        client_for(chi).post(reverse("units:split", args=[tree.A1.code]), data), "Đơn vị mới này chưa có tên."
    )
    assert counts() == before


def test_merging_a_unit_together_with_its_own_child_is_refused(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    before = counts()
    data = merge_post(sources=[c1.code, t1.code], mode="existing", successor=c3.code)
    refused(
        client_for(chi).post(reverse("units:merge", args=[tree.A1.code]), data),
        "Không chọn cùng lúc một đơn vị và đơn vị cấp dưới của nó.",
    )
    assert counts() == before


def hidden_inputs(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)


def post_back(client, url, html, action):
    """Post the confirmation page's own hidden fields, as the browser would."""
    data: dict[str, list[str]] = {}
    for name, value in hidden_inputs(html):
        data.setdefault(name, []).append(value)
    data["action"] = [action]
    return client.post(url, data)


def test_the_merge_confirmation_posts_back_exactly_what_was_reviewed(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    client = client_for(chi)
    url = reverse("units:merge", args=[tree.A1.code])
    data = merge_post(sources=[c1.code, c2.code], new_parent=tree.A1.code, action="preview")
    preview = refused(client.post(url, data), "Xác nhận sáp nhập")
    back = refused(post_back(client, url, preview, "edit"))
    assert 'value="Chi hội Liên thôn"' in back and "errorlist" not in back
    response = post_back(client, url, preview, "commit")
    assert response.status_code == 302
    assert reload(c1).closed_on == JULY_1 and reload(c2).closed_on == JULY_1


def test_the_split_confirmation_posts_back_exactly_what_was_reviewed(tree, branches, chi, client_for):
    c1, c2, c3, t1, t2 = branches
    client = client_for(chi)
    url = reverse("units:split", args=[tree.A1.code])
    preview = refused(client.post(url, split_post(c1, {t1: 1, t2: 1}, action="preview", data_to="1")),
                      "Xác nhận chia tách")  # fmt: skip
    assert post_back(client, url, preview, "commit").status_code == 302
    b = OrgUnit.unscoped.get(name="Chi hội Thôn 1B")
    assert (reload(t1).parent_id, reload(t2).parent_id) == (b.pk, b.pk)
