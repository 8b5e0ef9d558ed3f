"""Matrix rows of the year-end report's documents: the page of formats, a document's job and its
download (sohoi/web/urls_report_files.py). Aggregate figures only: reports.view."""

from __future__ import annotations

from typing import Any

from django_scopes import scopes_disabled

from tests.matrix_support import Row, Side, UrlBuilder, _r

YEAR = "2025"


def _report_job(side: Side, who: Any) -> Any:
    """A report job of the side's unit started by the caller (a prepared file is only for the
    user who asked for it), still running; looked up each time, as a request's rollback may
    remove it."""
    from sohoi.members.models import FileJob, JobKind

    actor = who if who is not None and who.is_authenticated else None
    with scopes_disabled():
        job = FileJob.unscoped.filter(
            org_unit=side.unit, kind=JobKind.REPORT, input_name="ma-tran.docx", actor=actor
        ).first()
        return job or FileJob.unscoped.create(
            kind=JobKind.REPORT, org_unit=side.unit, input_name="ma-tran.docx", total=100, progress=10,
            actor=actor, params={"year": 2025, "format": "docx", "units": []},
        )  # fmt: skip


def _job_route(name: str) -> UrlBuilder:
    return lambda w, s, who: _r(name, s.unit.code, _report_job(s, who).code)


ROWS = [
    Row("report_files:documents", ("GET", "POST"), lambda w, s, who: _r("report_files:documents", s.unit.code, YEAR),
        "reports.view", lambda w, s: {"format": "docx"}),
    Row("report_files:job", ("GET",), _job_route("report_files:job"), "reports.view"),
    Row("report_files:download", ("GET",), _job_route("report_files:download"), "reports.view"),
]  # fmt: skip
