"""The documents of a unit's year-end report: the summary report as Word (.docx) or PDF and the
statistical tables as Excel, and, where the unit's area has several associations the user may
see, their joint report.

Each document is made in the background (a FileJob of kind report): the page starts it with a
POST and waits on the job's page, which polls with htmx and survives a reload. The figures are
aggregates (reports.view), but a prepared file is only for the user who asked for it.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sohoi.core.errors import DomainError
from sohoi.core.http import UnitRequest, requires
from sohoi.members.models import JobStatus
from sohoi.reports import selectors as report_selectors
from sohoi.reports.documents import CONTENT_TYPES, Format
from sohoi.reports.documents import jobs as report_jobs
from sohoi.reports.services import check_year

PERMISSION = report_jobs.REPORT_PERMISSION


def _year(request: UnitRequest, text: str) -> int | HttpResponse:
    """The year of the URL, or the page that says why it is not one (404: no such report)."""
    try:
        year = check_year(text)
    except DomainError as error:
        message = error.message
    else:
        if year <= timezone.localdate().year:
            return year
        message = _("Năm %(year)s chưa đến: chưa có số liệu để làm báo cáo.") % {"year": year}
    context = {"unit": request.unit, "message": message, "year_text": text[:20]}
    return render(request, "report_files/bad_year.html", context, status=404)


@requires(PERMISSION)
@require_http_methods(["GET", "POST"])
def documents(request: UnitRequest, unit_code: str, year: str) -> HttpResponse:
    """The documents of the year; a POST (format, and joint=1 for the area's joint report)
    starts one and goes to its job's page."""
    checked = _year(request, year)
    if isinstance(checked, HttpResponse):
        return checked
    unit = request.unit
    joint = report_jobs.joint_units(unit=unit, year=checked, user=request.user)
    context: dict[str, Any] = {
        "unit": unit, "year": checked, "as_of": report_selectors.report_day(unit=unit, year=checked),
        "joint_units": joint,
        "jobs": report_jobs.report_jobs_recent(unit=unit, actor=request.user),
    }  # fmt: skip
    if request.method == "POST":
        try:
            fmt_ = Format(request.POST.get("format", ""))
        except ValueError:
            context["error"] = _("Hãy chọn một loại tệp: Word, PDF hoặc Excel.")
            return render(request, "report_files/documents.html", context, status=400)
        wants_joint = request.POST.get("joint") == "1"
        if wants_joint and not joint:
            context["error"] = _("Đơn vị này không có báo cáo chung với các hội khác trên địa bàn.")
            return render(request, "report_files/documents.html", context, status=400)
        job = report_jobs.report_job_start(
            unit=unit, actor=request.user, year=checked, fmt_=fmt_, joint=joint if wants_joint else None
        )
        return redirect("report_files:job", unit_code=unit.code, job_code=job.code)
    return render(request, "report_files/documents.html", context)


def _job_or_404(job_code: str, user: Any) -> Any:
    """A report job of this unit started by this user (nobody else's download link works)."""
    job = report_jobs.report_job_get(code=job_code)
    if job is None or job.actor_id != user.pk:
        raise Http404(_("Không tìm thấy tệp báo cáo này."))
    return job


@requires(PERMISSION)
@require_GET
def job(request: UnitRequest, unit_code: str, job_code: str) -> HttpResponse:
    """The job's progress; the htmx poll gets the status partial alone."""
    found = _job_or_404(job_code, request.user)
    context = {
        "unit": request.unit, "job": found, "format": found.params.get("format", ""),
        "year": found.params.get("year"), "is_joint": bool(found.params.get("units")),
        "is_finished": found.status in (JobStatus.DONE, JobStatus.FAILED),
        "percent": min(100, found.progress * 100 // found.total) if found.total else 0,
    }  # fmt: skip
    if request.htmx:
        return render(request, "report_files/_job_status.html", context)
    return render(request, "report_files/job.html", context)


@requires(PERMISSION)
@require_GET
def download(request: UnitRequest, unit_code: str, job_code: str) -> HttpResponse:
    found = _job_or_404(job_code, request.user)
    path = report_jobs.job_file(found)
    if path is None:
        if found.status == JobStatus.DONE:
            raise Http404(_("Tệp này không còn nữa: hãy tạo lại."))
        return redirect("report_files:job", unit_code=request.unit.code, job_code=found.code)
    report_jobs.report_job_downloaded(job=found, actor=request.user)
    content_type = CONTENT_TYPES.get(Format(found.params.get("format", "pdf")), "application/octet-stream")
    return FileResponse(path.open("rb"), as_attachment=True, filename=found.input_name or path.name,
                        content_type=content_type)  # fmt: skip
