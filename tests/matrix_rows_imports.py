"""Matrix rows of the member-list import pages (sohoi/web/urls_imports.py)."""

from __future__ import annotations

from typing import Any

from django_scopes import scopes_disabled

from tests.matrix_support import Row, Side, UrlBuilder, _r, _u

JOB_NAME = "ma-tran.xlsx"


def _import_job(side: Side) -> Any:
    """An import job of the side's unit at its preview, with one error (so "Ghi vào sổ" is
    refused without running anything). Made on first use; a request's rollback may remove it."""
    from sohoi.members.importing import ImportReport
    from sohoi.members.models import FileJob, JobKind, JobStatus

    with scopes_disabled():
        job = FileJob.unscoped.filter(org_unit=side.unit, kind=JobKind.IMPORT, input_name=JOB_NAME).first()
        if job is not None:
            return job
        report = ImportReport(rows=1, error_count=1)
        report.errors.append({"sheet": "Danh sách", "row": 5, "column": "C", "message": "Ngày sinh sai"})
        report.sheets.append(
            {"name": "Danh sách", "rows": 1, "error": None, "unit": side.unit.code, "unit_name": side.unit.name,
             "width": 1, "columns": [{"index": 0, "letter": "A", "heading": "Họ và tên", "field": "full_name"}]}
        )  # fmt: skip
        return FileJob.unscoped.create(
            kind=JobKind.IMPORT, org_unit=side.unit, input_name=JOB_NAME, status=JobStatus.READY,
            result=report.to_json(),
        )  # fmt: skip


def _job_route(name: str) -> UrlBuilder:
    return lambda w, s, who: _r(name, s.unit.code, _import_job(s).code)


ROWS = [
    Row("imports:upload", ("GET", "POST"), _u("imports:upload"), "members.change", lambda w, s: {}),
    Row("imports:job", ("GET",), _job_route("imports:job"), "members.change"),
    Row("imports:progress", ("GET",), _job_route("imports:progress"), "members.change"),
    Row("imports:recheck", ("POST",), _job_route("imports:recheck"), "members.change", lambda w, s: {}),
    Row("imports:confirm", ("POST",), _job_route("imports:confirm"), "members.change", lambda w, s: {}),
]
