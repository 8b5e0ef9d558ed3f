from __future__ import annotations

import pytest
from django_scopes.exceptions import ScopeError

from sohoi.core.scoping import UnitPaths, unit_scope
from sohoi.orgunits.models import OrgUnit


def test_unit_queries_fail_closed_without_a_scope(tree):
    with pytest.raises(ScopeError):
        list(OrgUnit.objects.all())


def test_unit_scope_sees_the_subtree_and_nothing_beside_it(tree):
    with unit_scope(tree.A):
        names = set(OrgUnit.objects.values_list("name", flat=True))
    assert names == {"Hội NCT huyện A", "Hội NCT xã A1"}


def test_a_list_of_subtrees_is_one_scope(tree):
    with unit_scope([tree.A1, tree.B1]):
        assert set(OrgUnit.objects.values_list("code", flat=True)) == {tree.A1.code, tree.B1.code}


def test_unit_paths_keeps_only_top_most_subtrees():
    assert UnitPaths.of(["0001", "00010002", "0002", "000100020003"]).paths == ("0001", "0002")


def test_within_is_a_range_not_a_like(tree):
    with unit_scope(tree.A):
        sql = str(OrgUnit.objects.all().query)
    assert "LIKE" not in sql.upper() and ">=" in sql
