"""Permission-matrix rows of the member register API (sohoi/api/v1/members.py)."""

from __future__ import annotations

from datetime import date

from tests.matrix_support import Row, Side, World, _api

ON = "01/02/2024"


def _member(suffix: str = "") -> object:
    """A member route of the side's own member (Phạm Văn Mađê at A …)."""
    return lambda w, s, who: _api("/u/{unit_code}/members/")(w, s, who) + s.member.code + suffix


def _left_member(suffix: str) -> object:
    """A member route of the side's member once they have left (only they can re-join).

    The state is set on the row, with no event and no audit entry: the URL is built inside the
    request's undone savepoint, and a refused request must leave the audit log as it was."""
    url = _member(suffix)

    def build(w: World, s: Side, who: object) -> str:
        from sohoi.members.models import Membership, MembershipStatus

        Membership.unscoped.filter(pk=s.member.pk).update(
            status=MembershipStatus.LEFT, ended_on=date(2023, 1, 1)
        )
        return url(w, s, who)

    return build


def _target(w: World, s: Side) -> str:
    # A transfer inside the side's tree: down to its child, or, from a leaf, nowhere valid (a 400
    # still proves the caller got in).
    return s.child.code if s.child is not None else s.unit.code


ROWS = [
    Row("api-v1:member_list", ("GET",), _api("/u/{unit_code}/members"), "members.view", api=True),
    Row("api-v1:member_create", ("POST",), _api("/u/{unit_code}/members"), "members.change",
        lambda w, s: {"full_name": "Nguyễn Thị Ma Trận", "birth": "1950", "joined": ON}, api=True),
    Row("api-v1:member_detail", ("GET",), _member(), "members.view", api=True),
    Row("api-v1:member_update", ("PATCH",), _member(), "members.change",
        lambda w, s: {"version": 1, "address": "Số 1 đường Ma Trận"}, api=True),
    Row("api-v1:member_transfer", ("POST",), _member("/transfer"), "members.change",
        lambda w, s: {"to_unit_code": _target(w, s), "on": ON}, api=True),
    Row("api-v1:member_leave", ("POST",), _member("/leave"), "members.change",
        lambda w, s: {"on": ON, "reason": "Chuyển đi nơi khác"}, api=True),
    Row("api-v1:member_death", ("POST",), _member("/death"), "members.change", lambda w, s: {"on": ON}, api=True),
    Row("api-v1:member_rejoin", ("POST",), _left_member("/rejoin"), "members.change", lambda w, s: {"on": ON}, api=True),
    Row("api-v1:member_honorary", ("POST",), _member("/honorary"), "members.change",
        lambda w, s: {"on": ON}, api=True),
]  # fmt: skip
