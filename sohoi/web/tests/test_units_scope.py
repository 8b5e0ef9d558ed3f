"""Who may open the unit pages: a user of sibling unit B sees nothing of A; a viewer changes nothing."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse
from django_scopes import scopes_disabled

from sohoi.orgunits.models import OrgUnit, UnitEvent

# Every route of the units namespace, with the permission it needs.
UNIT_PAGES = {
    "detail": "units.view",
    "children": "units.view",
    "history": "units.view",
    "create": "units.manage",
    "edit": "units.manage",
    "move": "units.manage",
    "merge": "units.manage",
    "split": "units.manage",
}


def counts() -> tuple[int, int]:
    with scopes_disabled():
        return OrgUnit.unscoped.count(), UnitEvent.unscoped.count()


def test_the_table_lists_every_units_route():
    routes = set(get_resolver().namespace_dict["units"][1].reverse_dict.keys())
    assert {name for name in routes if isinstance(name, str)} == set(UNIT_PAGES)


@pytest.mark.parametrize("name", UNIT_PAGES)
@pytest.mark.parametrize("which", ["A", "A1"])
def test_a_user_of_the_sibling_unit_gets_404_on_every_page_of_a(tree, an, client_for, name, which):
    unit = getattr(tree, which)
    client = client_for(an)
    url = reverse(f"units:{name}", args=[unit.code])
    before = counts()
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    posted = client.post(
        url, {"name": "Chi hội lạ", "level": "branch", "action": "commit", "sources": [unit.code]}
    )
    assert posted.status_code == 404
    assert "Không tìm thấy trang hoặc bạn không có quyền truy cập" in posted.content.decode()
    assert counts() == before


@pytest.mark.parametrize("name", UNIT_PAGES)
def test_the_sibling_user_still_opens_their_own_unit(tree, an, client_for, name):
    response = client_for(an).get(reverse(f"units:{name}", args=[tree.B.code]))
    assert response.status_code == 200


@pytest.mark.parametrize("name, perm", UNIT_PAGES.items())
def test_a_viewer_reads_but_changes_nothing(tree, binh, client_for, name, perm):
    client = client_for(binh)
    url = reverse(f"units:{name}", args=[tree.A.code])
    before = counts()
    expected = 200 if perm == "units.view" else 403
    assert client.get(url).status_code == expected
    if perm == "units.manage":
        assert client.post(url, {"name": "Chi hội mới", "level": "branch"}).status_code == 403
    assert counts() == before


@pytest.mark.parametrize("name", UNIT_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(tree, client, name):
    response = client.get(reverse(f"units:{name}", args=[tree.A.code]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_an_unknown_unit_code_is_404(tree, chi, client_for):
    assert client_for(chi).get("/u/khong-co-ma/").status_code == 404
