"""The member register through the API: the same rules, scope and masking as the pages."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.models import EventKind, Membership, MembershipEvent, MembershipStatus, Person
from sohoi.members.person_data import PersonInput
from sohoi.members.services import MembershipInput, member_admit, member_leave


def admit(unit, name="Nguyễn Văn Hùng", born=1950, joined=date(2015, 3, 1), **person):
    with unit_scope(unit):
        membership, _warnings = member_admit(
            unit=unit,
            person=PersonInput(full_name=name, birth=PartialDate(born) if born else None, **person),
            membership=MembershipInput(joined=PartialDate.from_date(joined)),
            actor=None,
        )
    return membership


def patch(api, path: str, data: dict):
    return api.client.patch(path, json.dumps(data), content_type="application/json", headers=api.headers)


def members_url(unit, suffix: str = "") -> str:
    return f"/api/v1/u/{unit.code}/members{suffix}"


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "extra"} and body["code"] == code
    assert any(ord(ch) > 127 for ch in body["message"]), body["message"]
    return body


NEW_MEMBER = {"full_name": "Trần Thị Lan", "birth": "12/03/1950", "gender": "female", "joined": "01/05/2020",
              "phone": "0912 345 678", "id_number": "001150012345", "address": "Số 5 ngõ 10"}  # fmt: skip


@pytest.fixture
def hung(tree):
    return admit(tree.A, "Nguyễn Văn Hùng", phone="0912000111", id_number="001050000111", gender="male")


# --- list -----------------------------------------------------------------------------------------


def test_the_list_pages_by_cursor_in_roster_order_over_the_subtree(tree, dung, api_as):
    names = ["Lê Văn An", "Phạm Thị Bình", "Đỗ Văn Cường", "Hoàng Thị Dung", "Ngô Văn Em"]
    for i, name in enumerate(names):
        admit(tree.A1 if i % 2 else tree.A, name)
    api = api_as(dung)

    first = api.get(members_url(tree.A), limit=2).json()
    second = api.get(members_url(tree.A), limit=2, cursor=first["next_cursor"]).json()
    third = api.get(members_url(tree.A), limit=2, cursor=second["next_cursor"]).json()

    seen = [item["full_name"] for page in (first, second, third) for item in page["items"]]
    assert seen == names  # An, Bình, Cường, Dung, Em: by given name
    assert third["next_cursor"] is None
    assert {item["unit"]["code"] for item in first["items"] + second["items"]} == {tree.A.code, tree.A1.code}


def test_the_list_item_carries_the_member_as_recorded(tree, dung, hung, api_as):
    (item,) = api_as(dung).get(members_url(tree.A)).json()["items"]

    assert item["code"] == hung.code
    assert (item["family_name"], item["middle_name"], item["given_name"]) == ("Nguyễn", "Văn", "Hùng")
    assert item["birth"] == "1950" and item["birth_year"] == 1950
    assert item["gender"] == "male"
    assert item["unit"] == {"code": tree.A.code, "name": tree.A.name}
    assert item["association"] == "nct"
    assert item["status"] == "active"
    assert item["joined_on"] == "2015-03-01" and item["joined"] == "01/03/2015"


def test_search_finds_names_without_accents_and_by_phone(tree, dung, hung, api_as):
    admit(tree.A, "Trần Thị Mai")
    api = api_as(dung)

    assert [i["code"] for i in api.get(members_url(tree.A), q="nguyen hung").json()["items"]] == [hung.code]
    assert [i["code"] for i in api.get(members_url(tree.A), q="0912000111").json()["items"]] == [hung.code]
    assert api.get(members_url(tree.A), q="khong co ai").json()["items"] == []


def test_filters_status_gender_and_birth_year(tree, dung, hung, api_as):
    mai = admit(tree.A, "Trần Thị Mai", born=1940, gender="female")
    with unit_scope(tree.A):
        member_leave(membership=mai, on=date(2024, 1, 1), reason="Chuyển đi nơi khác", actor=None)
    api = api_as(dung)

    def codes(**params):
        return [i["code"] for i in api.get(members_url(tree.A), **params).json()["items"]]

    assert codes() == [hung.code]
    assert codes(status="left") == [mai.code]
    assert sorted(codes(status="all")) == sorted([hung.code, mai.code])
    assert codes(status="all", gender="female") == [mai.code]
    assert codes(status="all", birth_year=1950) == [hung.code]


def test_a_viewer_sees_phone_and_id_masked_an_editor_whole(tree, binh, dung, hung, api_as):
    (masked,) = api_as(binh).get(members_url(tree.A)).json()["items"]
    (whole,) = api_as(dung).get(members_url(tree.A)).json()["items"]

    assert masked["id_number"] == "0010******11" and masked["phone"] == "0912****11"
    assert masked["ids_masked"] is True
    assert whole["id_number"] == "001050000111" and whole["phone"] == "+84912000111"
    assert whole["ids_masked"] is False
    detail = api_as(binh).get(members_url(tree.A, f"/{hung.code}")).json()
    assert detail["id_number"] == "0010******11" and "000111" not in json.dumps(detail)


def test_a_forged_cursor_and_bad_filters_are_refused_in_the_error_shape(tree, dung, api_as):
    api = api_as(dung)

    body = error_of(api.get(members_url(tree.A), cursor="bm90LWEtY3Vyc29y"), 400, "invalid_cursor")
    assert body["extra"]["field"] == "cursor"
    body = error_of(api.get(members_url(tree.A), status="dead", limit=500), 422, "validation_error")
    assert {e["field"] for e in body["extra"]["errors"]} == {"status", "limit"}
    body = error_of(api.get(members_url(tree.A), area="99999"), 400, "unknown_area")
    assert body["extra"]["field"] == "area"


def test_the_list_costs_the_same_queries_for_one_row_and_thirty(tree, dung, api_as):
    api = api_as(dung)
    admit(tree.A, "Người Số Không")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(members_url(tree.A), limit=50).status_code == 200
        return len(captured.captured_queries)

    one = queries()
    given = ["An", "Bình", "Cúc", "Dũng", "Hà", "Khánh"]
    for i in range(29):
        admit(tree.A1, f"Lê Văn {given[i % 6]}{'' if i < 6 else ' ' + given[i // 6]}", born=1930 + i % 20)
    assert queries() == one


# --- detail ---------------------------------------------------------------------------------------


def test_detail_shows_memberships_and_the_timeline(tree, dung, hung, api_as):
    api = api_as(dung)
    version = api.get(members_url(tree.A, f"/{hung.code}")).json()["version"]
    api.post(members_url(tree.A, f"/{hung.code}/transfer"),
             {"to_unit_code": tree.A1.code, "on": "01/02/2024", "reason": "Chuyển nhà", "version": version})  # fmt: skip

    body = api.get(members_url(tree.A, f"/{hung.code}")).json()

    assert body["unit"]["code"] == tree.A1.code and body["unit_since"] == "2024-02-01"
    assert [m["code"] for m in body["memberships"]] == [hung.code]
    assert [(e["kind"], e["happened_on"]) for e in body["events"]] == [
        ("joined", "2015-03-01"),
        ("transferred", "2024-02-01"),
    ]
    moved = body["events"][1]
    assert moved["from_unit"]["code"] == tree.A.code and moved["unit"]["code"] == tree.A1.code
    assert moved["reason"] == "Chuyển nhà"


def test_an_absent_member_is_a_404(tree, dung, api_as):
    body = error_of(api_as(dung).get(members_url(tree.A, "/khongcoma")), 404, "not_found")
    assert "hội viên" in body["message"]


def test_the_sibling_admin_gets_the_404_of_an_absent_member(tree, an, hung, api_as):
    api = api_as(an)

    through_b = api.get(members_url(tree.B, f"/{hung.code}"))
    absent = api.get(members_url(tree.B, "/khongcoma"))

    assert through_b.status_code == 404 and through_b.json() == absent.json()
    assert api.get(members_url(tree.A, f"/{hung.code}")).status_code == 404
    assert api.get(members_url(tree.B)).json()["items"] == []
    for action in ("transfer", "leave", "death", "rejoin", "honorary"):
        response = api.post(members_url(tree.B, f"/{hung.code}/{action}"),
                            {"on": "01/01/2024", "to_unit_code": tree.B1.code, "reason": "Thử"})  # fmt: skip
        assert response.status_code == 404 and response.json() == absent.json(), action
    assert (
        patch(api, members_url(tree.B, f"/{hung.code}"), {"version": 1, "phone": ""}).json() == absent.json()
    )
    hung.refresh_from_db()
    assert hung.status == MembershipStatus.ACTIVE and hung.org_unit == tree.A and hung.version == 1


# --- create ---------------------------------------------------------------------------------------


def test_an_editor_admits_a_member_and_gets_the_detail(tree, dung, api_as):
    response = api_as(dung).post(members_url(tree.A), NEW_MEMBER)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Trần Thị Lan" and body["birth"] == "12/03/1950"
    assert body["phone"] == "+84912345678" and body["id_number"] == "001150012345"
    assert body["unit"]["code"] == tree.A.code and body["version"] == 1
    assert [e["kind"] for e in body["events"]] == ["joined"]
    with unit_scope(tree.A):
        assert Membership.objects.get(code=body["code"]).person.address == "Số 5 ngõ 10"


def test_admitting_into_a_unit_below_the_url_unit(tree, dung, api_as):
    response = api_as(dung).post(members_url(tree.A), {**NEW_MEMBER, "unit_code": tree.A1.code})
    assert response.status_code == 201, response.content
    assert response.json()["unit"]["code"] == tree.A1.code


def test_admitting_into_a_unit_outside_the_url_unit_is_a_404_and_writes_nothing(tree, chi, api_as):
    for unit in (tree.B, tree.P):
        body = error_of(
            api_as(chi).post(members_url(tree.A1), {**NEW_MEMBER, "unit_code": unit.code}), 404, "not_found"
        )
        assert body["extra"] == {"field": "unit_code"}
    assert Person.unscoped.count() == 0


def test_warnings_need_confirmation_before_anything_is_written(tree, dung, api_as):
    api = api_as(dung)
    data = {**NEW_MEMBER, "birth": "1952"}  # the CCCD says 1950

    body = error_of(api.post(members_url(tree.A), data), 400, "needs_confirmation")
    assert len(body["extra"]["warnings"]) == 1 and "1950" in body["extra"]["warnings"][0]
    assert Person.unscoped.count() == 0

    confirmed = api.post(members_url(tree.A), {**data, "confirm_warnings": True})
    assert confirmed.status_code == 201, confirmed.content
    assert confirmed.json()["birth"] == "1952"


def test_an_age_below_the_rule_needs_a_reason_then_a_confirmation(tree, dung, api_as):
    api = api_as(dung)
    data = {**NEW_MEMBER, "birth": "1963", "id_number": "", "joined": "01/05/2020"}

    body = error_of(api.post(members_url(tree.A), data), 400, "age_below_rule")
    assert body["extra"]["field"] == "exception_reason"
    data["exception_reason"] = "Được giao công tác Hội"
    error_of(api.post(members_url(tree.A), data), 400, "needs_confirmation")
    assert api.post(members_url(tree.A), {**data, "confirm_warnings": True}).status_code == 201


@pytest.mark.parametrize(
    "change, status, code, field",
    [
        ({"birth": "31/02/1950"}, 400, "invalid_date", "birth"),
        ({"joined": ""}, 400, "required", "joined"),
        ({"joined": "2099"}, 400, "invalid_date", "joined"),
        ({"phone": "12345"}, 400, "invalid", "phone"),
        ({"id_number": "12ab"}, 400, "invalid", "id_number"),
        ({"full_name": "  "}, 400, "invalid", "full_name"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(tree, dung, api_as, change, status, code, field):
    body = error_of(api_as(dung).post(members_url(tree.A), {**NEW_MEMBER, **change}), status, code)
    assert body["extra"]["field"] == field
    assert Person.unscoped.count() == 0


def test_a_malformed_body_is_a_422_listing_each_field(tree, dung, api_as):
    response = api_as(dung).post(members_url(tree.A), {"birth": 1950, "gender": "x", "address": "a" * 300})
    body = error_of(response, 422, "validation_error")
    assert {e["field"] for e in body["extra"]["errors"]} == {"birth", "gender", "address"}
    assert Person.unscoped.count() == 0


@pytest.mark.parametrize("missing, field", [("full_name", "full_name"), ("joined", "joined")])
def test_a_missing_required_value_is_a_400_naming_it(tree, dung, api_as, missing, field):
    data = {k: v for k, v in NEW_MEMBER.items() if k != missing}
    body = error_of(
        api_as(dung).post(members_url(tree.A), data), 400, "required" if field == "joined" else "invalid"
    )
    assert body["extra"]["field"] == field


def test_an_outsider_gets_the_404_whatever_the_body(tree, an, api_as):
    error_of(api_as(an).post(members_url(tree.A), {}), 404, "not_found")


# --- update ---------------------------------------------------------------------------------------


def test_an_update_changes_only_the_fields_sent(tree, dung, hung, api_as):
    response = patch(api_as(dung), members_url(tree.A, f"/{hung.code}"),
                     {"version": 1, "phone": "0987 654 321", "member_number": "A-7"})  # fmt: skip

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phone"] == "+84987654321" and body["member_number"] == "A-7"
    assert body["full_name"] == "Nguyễn Văn Hùng" and body["id_number"] == "001050000111"
    assert body["birth"] == "1950" and body["joined"] == "01/03/2015"
    assert body["version"] == 2


def test_a_new_full_name_is_split_again(tree, dung, hung, api_as):
    body = patch(api_as(dung), members_url(tree.A, f"/{hung.code}"), {"version": 1, "full_name": "Lê Thị Hồng Nhung",
                                                                     "gender": "female", "confirm_warnings": True}).json()  # fmt: skip
    assert (body["family_name"], body["middle_name"], body["given_name"]) == ("Lê", "Thị Hồng", "Nhung")


def test_an_update_over_a_newer_save_is_a_conflict_and_writes_nothing(tree, dung, chi, hung, api_as):
    assert (
        patch(
            api_as(chi), members_url(tree.A, f"/{hung.code}"), {"version": 1, "address": "Nhà mới"}
        ).status_code
        == 200
    )

    response = patch(api_as(dung), members_url(tree.A, f"/{hung.code}"), {"version": 1, "address": "Nhà cũ"})

    # A DomainError is a 400 in errors.py; the code says what happened.
    error_of(response, 409, "conflict")
    assert Person.unscoped.get(pk=hung.person_id).address == "Nhà mới"


def test_an_update_without_a_version_is_refused(tree, dung, hung, api_as):
    body = error_of(
        patch(api_as(dung), members_url(tree.A, f"/{hung.code}"), {"address": "x"}), 400, "required"
    )
    assert body["extra"]["field"] == "version"
    assert Person.unscoped.get(pk=hung.person_id).address == ""


def test_an_update_that_raises_a_warning_asks_for_confirmation(tree, dung, hung, api_as):
    response = patch(api_as(dung), members_url(tree.A, f"/{hung.code}"), {"version": 1, "gender": "female"})
    body = error_of(response, 400, "needs_confirmation")
    assert body["extra"]["warnings"]
    assert Person.unscoped.get(pk=hung.person_id).gender == "male"


# --- lifecycle ------------------------------------------------------------------------------------


def _events(membership) -> list[str]:
    return list(MembershipEvent.unscoped.filter(membership=membership).values_list("kind", flat=True))


def test_transfer_moves_the_member_inside_the_tree(tree, dung, hung, api_as):
    response = api_as(dung).post(members_url(tree.A, f"/{hung.code}/transfer"),
                                 {"to_unit_code": tree.A1.code, "on": "2024-02-01"})  # fmt: skip
    assert response.status_code == 200, response.content
    hung.refresh_from_db()
    assert hung.org_unit == tree.A1 and _events(hung) == [EventKind.JOINED, EventKind.TRANSFERRED]


def test_transfer_out_of_the_tree_is_a_404_naming_the_field(tree, chi, hung, api_as):
    body = error_of(api_as(chi).post(members_url(tree.A, f"/{hung.code}/transfer"),
                                     {"to_unit_code": tree.B.code, "on": "01/02/2024"}), 404, "not_found")  # fmt: skip
    assert body["extra"] == {"field": "to_unit_code"}
    hung.refresh_from_db()
    assert hung.org_unit == tree.A and _events(hung) == [EventKind.JOINED]


def test_transfer_to_its_own_unit_is_a_400_on_the_target(tree, dung, hung, api_as):
    body = error_of(api_as(dung).post(members_url(tree.A, f"/{hung.code}/transfer"),
                                      {"to_unit_code": tree.A.code, "on": "01/02/2024"}), 400, "invalid")  # fmt: skip
    assert body["extra"]["field"] == "to_unit_code"


def test_leave_needs_a_reason_then_ends_the_membership(tree, dung, hung, api_as):
    api = api_as(dung)
    url = members_url(tree.A, f"/{hung.code}/leave")

    body = error_of(api.post(url, {"on": "01/02/2024", "reason": " "}), 400, "invalid")
    assert body["extra"]["field"] == "reason"
    response = api.post(url, {"on": "01/02/2024", "reason": "Chuyển đi tỉnh khác", "version": 1})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "left" and response.json()["ended_on"] == "2024-02-01"


def test_a_lifecycle_date_must_be_a_whole_day(tree, dung, hung, api_as):
    url = members_url(tree.A, f"/{hung.code}/leave")
    body = error_of(api_as(dung).post(url, {"on": "2024", "reason": "Lý do"}), 400, "invalid_date")
    assert body["extra"]["field"] == "on"
    hung.refresh_from_db()
    assert hung.status == MembershipStatus.ACTIVE


def test_a_lifecycle_event_on_a_stale_version_is_a_conflict(tree, dung, hung, api_as):
    url = members_url(tree.A, f"/{hung.code}/honorary")
    error_of(api_as(dung).post(url, {"on": "01/02/2024", "version": 7}), 409, "conflict")
    hung.refresh_from_db()
    assert hung.is_honorary is False


def test_rejoin_after_leaving_in_another_unit(tree, dung, hung, api_as):
    api = api_as(dung)
    api.post(members_url(tree.A, f"/{hung.code}/leave"), {"on": "01/02/2023", "reason": "Đi làm ăn xa"})

    response = api.post(
        members_url(tree.A, f"/{hung.code}/rejoin"), {"on": "01/02/2024", "unit_code": tree.A1.code}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "active" and body["unit"]["code"] == tree.A1.code
    assert [e["kind"] for e in body["events"]] == ["joined", "left", "rejoined"]


def test_rejoin_of_an_active_member_is_refused(tree, dung, hung, api_as):
    error_of(
        api_as(dung).post(members_url(tree.A, f"/{hung.code}/rejoin"), {"on": "01/02/2024"}), 400, "active"
    )


def test_death_ends_the_membership(tree, dung, hung, api_as):
    response = api_as(dung).post(
        members_url(tree.A, f"/{hung.code}/death"), {"on": "01/02/2024", "note": "Bệnh"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "deceased" and body["died_on"] == "2024-02-01"
    assert body["events"][-1]["kind"] == "died" and body["events"][-1]["reason"] == "Bệnh"


def test_honorary_marks_the_member(tree, dung, hung, api_as):
    response = api_as(dung).post(members_url(tree.A, f"/{hung.code}/honorary"), {"on": "01/02/2024"})
    assert response.status_code == 200, response.content
    assert response.json()["is_honorary"] is True


# --- permissions ----------------------------------------------------------------------------------


def test_a_viewer_reads_but_every_write_is_a_403(tree, binh, hung, api_as):
    api = api_as(binh)
    assert api.get(members_url(tree.A)).status_code == 200
    assert api.get(members_url(tree.A, f"/{hung.code}")).status_code == 200

    error_of(api.post(members_url(tree.A), NEW_MEMBER), 403, "permission_denied")
    error_of(
        patch(api, members_url(tree.A, f"/{hung.code}"), {"version": 1, "phone": ""}),
        403,
        "permission_denied",
    )
    for action in ("transfer", "leave", "death", "rejoin", "honorary"):
        # A valid body: a malformed one is a 422 before the permission is looked at.
        body = {"on": "01/01/2024", "to_unit_code": tree.A1.code, "reason": "Thử"}
        error_of(api.post(members_url(tree.A, f"/{hung.code}/{action}"), body), 403, "permission_denied")
    hung.refresh_from_db()
    assert hung.version == 1 and Person.unscoped.count() == 1
