"""Permission-matrix rows of the report pages (sohoi/web/urls_reports.py): a unit's report and the
forms of what it enters, and the associations of an area side by side (any signed-in user; each
sees only the units in their own scope there)."""

from __future__ import annotations

from .matrix_support import LOGIN, Row, UrlBuilder, _r, _u

YEAR = 2025


def _year(name: str, query: str = "") -> UrlBuilder:
    return lambda w, s, who: _r(name, s.unit.code, YEAR) + query


def _area(name: str, *year: int) -> UrlBuilder:
    return lambda w, s, who: _r(name, s.area.scheme, s.area.code, *year)


ROWS = [
    Row("reports:index", ("GET",), _u("reports:index"), "reports.view"),
    Row("reports:year", ("GET",), _year("reports:year"), "reports.view"),
    Row("reports:narrative", ("GET", "POST"), _year("reports:narrative"), "reports.change",
        lambda w, s: {"version": "0", "number": "15/BC-NCT", "achievements": "Kết nạp 12 hội viên mới."}),
    Row("reports:targets", ("GET", "POST"), _year("reports:targets"), "reports.change",
        lambda w, s: {"members": "1.200", "gathering_rate": "90,5"}),
    Row("reports:hand_down", ("GET", "POST"), _year("reports:hand_down", "?chi-tieu=members"), "reports.change",
        lambda w, s: {f"don-vi-{s.child.code}": "300"} if s.child is not None else {}),
    Row("reports:population", ("GET", "POST"), _year("reports:population"), "reports.change",
        lambda w, s: {"aged_60_plus": "2.000", "total": "12.000"}),
    Row("reports:letterhead", ("GET", "POST"), _u("reports:letterhead"), "reports.change",
        lambda w, s: {"issuer": "BCH HỘI NCT MA TRẬN", "issuer_abbreviation": "NCT"}),
    Row("reports:area_index", ("GET",), _area("reports:area_index"), LOGIN),
    Row("reports:area", ("GET",), _area("reports:area", YEAR), LOGIN),
]  # fmt: skip
