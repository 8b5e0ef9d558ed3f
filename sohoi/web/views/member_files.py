"""Files made from the register: the member list as Excel, the member cards as PDF, and the
public page a card's QR code opens.

Exporting or printing is a POST (a GET only shows what the filter gives and the button): each
one writes an audit event, and a link preview or a prefetching browser must not do that.
The filters come from the query string, the same as the member list's.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sohoi.core.http import UnitRequest, requires
from sohoi.members import cards as member_cards
from sohoi.members import exporting
from sohoi.members.models import JobStatus
from sohoi.members.selectors import MemberFilters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VIEW_IDS = "members.view_ids"


def _filter_context(request: UnitRequest, filters: MemberFilters) -> dict[str, Any]:
    query = request.GET.urlencode()
    return {"unit": request.unit, "filters": filters, "query": f"?{query}" if query else ""}


@requires(exporting.EXPORT_PERMISSION)
@require_http_methods(["GET", "POST"])
def export(request: UnitRequest, unit_code: str) -> HttpResponse:
    """Up to DIRECT_EXPORT_LIMIT members the file comes back at once; above, a job builds it."""
    unit = request.unit
    filters = exporting.filters_from_querydict(request.GET)
    count, is_exact = exporting.members_to_export(unit=unit, filters=filters)
    context = {**_filter_context(request, filters), "count": count, "is_exact": is_exact,
               "limit": exporting.DIRECT_EXPORT_LIMIT, "full_ids": VIEW_IDS in request.perms}  # fmt: skip
    if request.method == "POST":
        if count == 0:
            context["error"] = _("Không có hội viên nào khớp bộ lọc này: không có gì để xuất.")
            return render(request, "member_files/export.html", context)
        if is_exact:
            # A small list (under DIRECT_EXPORT_LIMIT rows, a few hundred KB) is sent whole.
            with tempfile.TemporaryFile() as handle:
                exporting.export_to_file(
                    unit=unit, filters=filters, path=handle, actor=request.user, full_ids=context["full_ids"]
                )
                handle.seek(0)
                response = HttpResponse(handle.read(), content_type=XLSX)
            response["Content-Disposition"] = content_disposition_header(
                as_attachment=True, filename=exporting.export_filename(unit)
            )
            return response
        job = exporting.export_job_start(
            unit=unit, actor=request.user, filters=filters, total=count, full_ids=context["full_ids"]
        )
        return redirect("member_files:export_job", unit_code=unit.code, job_code=job.code)
    return render(request, "member_files/export.html", context)


def _job_or_404(job_code: str, user: Any) -> Any:
    """An export job of this unit, started by this user: the file was made with the starter's
    rights (whole ID numbers or masked), so nobody else may fetch it."""
    job = exporting.export_job_get(code=job_code)
    if job is None or job.actor_id != user.pk:
        raise Http404(_("Không tìm thấy việc xuất danh sách này."))
    return job


@requires(exporting.EXPORT_PERMISSION)
@require_GET
def export_job(request: UnitRequest, unit_code: str, job_code: str) -> HttpResponse:
    """The job's progress; the htmx poll gets the status partial alone."""
    job = _job_or_404(job_code, request.user)
    context = {"unit": request.unit, "job": job, "is_finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
               "percent": min(100, job.progress * 100 // job.total) if job.total else 0}  # fmt: skip
    if request.htmx:
        return render(request, "member_files/_export_job_status.html", context)
    return render(request, "member_files/export_job.html", context)


@requires(exporting.EXPORT_PERMISSION)
@require_GET
def export_download(request: UnitRequest, unit_code: str, job_code: str) -> HttpResponse:
    job = _job_or_404(job_code, request.user)
    path = exporting.job_file(job)
    if path is None:
        if job.status == JobStatus.DONE:
            raise Http404(_("Tệp này không còn nữa: hãy xuất lại."))
        return redirect("member_files:export_job", unit_code=request.unit.code, job_code=job.code)
    exporting.export_job_downloaded(job=job, actor=request.user)
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.input_name or path.name,
                        content_type=XLSX)  # fmt: skip


# Printing cards is a branch head's task, not a viewer's: it needs members.change.
@requires("members.change")
@require_http_methods(["GET", "POST"])
def cards(request: UnitRequest, unit_code: str) -> HttpResponse:
    unit = request.unit
    filters = exporting.filters_from_querydict(request.GET)
    count, is_exact = member_cards.card_count(unit=unit, filters=filters)
    context = {**_filter_context(request, filters), "count": count, "is_exact": is_exact,
               "limit": member_cards.CARDS_LIMIT}  # fmt: skip
    if request.method == "POST":
        if count == 0:
            context["error"] = _("Không có hội viên nào khớp bộ lọc này: không có thẻ nào để in.")
        elif not is_exact:
            context["error"] = _(
                "Mỗi lần in được tối đa %(limit)s thẻ. Hãy thu hẹp bộ lọc (theo thôn, năm sinh, năm vào hội…)."
            ) % {"limit": member_cards.CARDS_LIMIT}
        else:
            base_url = request.build_absolute_uri("/")
            pdf = member_cards.member_cards_pdf(unit=unit, filters=filters, base_url=base_url)
            member_cards.cards_recorded(unit=unit, actor=request.user, count=count, filters=filters)
            response = HttpResponse(pdf, content_type="application/pdf")
            name = exporting.export_filename(unit).replace("danh-sach-hoi-vien", "the-hoi-vien")
            response["Content-Disposition"] = content_disposition_header(
                as_attachment=True, filename=name.removesuffix(".xlsx") + ".pdf"
            )
            return response
    return render(request, "member_files/cards.html", context)


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: what a card's QR code opens. Shows only name, unit, association and status."""
    card = member_cards.card_verification(code)
    if card is None:
        raise Http404(_("Không tìm thấy thẻ hội viên này."))
    response = render(request, "member_files/verify.html", {"card": card})
    response["X-Robots-Tag"] = "noindex"
    return response
