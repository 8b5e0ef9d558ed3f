"""Pages of the member-list import: upload → check in the background (a progress bar that
survives a reload) → preview (units, columns, counts, every error and warning) → write.

All under /u/<unit_code>/nhap-hoi-vien/, for editors (members.change). A job is read through
the scoped manager and must belong to the page's unit: anyone else gets the same 404 as for a
job that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoi.core.errors import DomainError
from sohoi.core.http import UnitRequest, requires
from sohoi.members.importing import ImportReport
from sohoi.members.models import FileJob, JobKind, JobStatus
from sohoi.members.tasks_import import (
    import_job_confirm,
    import_job_recheck,
    import_job_start,
    import_max_bytes,
)
from sohoi.orgunits.models import OrgUnit
from sohoi.web.forms.base import add_domain_error
from sohoi.web.forms.imports import ImportChoicesForm, ImportUploadForm

SHOWN_ISSUES = 500
RECENT_JOBS = 10
UNIT_CHOICES = 500
POLL_SECONDS = 1


def _job(request: UnitRequest, job_code: str) -> FileJob:
    job = FileJob.objects.filter(kind=JobKind.IMPORT, code=job_code, org_unit=request.unit).first()
    if job is None:
        raise Http404(_("Không tìm thấy việc nhập này, hoặc bạn không có quyền truy cập."))
    return job


def _units(request: UnitRequest) -> list[OrgUnit]:
    """The units a sheet may go to: the page's unit and the open units below it."""
    unit = request.unit
    return list(
        OrgUnit.objects.filter(
            path__within=unit.path, closed_on__isnull=True, association=unit.association_id
        )
        .order_by("path")
        .only("code", "name", "path")[:UNIT_CHOICES]
    )


def _member_list_url(unit: OrgUnit) -> str:
    try:
        return reverse("members:list", args=[unit.code])
    except NoReverseMatch:
        return f"/u/{unit.code}/hoi-vien/"


@requires("members.change")
def upload(request: UnitRequest, unit_code: str = "") -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_start(unit=request.unit, actor=request.user, upload=form.cleaned_data["file"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("imports:job", request.unit.code, job.code)
    jobs = FileJob.objects.filter(kind=JobKind.IMPORT, org_unit=request.unit)[:RECENT_JOBS]
    context = {
        "unit": request.unit,
        "form": form,
        "jobs": jobs,
        "max_mb": import_max_bytes() // (1024 * 1024),
    }
    return render(request, "imports/upload.html", context)


def _job_context(request: UnitRequest, job: FileJob, form: ImportChoicesForm | None = None) -> dict[str, Any]:
    report = ImportReport.from_json(job.result) if job.result else None
    context: dict[str, Any] = {
        "unit": request.unit,
        "job": job,
        "report": report,
        "working": job.status in (JobStatus.PENDING, JobStatus.RUNNING),
        "poll_seconds": POLL_SECONDS,
        "shown": SHOWN_ISSUES,
        "member_list_url": _member_list_url(request.unit),
    }
    if report is not None:
        context["errors"] = report.errors[:SHOWN_ISSUES]
        context["duplicates"] = report.duplicates[:SHOWN_ISSUES]
        context["warnings"] = report.warnings[:SHOWN_ISSUES]
        if job.status == JobStatus.READY:
            context["choices"] = form or ImportChoicesForm(sheets=report.sheets, units=_units(request))
            context["can_commit"] = report.ok and (report.created or report.updated)
    return context


@requires("members.change")
def job(request: UnitRequest, unit_code: str = "", job_code: str = "") -> HttpResponse:
    found = _job(request, job_code)
    return render(request, "imports/job.html", _job_context(request, found))


@requires("members.change")
def progress(request: UnitRequest, unit_code: str = "", job_code: str = "") -> HttpResponse:
    """The polled part of the job page; when the job leaves the queue, the page reloads whole."""
    found = _job(request, job_code)
    response = render(request, "imports/_progress.html", _job_context(request, found))
    if found.status not in (JobStatus.PENDING, JobStatus.RUNNING):
        response["HX-Refresh"] = "true"
    return response


@require_POST
@requires("members.change")
def recheck(request: UnitRequest, unit_code: str = "", job_code: str = "") -> HttpResponse:
    found = _job(request, job_code)
    report = ImportReport.from_json(found.result) if found.result else None
    if report is None or found.status != JobStatus.READY:
        messages.warning(request, _("Việc nhập này không còn ở bước xem trước."))
        return redirect("imports:job", request.unit.code, found.code)
    form = ImportChoicesForm(request.POST, sheets=report.sheets, units=_units(request))
    if form.is_valid():
        try:
            import_job_recheck(found, sheet_units=form.sheet_units(), columns=form.columns())
        except DomainError as error:
            messages.warning(request, error.message)
        return redirect("imports:job", request.unit.code, found.code)
    return render(request, "imports/job.html", _job_context(request, found, form))


@require_POST
@requires("members.change")
def confirm(request: UnitRequest, unit_code: str = "", job_code: str = "") -> HttpResponse:
    found = _job(request, job_code)
    try:
        import_job_confirm(found)
    except DomainError as error:
        messages.warning(request, error.message)
    return redirect("imports:job", request.unit.code, found.code)
