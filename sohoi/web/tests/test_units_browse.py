"""The unit page, its children on demand, closed units, lineage notices, breadcrumbs, history."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from sohoi.orgunits.models import UnitLevel
from sohoi.orgunits.services import NewUnitSpec, orgunit_create, orgunit_merge, orgunit_update

JULY_1 = date(2025, 7, 1)


def add(parent, name, level=UnitLevel.BRANCH):
    with scopes_disabled():
        return orgunit_create(parent=parent, name=name, level=level, area=None, actor=None)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_unit_page_shows_the_unit_and_its_children(tree, chi, client_for):
    html = page(client_for(chi).get(reverse("units:detail", args=[tree.A.code])))
    assert "<h1>Hội NCT huyện A</h1>" in html
    assert "Hội Người cao tuổi" in html and "Quận/huyện" in html
    assert f'href="/u/{tree.A1.code}/">Hội NCT xã A1</a>' in html
    assert "Hội NCT huyện B" not in html  # a sibling is not a child


def test_manage_actions_show_only_with_units_manage(tree, chi, binh, client_for):
    url = reverse("units:detail", args=[tree.A.code])
    admin_html = page(client_for(chi).get(url))
    assert reverse("units:create", args=[tree.A.code]) in admin_html
    assert reverse("units:merge", args=[tree.A.code]) in admin_html
    viewer_html = page(client_for(binh).get(url))
    for name in ("create", "edit", "move", "merge", "split"):
        assert reverse(f"units:{name}", args=[tree.A.code]) not in viewer_html
    assert reverse("units:history", args=[tree.A.code]) in viewer_html


def test_admins_find_users_and_the_audit_log_from_the_unit_page(tree, chi, binh, client_for):
    users, audit = (
        reverse("accounts:users", args=[tree.A.code]),
        reverse("accounts:audit", args=[tree.A.code]),
    )
    admin_page = client_for(chi).get(reverse("units:detail", args=[tree.A.code])).content.decode()
    assert users in admin_page and audit in admin_page
    viewer_page = client_for(binh).get(reverse("units:detail", args=[tree.A.code])).content.decode()
    assert users not in viewer_page and audit not in viewer_page


def test_moves_of_a_unit_are_offered_from_its_parent_when_the_user_manages_the_parent(tree, chi, client_for):
    client = client_for(chi)
    child_page = page(client.get(reverse("units:detail", args=[tree.A1.code])))
    assert f"{reverse('units:move', args=[tree.A.code])}?don-vi={tree.A1.code}" in child_page
    assert f"{reverse('units:merge', args=[tree.A.code])}?nguon={tree.A1.code}" in child_page
    # chi has no right on the province: A's own page offers no move out of it.
    own_page = page(client.get(reverse("units:detail", args=[tree.A.code])))
    assert reverse("units:move", args=[tree.P.code]) not in own_page


def test_a_child_with_children_gets_an_accessible_toggle_that_loads_them_on_demand(tree, chi, client_for):
    add(tree.A1, "Chi hội Thôn 1")
    html = page(client_for(chi).get(reverse("units:detail", args=[tree.A.code])))
    children_url = reverse("units:children", args=[tree.A1.code])
    assert (
        f'<button type="button" class="tree-toggle button-small" aria-expanded="false" '
        f'aria-controls="con-{tree.A1.code}"'
    ) in html
    assert f'hx-get="{children_url}"' in html and 'hx-trigger="click once"' in html
    assert f'<ul id="con-{tree.A1.code}" hidden>' in html
    # Grandchildren are not in the page: they come with the toggle.
    assert "Chi hội Thôn 1" not in html


def test_children_url_returns_a_partial_to_htmx_and_a_full_page_otherwise(tree, chi, client_for):
    add(tree.A1, "Chi hội Thôn 1")
    client = client_for(chi)
    url = reverse("units:children", args=[tree.A1.code])
    partial = page(client.get(url, headers={"HX-Request": "true"}))
    assert "<html" not in partial and partial.strip().startswith("<li")
    assert "Chi hội Thôn 1" in partial
    full = page(client.get(url))
    assert "<html" in full and "Chi hội Thôn 1" in full
    assert f'href="/u/{tree.A1.code}/">Hội NCT xã A1</a>' in full  # breadcrumbs back to the unit


def test_closed_units_are_hidden_until_asked_then_dimmed_with_a_badge(tree, chi, client_for):
    old = add(tree.A1, "Chi hội Cũ")
    add(tree.A1, "Chi hội Mới")
    with scopes_disabled():
        orgunit_merge(sources=[old], into=tree.A1, effective_on=JULY_1, actor=None, decision_ref="1/QĐ")
    client = client_for(chi)
    url = reverse("units:detail", args=[tree.A1.code])
    hidden = page(client.get(url))
    tree_list = hidden[hidden.index('<ul class="tree"') :]
    assert "Chi hội Cũ" not in tree_list and "Chi hội Mới" in tree_list
    assert "Và 1 đơn vị đã đóng (đang ẩn)." in hidden
    assert f'href="{url}?dong=1">Hiện cả 1 đơn vị đã đóng</a>' in hidden
    shown = page(client.get(url + "?dong=1"))
    assert '<li class="tree-closed">' in shown
    assert '<span class="badge badge-closed">Đã đóng 01/07/2025</span>' in shown
    tree_list = shown[shown.index('<ul class="tree"') :]
    assert tree_list.index("Chi hội Mới") < tree_list.index("Chi hội Cũ")  # open first


def test_a_closed_unit_says_where_it_went_and_the_successor_where_it_came_from(tree, staff, client_for):
    with scopes_disabled():
        target, _ = orgunit_merge(
            sources=[tree.A1, tree.B1],
            into=NewUnitSpec(name="Hội NCT xã Mới", parent=tree.P, level=UnitLevel.COMMUNE),
            effective_on=JULY_1,
            actor=None,
            decision_ref="20/QĐ-NCT",
            decision_on=date(2025, 6, 25),
        )
    client = client_for(staff)
    closed = page(client.get(reverse("units:detail", args=[tree.A1.code])))
    assert "Đơn vị đã đóng từ ngày 01/07/2025" in closed
    assert "do sáp nhập vào" in closed and f'<a href="/u/{target.code}/">Hội NCT xã Mới</a>.' in closed
    assert "Quyết định số 20/QĐ-NCT ngày 25/06/2025." in closed
    assert reverse("units:create", args=[tree.A1.code]) not in closed  # no actions on a closed unit
    successor = page(client.get(reverse("units:detail", args=[target.code])))
    assert "Từ ngày 01/07/2025, hình thành từ sáp nhập:" in successor
    assert f'<a href="/u/{tree.A1.code}/">Hội NCT xã A1</a>' in successor
    assert f'<a href="/u/{tree.B1.code}/">Hội NCT xã B1</a>' in successor


def test_a_successor_outside_the_scope_is_not_linked(tree, chi, client_for):
    with scopes_disabled():
        orgunit_merge(sources=[tree.A1], into=tree.B1, effective_on=JULY_1, actor=None, decision_ref="3/QĐ")
    html = page(client_for(chi).get(reverse("units:detail", args=[tree.A1.code])))
    # Named (it is where A1 went) but not linked: chi's grant on A does not reach B.
    assert "do sáp nhập vào" in html and "<span>Hội NCT xã B1</span>." in html
    assert tree.B1.code not in html


def test_breadcrumbs_link_only_the_units_the_user_may_open(tree, chi, client_for):
    html = page(client_for(chi).get(reverse("units:detail", args=[tree.A1.code])))
    crumbs = html[html.index('class="breadcrumbs"') : html.index("</nav>", html.index('class="breadcrumbs"'))]
    assert "<li><span>Hội NCT Việt Nam</span></li><li><span>Hội NCT tỉnh P</span></li>" in crumbs
    assert f'<li><a href="/u/{tree.A.code}/">Hội NCT huyện A</a></li>' in crumbs
    assert '<li aria-current="page">Hội NCT xã A1</li>' in crumbs


def test_member_counts_have_a_marked_empty_place_and_no_number(tree, chi, client_for):
    html = page(client_for(chi).get(reverse("units:detail", args=[tree.A.code])))
    assert '<span class="tree-count" data-slot="member-count"></span>' in html


def test_history_lists_the_events_with_decision_and_who(tree, chi, client_for):
    with scopes_disabled():
        orgunit_update(unit=tree.A1, name="Hội NCT xã A Một", area=None, actor=chi, effective_on=JULY_1,
                       decision_ref="7/QĐ-NCT")  # fmt: skip
    html = page(client_for(chi).get(reverse("units:history", args=[tree.A1.code])))
    assert '<h2>Đổi tên <span class="muted">– 01/07/2025</span></h2>' in html
    assert "Từ “Hội NCT xã A1” thành “Hội NCT xã A Một”." in html
    assert "7/QĐ-NCT" in html and "Chi" in html  # chi's full name
    assert html.index("<h2>Đổi tên") < html.index("<h2>Thành lập")  # newest first


def test_history_of_a_merge_links_the_other_units_the_user_may_open(tree, staff, chi, client_for):
    with scopes_disabled():
        orgunit_merge(sources=[tree.A1], into=tree.B1, effective_on=JULY_1, actor=staff, decision_ref="3/QĐ")
    url = reverse("units:history", args=[tree.A1.code])
    html = page(client_for(staff).get(url))
    assert "<h2>Sáp nhập" in html
    assert "<li><strong>Hội NCT xã A1</strong></li>" in html
    assert f'<li><a href="/u/{tree.B1.code}/">Hội NCT xã B1</a></li>' in html
    html = page(client_for(chi).get(url))
    assert "<li><span>Hội NCT xã B1</span></li>" in html and tree.B1.code not in html


# ---------- Query counts: fixed whatever the number of children ----------


@pytest.fixture(params=[1, 30], ids=["1 child", "30 children"])
def commune_with_children(request, tree):
    for i in range(request.param):
        add(tree.A1, f"Chi hội số {i}")
    return tree.A1, request.param


def test_unit_page_runs_a_fixed_number_of_queries(
    commune_with_children, chi, client_for, django_assert_num_queries
):
    unit, count = commune_with_children
    client = client_for(chi)
    url = reverse("units:detail", args=[unit.code])
    # 1 session, 2 user, 3 the unit with association/area/parent (middleware), 4 chi's grants (perms_for),
    # 5 the ancestors (breadcrumbs), 6 chi's grants reaching the unit (which ancestors chi may open),
    # 7 the children with their areas, 8 the merge/split links (lineage notices), 9 the active
    # members of the subtree, counted up to a cap.
    with django_assert_num_queries(9):
        response = client.get(url)
    assert page(response).count('data-slot="member-count"') == count


def test_children_partial_runs_a_fixed_number_of_queries(
    commune_with_children, chi, client_for, django_assert_num_queries
):
    unit, count = commune_with_children
    client = client_for(chi)
    url = reverse("units:children", args=[unit.code])
    # 1 session, 2 user, 3 the unit (middleware), 4 chi's grants (perms_for), 5 the children with their areas.
    with django_assert_num_queries(5):
        response = client.get(url, headers={"HX-Request": "true"})
    assert page(response).count("<li>") == count
    # Without htmx the full page adds 6 the ancestors and 7 chi's grants for the breadcrumbs.
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_history_of_a_unit_moved_by_a_merge_names_the_merge(tree, chi, client_for):
    branch = add(tree.A1, "Chi hội Thôn 1")
    with scopes_disabled():
        orgunit_merge(sources=[tree.A1], into=tree.A, effective_on=JULY_1, actor=None, decision_ref="4/QĐ")
    html = page(client_for(chi).get(reverse("units:history", args=[branch.code])))
    assert "Từ trực thuộc “Hội NCT xã A1” sang trực thuộc “Hội NCT huyện A”." in html
    assert "Do sáp nhập ngày 01/07/2025." in html
