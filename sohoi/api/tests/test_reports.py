"""Statistics and targets through the API: the same figures, rules and scope as the pages."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.person_data import PersonInput
from sohoi.members.services import MembershipInput, member_admit
from sohoi.orgunits.models import UnitLevel
from sohoi.orgunits.services import orgunit_create
from sohoi.reports.models import Target
from sohoi.reports.services import target_set

pytestmark = pytest.mark.django_db


def admit(unit, name, born, joined=date(2020, 1, 1), **person):
    with unit_scope(unit):
        member_admit(unit=unit, person=PersonInput(full_name=name, birth=PartialDate(born), **person),
                     membership=MembershipInput(joined=PartialDate.from_date(joined)), actor=None)  # fmt: skip


def put(api, path, data):
    return api.client.put(path, json.dumps(data), content_type="application/json", headers=api.headers)


def test_stats_of_a_unit_and_its_children(tree, binh, api_as):
    admit(tree.A1, "Nguyễn Văn Hùng", 1950, gender="male")
    admit(tree.A1, "Trần Thị Lan", 1930, gender="female", joined=date(2024, 5, 1))
    response = api_as(binh).get(f"/api/v1/u/{tree.A.code}/stats", year=2024)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"] == tree.A.code and body["as_of"] == "2024-12-31" and body["rebased"] is False
    assert body["indicators"]["members"] == 2 and body["indicators"]["new_members"] == 1
    assert body["indicators"]["age_90_99"] == 1 and body["indicators"]["members_share_female"] == 50.0
    assert [(c["unit"], c["indicators"]["members"]) for c in body["children"]] == [(tree.A1.code, 2)]
    on_day = api_as(binh).get(f"/api/v1/u/{tree.A.code}/stats", year=2024, as_of="2024-03-01").json()
    assert on_day["indicators"]["members"] == 1


def test_stats_outside_the_users_scope_is_not_found(tree, binh, api_as):
    assert api_as(binh).get(f"/api/v1/u/{tree.B.code}/stats", year=2024).status_code == 404


def test_stats_refuse_a_year_out_of_range(tree, binh, api_as):
    response = api_as(binh).get(f"/api/v1/u/{tree.A.code}/stats", year=1800)
    assert response.status_code == 400 and "Năm phải từ" in response.json()["message"]


def test_indicator_list_documents_every_indicator(tree, binh, api_as):
    items = api_as(binh).get("/api/v1/indicators").json()["items"]
    by_name = {i["name"]: i for i in items}
    assert by_name["members"]["additive"] is True and by_name["gathering_rate"]["additive"] is False
    assert by_name["deaths"]["is_flow"] is True and by_name["gathering_rate"]["unit"] == "percent"


def test_targets_set_read_and_hand_down(tree, dung, binh, api_as):
    admit(tree.A1, "Nguyễn Văn Hùng", 1950)
    api = api_as(dung)
    response = put(
        api, f"/api/v1/u/{tree.A.code}/targets/2024", {"values": {"members": "4", "gathering_rate": 90}}
    )
    assert response.status_code == 200, response.content
    items = {i["indicator"]: i for i in response.json()["items"]}
    assert (
        items["members"]["value"] == 4
        and items["members"]["result"] == 1
        and items["members"]["done"] == 25.0
    )
    assert items["gathering_rate"]["value"] == 90.0 and items["gathering_rate"]["handed_down"] is False

    response = api.post(f"/api/v1/u/{tree.A.code}/targets/2024/hand-down",
                        {"indicator": "new_members", "values": {tree.A1.code: 5}})  # fmt: skip
    assert response.status_code == 200, response.content
    target = Target.unscoped.get(org_unit=tree.A1, year=2024, indicator="new_members")
    assert target.value == 5 and target.set_by_id == tree.A.pk
    child = api_as(binh).get(f"/api/v1/u/{tree.A1.code}/targets/2024").json()["items"]
    assert child[0]["handed_down"] is True and child[0]["set_by"] == tree.A.code


def test_a_child_cannot_change_a_target_handed_down_and_nothing_is_written(tree, dung, api_as):
    with unit_scope(tree.A):
        from sohoi.reports.services import target_set

        target_set(unit=tree.A1, setter=tree.A, year=2024, indicator="members", value=10, actor=None)
    response = put(api_as(dung), f"/api/v1/u/{tree.A1.code}/targets/2024",
                   {"values": {"new_members": 3, "members": 20}})  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "handed_down"
    assert list(Target.unscoped.filter(org_unit=tree.A1).values_list("indicator", "value")) == [
        ("members", 10)
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"members": "mười"}, "không phải là một số"),
        ({"members": -1}, "không âm"),
        ({"members": 2.5}, "số nguyên"),
        ({"gathering_rate": 120}, "quá 100%"),
        ({"khong_co": 1}, "Không có chỉ tiêu"),
    ],
)
def test_bad_targets_are_refused_with_a_message(tree, dung, api_as, values, message):
    response = put(
        api_as(dung), f"/api/v1/u/{tree.A.code}/targets/2024", {"values": {"new_members": 1, **values}}
    )
    assert response.status_code == 400 and message in response.json()["message"]
    assert not Target.unscoped.exists()


def test_hand_down_only_to_children_and_viewers_cannot_write(tree, dung, binh, api_as):
    with unit_scope(tree.A):
        grandchild = orgunit_create(
            parent=tree.A1, name="Chi hội 1", level=UnitLevel.BRANCH, area=None, actor=None
        )
    response = api_as(dung).post(f"/api/v1/u/{tree.A.code}/targets/2024/hand-down",
                                 {"indicator": "members", "values": {grandchild.code: 5}})  # fmt: skip
    assert response.status_code == 400 and response.json()["code"] == "not_a_child"
    assert (
        put(api_as(binh), f"/api/v1/u/{tree.A.code}/targets/2024", {"values": {"members": 1}}).status_code
        == 403
    )
    assert not Target.unscoped.exists()


def test_stats_refuse_a_day_outside_the_year_or_to_come(tree, binh, api_as):
    api = api_as(binh)
    for as_of in ("0001-01-01", "2030-01-01"):
        response = api.get(f"/api/v1/u/{tree.A.code}/stats", year=2024, as_of=as_of)
        assert response.status_code == 400, response.content
    assert api.get(f"/api/v1/u/{tree.A.code}/stats", year=2099).status_code == 400
    with pytest.raises(CommandError) as raised:
        call_command("stats", "--unit", tree.A.code, "--year", "2024", "--as-of", "0001-01-01")
    assert raised.value.returncode == 2


def test_an_empty_hand_down_leaves_a_childs_own_target(tree, dung, api_as):
    with unit_scope(tree.A):
        target_set(unit=tree.A1, setter=tree.A1, year=2025, indicator="members", value=7, actor=None)
    response = api_as(dung).post(f"/api/v1/u/{tree.A.code}/targets/2025/hand-down",
                                 {"indicator": "members", "values": {tree.A1.code: ""}})  # fmt: skip
    assert response.status_code == 200, response.content
    assert Target.unscoped.get(org_unit=tree.A1, indicator="members").value == 7
