"""Permission-matrix rows of the member register's pages (sohoi/web/urls_members.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django_scopes import scopes_disabled

from .matrix_support import MEMBER_NAMES, Row, _r, _u

ON = {"on": "01/02/2024"}


def _m(name: str):
    """A route of one member: the side's own member."""
    return lambda w, s, who: _r(name, s.unit.code, s.member.code)


def _history_id(s: Any) -> int:
    with scopes_disabled():
        return s.member.person.history.earliest("history_date").history_id


def _consent_id(s: Any) -> int:
    """A consent of the side's member (made on first use; a rolled-back request may drop it)."""
    from sohoi.members.models import Consent

    with scopes_disabled():
        consent = Consent.unscoped.filter(person_id=s.member.person_id).first()
        if consent is None:
            consent = Consent.unscoped.create(person_id=s.member.person_id, org_unit=s.unit, purposes="Y tế",
                                              method="signature", given_on=date(2024, 1, 1))  # fmt: skip
    return consent.pk


def _member_data(w: Any, s: Any) -> dict[str, Any]:
    return {"full_name": MEMBER_NAMES[s.name], "birth": "1950", "gender": "male", "joined": "01/01/2015",
            "version": "1", "confirm": "on"}  # fmt: skip


ROWS = [
    Row("members:list", ("GET",), _u("members:list"), "members.view"),
    Row("members:create", ("GET", "POST"), _u("members:create"), "members.change",
        lambda w, s: {"full_name": "Đặng Văn Matrận", "birth": "1950", "gender": "male", "unit": s.unit.code,
                      "joined": "2015"}),
    Row("members:duplicates", ("GET",), _u("members:duplicates"), "members.change"),
    Row("members:merge", ("GET", "POST"),
        # Only one code: the page sends back to the duplicates (a second "&" would be escaped in the
        # page's own address, which the sibling-leak check needs verbatim). Merging is tested in
        # sohoi/web/tests/test_members_pages.py.
        lambda w, s, who: _r("members:merge", s.unit.code) + f"?giu={s.member.code}",
        "members.change", lambda w, s: {"confirm": "on"}),
    Row("members:detail", ("GET",), _m("members:detail"), "members.view"),
    Row("members:edit", ("GET", "POST"), _m("members:edit"), "members.change", _member_data),
    Row("members:transfer", ("GET", "POST"), _m("members:transfer"), "members.change",
        lambda w, s: {"to_unit": s.child.code if s.child else "", "version": "1", **ON}),
    Row("members:leave", ("GET", "POST"), _m("members:leave"), "members.change",
        lambda w, s: {"reason": "Chuyển nơi ở", **ON}),
    Row("members:death", ("GET", "POST"), _m("members:death"), "members.change", lambda w, s: dict(ON)),
    Row("members:rejoin", ("GET", "POST"), _m("members:rejoin"), "members.change", lambda w, s: dict(ON)),
    Row("members:honorary", ("GET", "POST"), _m("members:honorary"), "members.change", lambda w, s: dict(ON)),
    Row("members:restore", ("GET", "POST"),
        lambda w, s, who: _r("members:restore", s.unit.code, s.member.code, _history_id(s)), "members.change",
        lambda w, s: {"version": "1"}),
    Row("members:consent_add", ("GET", "POST"), _m("members:consent_add"), "members.change",
        lambda w, s: {"purposes": "Chăm sóc sức khỏe", "method": "signature", **{"given_on": ON["on"]}}),
    Row("members:consent_withdraw", ("GET", "POST"),
        lambda w, s, who: _r("members:consent_withdraw", s.unit.code, s.member.code, _consent_id(s)),
        "members.change", lambda w, s: dict(ON)),
]  # fmt: skip
