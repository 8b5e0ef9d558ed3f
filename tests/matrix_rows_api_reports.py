"""Permission-matrix rows of the statistics and targets API (sohoi/api/v1/reports.py)."""

from __future__ import annotations

from tests.matrix_support import LOGIN, Row, Side, World, _api


def _child_code(w: World, s: Side) -> str:
    # A hand-down to the side's child; from a leaf the unit itself (refused with a 400, which still
    # proves the caller got in).
    return s.child.code if s.child is not None else s.unit.code


ROWS = [
    Row("api-v1:indicator_list", ("GET",), _api("/indicators"), LOGIN, api=True),
    Row(
        "api-v1:unit_stats",
        ("GET",),
        lambda w, s, who: _api("/u/{unit_code}/stats")(w, s, who) + "?year=2024",
        "reports.view",
        api=True,
    ),
    Row("api-v1:target_list", ("GET",), _api("/u/{unit_code}/targets/2024"), "reports.view", api=True),
    Row(
        "api-v1:target_put",
        ("PUT",),
        _api("/u/{unit_code}/targets/2024"),
        "reports.change",
        lambda w, s: {"values": {"new_members": "3"}},
        api=True,
    ),
    Row(
        "api-v1:target_hand_down",
        ("POST",),
        _api("/u/{unit_code}/targets/2024/hand-down"),
        "reports.change",
        lambda w, s: {"indicator": "new_members", "values": {_child_code(w, s): "2"}},
        api=True,
    ),
]
