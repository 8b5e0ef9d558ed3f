"""The member register's pages: list (filters, search, paging, masking), member page, add and
edit (warnings, age rule, conflicts), lifecycle actions, consent, restore, duplicates and merge,
and who gets what (sibling admin 404, viewer 403)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from sohoi.core.scoping import unit_scope
from sohoi.members.models import Consent, EventKind, Membership, MembershipEvent, MembershipStatus, Person
from sohoi.members.services import consent_record, member_leave
from sohoi.members.tests.factories import admit
from sohoi.orgunits.models import Association

pytestmark = pytest.mark.django_db

CCCD = "001050012345"


def fresh(membership):
    with scopes_disabled():
        return Membership.unscoped.select_related("person").get(pk=membership.pk)


def url(name, unit, *args):
    return reverse(f"members:{name}", args=[unit.code, *args])


def page(response) -> str:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return response.content.decode()


# ---------- List ----------


def test_list_shows_the_subtree_in_roster_order_with_active_members_by_default(tree, binh, client_for):
    admit(tree.A1, name="Trần Văn Bình")
    admit(tree.A, name="Nguyễn Thị An")
    left = admit(tree.A, name="Lê Văn Cường")
    admit(tree.B, name="Phạm Văn Bê")
    with unit_scope(tree.A):
        member_leave(membership=left, on=date(2020, 1, 1), reason="Chuyển nơi ở", actor=None)
    html = page(client_for(binh).get(url("list", tree.A)))
    assert html.index("Nguyễn Thị An") < html.index("Trần Văn Bình")  # An before Bình
    assert "Lê Văn Cường" not in html and "Phạm Văn Bê" not in html
    assert "2 hội viên" in html
    everyone = page(client_for(binh).get(url("list", tree.A), {"status": "tat-ca"}))
    assert "Lê Văn Cường" in everyone
    assert "Lê Văn Cường" in page(client_for(binh).get(url("list", tree.A), {"status": "left"}))


def test_list_filters_by_gender_birth_year_join_year_and_age(tree, binh, client_for):
    admit(tree.A, name="Nguyễn Thị Lan", gender="female", born=1940, joined=date(2010, 1, 1))
    admit(tree.A, name="Trần Văn Minh", gender="male", born=1960, joined=date(2020, 1, 1))
    client = client_for(binh)
    assert "Trần Văn Minh" not in page(client.get(url("list", tree.A), {"gender": "female"}))
    assert "Nguyễn Thị Lan" not in page(client.get(url("list", tree.A), {"birth_year": "1960"}))
    assert "Trần Văn Minh" not in page(client.get(url("list", tree.A), {"join_year": "2010"}))
    young = page(client.get(url("list", tree.A), {"age": "60_69"}))
    assert "Trần Văn Minh" in young and "Nguyễn Thị Lan" not in young


def test_search_is_accent_and_case_insensitive_and_accents_typed_count(tree, binh, client_for):
    admit(tree.A, name="Nguyễn Văn Hùng")
    admit(tree.A, name="Nguyễn Văn Hưng")
    client = client_for(binh)
    both = page(client.get(url("list", tree.A), {"q": "NGUYEN VAN HUNG"}))
    assert "Nguyễn Văn Hùng" in both and "Nguyễn Văn Hưng" in both
    only = page(client.get(url("list", tree.A), {"q": "hùng"}))
    assert "Nguyễn Văn Hùng" in only and "Nguyễn Văn Hưng" not in only


def test_search_finds_by_phone_and_cccd(tree, dung, client_for):
    admit(tree.A, name="Nguyễn Văn Hùng", phone="0912345678", id_number=CCCD)
    admit(tree.A, name="Lê Thị Lan")
    client = client_for(dung)
    assert "Lê Thị Lan" not in page(client.get(url("list", tree.A), {"q": "0912 345 678"}))
    by_id = page(client.get(url("list", tree.A), {"q": CCCD[:8]}))
    assert "Nguyễn Văn Hùng" in by_id and "Lê Thị Lan" not in by_id


def test_viewer_sees_masked_numbers_and_editor_sees_them_whole(tree, binh, dung, client_for):
    admit(tree.A, phone="0912345678", id_number=CCCD)
    masked = page(client_for(binh).get(url("list", tree.A)))
    assert "0010******45" in masked and CCCD not in masked
    assert "0912****78" in masked and "0912 345 678" not in masked
    whole = page(client_for(dung).get(url("list", tree.A)))
    assert CCCD in whole and "0912 345 678" in whole


def test_keyset_paging_goes_on_and_back_to_the_start(tree, binh, client_for):
    for i in range(52):
        admit(tree.A, name=f"Nguyễn Văn Tên{chr(97 + i // 26)}{chr(97 + i % 26)}")
    client = client_for(binh)
    first = page(client.get(url("list", tree.A)))
    assert "Trang sau" in first and "Về đầu" not in first and "52 hội viên" in first
    next_href = first.split('href="?')[1].split('"')[0].replace("&amp;", "&")
    second = page(client.get(url("list", tree.A) + "?" + next_href))
    assert "Tênby" in second and "Tênbz" in second and "Tênaa" not in second
    assert "Về đầu" in second and "Trang sau" not in second


def test_bad_filters_are_ignored_with_a_notice_not_a_500(tree, binh, client_for):
    admit(tree.A)
    client = client_for(binh)
    for params in ({"birth_year": "abc"}, {"q": "'; drop table x; --<script>"}, {"sau": "zzz.1.2"},
                   {"status": "gì-đó"}, {"age": "999"}, {"q": "x" * 500}):  # fmt: skip
        assert client.get(url("list", tree.A), params).status_code == 200


def test_htmx_search_returns_only_the_rows_partial(tree, binh, client_for):
    admit(tree.A)
    response = client_for(binh).get(url("list", tree.A), {"q": "hung"}, headers={"HX-Request": "true"})
    html = page(response)
    assert 'id="member-results"' in html and "<html" not in html
    assert "Nguyễn Văn Hùng" in html


def test_list_query_count_is_the_same_for_one_and_thirty_members(
    tree, binh, client_for, django_assert_num_queries
):
    admit(tree.A1, name="Nguyễn Văn Một")
    client = client_for(binh)
    client.get(url("list", tree.A))  # warm the session
    # session, user, the unit and the user's grants (middleware), the page of members (person and
    # unit joined), the capped count, the breadcrumbs' ancestors and the grants reaching them.
    expected = 8
    with django_assert_num_queries(expected):
        assert client.get(url("list", tree.A)).status_code == 200
    for i in range(29):
        admit(tree.A1, name=f"Trần Thị Số{chr(97 + i)}")
    with django_assert_num_queries(expected):
        assert client.get(url("list", tree.A)).status_code == 200


def test_unit_page_links_to_the_member_list(tree, binh, client_for):
    html = page(client_for(binh).get(reverse("units:detail", args=[tree.A.code])))
    assert url("list", tree.A) in html


# ---------- Member page ----------


def test_member_page_shows_data_timeline_and_history_with_diffs(tree, dung, client_for):
    membership = admit(tree.A1, phone="0912345678", id_number=CCCD)
    client = client_for(dung)
    client.post(url("edit", tree.A1, membership.code), edit_data(fresh(membership), address="Thôn Đông"))
    html = page(client.get(url("detail", tree.A, membership.code)))
    assert "Nguyễn Văn Hùng" in html and "Vào hội" in html and "Lịch sử thay đổi" in html
    assert "Thôn Đông" in html and "Khôi phục" in html
    assert CCCD in html


def test_member_page_masks_numbers_for_a_viewer(tree, binh, client_for):
    membership = admit(tree.A1, phone="0912345678", id_number=CCCD)
    html = page(client_for(binh).get(url("detail", tree.A, membership.code)))
    assert CCCD not in html and "0010******45" in html
    assert url("edit", tree.A, membership.code) not in html


def test_sibling_admin_gets_404_on_a_members_pages(tree, an, client_for):
    membership = admit(tree.A1)
    client = client_for(an)
    for name in ("detail", "edit", "transfer", "leave", "death", "rejoin", "honorary", "consent_add"):
        assert client.get(url(name, tree.A, membership.code)).status_code == 404
        # A's member code under B's own URL: not found either.
        assert client.get(url(name, tree.B, membership.code)).status_code == 404
    assert client.get(url("list", tree.A)).status_code == 404
    assert (
        client.get(url("merge", tree.B) + f"?giu={membership.code}&bo={membership.code}").status_code == 404
    )


def test_viewer_gets_403_on_change_pages(tree, binh, client_for):
    membership = admit(tree.A1)
    client = client_for(binh)
    for name in ("edit", "transfer", "leave", "death", "rejoin", "honorary", "consent_add"):
        assert client.get(url(name, tree.A, membership.code)).status_code == 403
        assert client.post(url(name, tree.A, membership.code), {"on": "01/01/2024"}).status_code == 403
    assert client.get(url("create", tree.A)).status_code == 403
    assert client.get(url("duplicates", tree.A)).status_code == 403
    assert fresh(membership).version == 1


# ---------- Add and edit ----------


def add_data(unit, **overrides):
    data = {"full_name": "Phạm Thị Hoa", "birth": "12/03/1945", "gender": "female", "phone": "0912 345 678",
            "unit": unit.code, "joined": "2015"}  # fmt: skip
    return {**data, **overrides}


def test_add_a_member_with_a_partial_birth_date(tree, dung, client_for):
    response = client_for(dung).post(url("create", tree.A), add_data(tree.A1, birth="3/1950"))
    assert response.status_code == 302
    with scopes_disabled():
        membership = Membership.unscoped.select_related("person").get()
    assert membership.org_unit == tree.A1 and membership.joined_precision == "year"
    assert membership.person.birth_precision == "month" and membership.person.phone == "+84912345678"


def test_add_with_warnings_needs_the_confirmation(tree, dung, client_for):
    client = client_for(dung)
    wrong_gender_cccd = "001050012345"  # 0 = a man of the 20th century; the form says a woman
    data = add_data(tree.A, id_number=wrong_gender_cccd, birth="1950")
    html = page(client.post(url("create", tree.A), data))
    assert "Tôi đã kiểm tra, vẫn lưu" in html and "Phạm Thị Hoa" in html
    with scopes_disabled():
        assert not Person.unscoped.exists()
    response = client.post(url("create", tree.A), {**data, "confirm": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Person.unscoped.get().id_number == wrong_gender_cccd


def test_age_below_the_rule_needs_a_reason_then_the_confirmation(tree, dung, client_for):
    client = client_for(dung)
    data = add_data(tree.A, birth="1968", joined="01/05/2025")
    html = page(client.post(url("create", tree.A), data))
    assert "Lý do kết nạp theo ngoại lệ" in html and "Hãy ghi lý do" in html
    html = page(client.post(url("create", tree.A), {**data, "exception_reason": "Được giao công tác Hội"}))
    assert "Tôi đã kiểm tra, vẫn lưu" in html
    response = client.post(
        url("create", tree.A), {**data, "exception_reason": "Được giao công tác Hội", "confirm": "on"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        event = MembershipEvent.unscoped.get()
    assert event.reason == "Được giao công tác Hội"


def test_add_refuses_bad_input_with_messages_and_never_a_500(tree, dung, client_for):
    client = client_for(dung)
    for overrides in ({"birth": "31/02/1950"}, {"birth": "50"}, {"joined": ""}, {"full_name": ""},
                      {"phone": "12"}, {"id_number": "abc"}, {"unit": tree.B1.code}, {"gender": "x"},
                      {"card_issued_on": "hôm qua"}, {"full_name": "<script>alert(1)</script>"}):  # fmt: skip
        response = client.post(url("create", tree.A), {**add_data(tree.A1), **overrides})
        assert response.status_code == 200, overrides
        assert "<script>alert" not in response.content.decode()
    with scopes_disabled():
        assert not Membership.unscoped.exists()


def edit_data(membership, **overrides):
    person = membership.person
    data = {"full_name": person.full_name, "birth": str(person.birth_year or ""), "gender": person.gender,
            "joined": membership.joined_on.strftime("%d/%m/%Y"), "version": membership.version,
            "id_number": person.id_number, "phone": person.phone, "confirm": "on"}  # fmt: skip
    return {**data, **overrides}


def test_edit_saves_and_a_stale_version_shows_the_conflict_keeping_the_input(tree, dung, client_for):
    membership = admit(tree.A1)
    client = client_for(dung)
    stale = edit_data(membership, address="Thôn Tây")
    assert (
        client.post(
            url("edit", tree.A, membership.code), edit_data(membership, address="Thôn Đông")
        ).status_code
        == 302
    )
    html = page(client.post(url("edit", tree.A, membership.code), stale))
    assert "vừa được người khác sửa" in html and 'value="Thôn Tây"' in html
    assert fresh(membership).person.address == "Thôn Đông"


def test_sensitive_fields_appear_only_with_a_consent(tree, dung, client_for):
    membership = admit(tree.A1)
    client = client_for(dung)
    assert "Tôn giáo" not in page(client.get(url("edit", tree.A, membership.code)))
    with unit_scope(tree.A):
        consent_record(membership=membership, purposes="Y tế", method="signature", given_on=date(2025, 1, 1),
                       actor=None)  # fmt: skip
    assert "Tôn giáo" in page(client.get(url("edit", tree.A, membership.code)))
    response = client.post(
        url("edit", tree.A, membership.code), edit_data(fresh(membership), religion="Phật giáo")
    )
    assert response.status_code == 302
    assert fresh(membership).person.religion == "Phật giáo"


# ---------- Actions ----------


def test_transfer_to_a_unit_of_the_subtree(tree, dung, client_for):
    membership = admit(tree.A)
    client = client_for(dung)
    html = page(client.get(url("transfer", tree.A, membership.code)))
    assert tree.A1.name in html and tree.B1.name not in html
    response = client.post(url("transfer", tree.A, membership.code),
                           {"to_unit": tree.A1.code, "on": "01/02/2024", "version": 1})  # fmt: skip
    assert response.status_code == 302
    assert fresh(membership).org_unit_id == tree.A1.pk
    refused = client.post(url("transfer", tree.A, membership.code),
                          {"to_unit": tree.B1.code, "on": "01/02/2024", "version": 2})  # fmt: skip
    assert refused.status_code == 200 and fresh(membership).org_unit_id == tree.A1.pk


def test_leave_needs_a_reason_and_a_valid_date(tree, dung, client_for):
    membership = admit(tree.A1)
    client = client_for(dung)
    assert page(client.get(url("leave", tree.A, membership.code)))
    assert (
        client.post(
            url("leave", tree.A, membership.code), {"version": fresh(membership).version, "on": "01/02/2024"}
        ).status_code
        == 200
    )
    assert (
        client.post(
            url("leave", tree.A, membership.code),
            {"version": fresh(membership).version, "on": "32/13/2024", "reason": "x"},
        ).status_code
        == 200
    )
    assert fresh(membership).status == MembershipStatus.ACTIVE
    response = client.post(
        url("leave", tree.A, membership.code),
        {"version": fresh(membership).version, "on": "01/02/2024", "reason": "Ốm yếu"},
    )
    assert response.status_code == 302 and fresh(membership).status == MembershipStatus.LEFT


def test_death_then_rejoin_is_refused_and_leave_then_rejoin_works(tree, dung, client_for):
    client = client_for(dung)
    gone = admit(tree.A1)
    assert (
        client.post(
            url("death", tree.A, gone.code), {"version": fresh(gone).version, "on": "01/02/2024"}
        ).status_code
        == 302
    )
    assert fresh(gone).status == MembershipStatus.DECEASED
    assert (
        client.post(
            url("rejoin", tree.A, gone.code), {"version": fresh(gone).version, "on": "01/03/2024"}
        ).status_code
        == 200
    )
    back = admit(tree.A1, name="Lê Thị Lan")
    client.post(
        url("leave", tree.A, back.code),
        {"version": fresh(back).version, "on": "01/02/2024", "reason": "Đi xa"},
    )
    response = client.post(
        url("rejoin", tree.A, back.code),
        {"version": fresh(back).version, "on": "01/03/2024", "unit": tree.A.code},
    )
    assert response.status_code == 302
    assert fresh(back).status == MembershipStatus.ACTIVE and fresh(back).org_unit_id == tree.A.pk


def test_honorary(tree, dung, client_for):
    membership = admit(tree.A1)
    response = client_for(dung).post(
        url("honorary", tree.A, membership.code), {"version": fresh(membership).version, "on": "01/02/2024"}
    )
    assert response.status_code == 302 and fresh(membership).is_honorary
    with scopes_disabled():
        assert MembershipEvent.unscoped.filter(kind=EventKind.HONORARY).count() == 1


def test_an_action_with_a_stale_version_is_refused(tree, dung, client_for):
    membership = admit(tree.A1)
    response = client_for(dung).post(
        url("honorary", tree.A, membership.code), {"on": "01/02/2024", "version": 99}
    )
    assert response.status_code == 200 and "vừa được người khác sửa" in response.content.decode()
    assert not fresh(membership).is_honorary


# ---------- Consent and restore ----------


def test_consent_add_and_withdraw_clear_the_sensitive_fields(tree, dung, client_for):
    membership = admit(tree.A1)
    client = client_for(dung)
    response = client.post(url("consent_add", tree.A, membership.code),
                           {"purposes": "Chăm sóc sức khỏe", "method": "thumbprint", "given_on": "02/01/2025"})  # fmt: skip
    assert response.status_code == 302
    client.post(url("edit", tree.A, membership.code), edit_data(fresh(membership), health_note="Tiểu đường"))
    assert fresh(membership).person.health_note == "Tiểu đường"
    with scopes_disabled():
        consent = Consent.unscoped.get()
    response = client.post(url("consent_withdraw", tree.A, membership.code, consent.pk), {"on": "03/01/2025"})
    assert response.status_code == 302
    assert fresh(membership).person.health_note == ""


def test_restore_a_version_from_the_member_page(tree, dung, client_for):
    membership = admit(tree.A1)
    client = client_for(dung)
    client.post(url("edit", tree.A, membership.code), edit_data(membership, full_name="Nguyễn Văn Hưng"))
    first = fresh(membership).person.history.earliest("history_date")
    restore_url = url("restore", tree.A, membership.code, first.history_id)
    assert "Nguyễn Văn Hưng" in page(client.get(restore_url))
    response = client.post(restore_url, {"version": fresh(membership).version})
    assert response.status_code == 302
    assert fresh(membership).person.full_name == "Nguyễn Văn Hùng"
    other = admit(tree.A1, name="Lê Thị Lan")
    foreign = fresh(other).person.history.first()
    assert client.get(url("restore", tree.A, membership.code, foreign.history_id)).status_code == 404


# ---------- Duplicates ----------


def test_duplicates_are_listed_and_merged_after_confirmation(tree, dung, client_for):
    keep = admit(tree.A1, id_number=CCCD, gender="male")
    drop = admit(tree.A, phone="0912345678", confirmed_warnings=True)
    with scopes_disabled():  # entered twice before the register refused a known CCCD (an old import)
        Person.unscoped.filter(pk=drop.person_id).update(id_number=CCCD, id_type="cccd")
    client = client_for(dung)
    html = page(client.get(url("duplicates", tree.A)))
    assert "Trùng số CCCD" in html and f"giu={keep.code}&amp;bo={drop.code}" in html
    merge_url = url("merge", tree.A) + f"?giu={keep.code}&bo={drop.code}"
    assert "Gộp hai hồ sơ" in page(client.get(merge_url))
    assert client.post(merge_url, {}).status_code == 200  # no confirmation: nothing merged
    with scopes_disabled():
        assert Membership.unscoped.count() == 2
    response = client.post(merge_url, {"confirm": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Membership.unscoped.count() == 1
        assert Person.unscoped.get(pk=drop.person_id).merged_into_id == keep.person_id
    assert fresh(keep).person.phone == "+84912345678"


def test_merge_with_unknown_or_same_codes_is_404_or_refused(tree, dung, client_for):
    keep = admit(tree.A1)
    client = client_for(dung)
    assert client.get(url("merge", tree.A) + "?giu=khong-co&bo=" + keep.code).status_code == 404
    assert client.get(url("merge", tree.A)).status_code == 302  # back to the duplicates
    same = client.post(url("merge", tree.A) + f"?giu={keep.code}&bo={keep.code}", {"confirm": "on"})
    assert same.status_code == 200 and "chính họ" in same.content.decode()


def test_membership_of_another_association_is_kept_out_of_the_transfer_choices(tree, dung, client_for):
    assert Association.objects.filter(code="khuyen-hoc").exists()
    membership = admit(tree.A)
    html = page(client_for(dung).get(url("transfer", tree.A, membership.code)))
    assert "Hội Khuyến học" not in html


def test_a_big_count_is_shown_capped(tree, binh, client_for, monkeypatch):
    from sohoi.members import selectors

    admit(tree.A)
    monkeypatch.setattr(selectors, "member_count", lambda **kwargs: (10000, False))
    assert "Hơn 10.000 hội viên" in page(client_for(binh).get(url("list", tree.A)))


def test_an_action_without_the_version_it_was_opened_at_is_refused(tree, dung, client_for):
    """A hand-made or truncated POST must not skip the conflict check (it would overwrite)."""
    membership = admit(tree.A1)
    response = client_for(dung).post(
        url("leave", tree.A, membership.code), {"on": "01/02/2024", "reason": "x"}
    )
    assert response.status_code == 200 and "Trang này đã cũ" in response.content.decode()
    assert fresh(membership).status == MembershipStatus.ACTIVE


def test_sensitive_values_in_the_change_history_are_hidden_from_viewers(tree, binh, dung, client_for):
    from sohoi.imports.values import PartialDate
    from sohoi.members.person_data import PersonInput
    from sohoi.members.services import MembershipInput as MI
    from sohoi.members.services import consent_record, member_update

    membership = admit(tree.A1)
    with unit_scope(tree.A1):
        consent_record(membership=membership, purposes="Chăm sóc sức khỏe", method="signature",
                       given_on=date(2024, 1, 1), actor=None)  # fmt: skip
        member_update(membership=membership, membership_data=MI(joined=PartialDate(2015, 3, 1)),
                      person_data=PersonInput(full_name="Nguyễn Văn Hùng", birth=PartialDate(1950),
                                              health_note="Tiểu đường"),
                      expected_version=None, actor=None)  # fmt: skip
    assert "Tiểu đường" in page(client_for(dung).get(url("detail", tree.A, membership.code)))
    viewer_page = page(client_for(binh).get(url("detail", tree.A, membership.code)))
    assert "Tiểu đường" not in viewer_page and "đã ghi, không hiển thị" in viewer_page
