"""Matrix rows of the member files: Excel export and its background job, member cards, and the
public card check (sohoi/web/urls_member_files.py)."""

from __future__ import annotations

from typing import Any

from django_scopes import scopes_disabled

from tests.matrix_support import PUBLIC, Row, Side, UrlBuilder, World, _r, _u


def _export_job(side: Side, who: Any) -> Any:
    """An export job of the side's unit started by the caller (a prepared file is only for the
    user who asked for it), still running (made on first use; a request's rollback may remove
    it, so it is looked up each time)."""
    from sohoi.members.models import FileJob, JobKind

    actor = who if who is not None and who.is_authenticated else None
    with scopes_disabled():
        job = FileJob.unscoped.filter(
            org_unit=side.unit, kind=JobKind.EXPORT, input_name="ma-tran.xlsx", actor=actor
        ).first()
        return job or FileJob.unscoped.create(
            kind=JobKind.EXPORT, org_unit=side.unit, input_name="ma-tran.xlsx", total=3000, progress=600,
            actor=actor,
        )  # fmt: skip


def _job_route(name: str) -> UrlBuilder:
    return lambda w, s, who: _r(name, s.unit.code, _export_job(s, who).code)


def _verify_url(w: World, s: Side, who: Any) -> str:
    return _r("member_files:verify", s.member.code)


ROWS = [
    Row("member_files:export", ("GET", "POST"), _u("member_files:export"), "members.export", lambda w, s: {}),
    Row("member_files:export_job", ("GET",), _job_route("member_files:export_job"), "members.export"),
    Row(
        "member_files:export_download", ("GET",), _job_route("member_files:export_download"), "members.export"
    ),
    Row("member_files:cards", ("GET", "POST"), _u("member_files:cards"), "members.change", lambda w, s: {}),
    Row("member_files:verify", ("GET",), _verify_url, PUBLIC),
]
