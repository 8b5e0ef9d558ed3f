"""Making the documents in the background: a FileJob of kind ``report`` per document asked for.

The page starts a job and polls it; the task builds the file under MEDIA_ROOT/jobs/<code>/ (as
the member exports do) inside the scope of the unit(s) the report covers. A prepared file is
only for the user who asked for it, and each file made and each download is in the audit log:
the figures are aggregates, but a report is still a document of the unit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoi.core.audit import audit
from sohoi.core.text import vi_sort_key
from sohoi.members.exporting import job_directory, job_file
from sohoi.members.models import FileJob, JobKind, JobStatus
from sohoi.orgunits.models import OrgUnit

from . import Format, document_filename, write_document

if TYPE_CHECKING:
    from sohoi.accounts.models import User

REPORT_PERMISSION = "reports.view"
STEPS = 100  # progress is kept in percent

__all__ = ["job_file"]


def joint_units(*, unit: OrgUnit, year: int, user: User | None) -> list[OrgUnit]:
    """The associations of ``unit``'s area for a joint report: the top unit of each association
    there that existed in ``year`` and whose reports ``user`` may see (all of them for the
    operator's command, ``user=None``). Empty unless there are two or more and ``unit`` is one.

    Units are not personal data; each one's figures are read later inside a scope of these units
    only, so an association the user may not see never enters the report."""
    from sohoi.accounts.permissions import perms_for

    if unit.area_id is None:
        return []
    existed = (Q(opened_on__isnull=True) | Q(opened_on__lte=date(year, 12, 31))) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=date(year, 1, 1))
    )
    candidates = (
        OrgUnit.unscoped.filter(existed, area_id=unit.area_id)
        .select_related("association", "area")
        .order_by("depth", "path")
    )
    top: dict[int, OrgUnit] = {}
    for candidate in candidates:
        top.setdefault(candidate.association_id, candidate)
    units = [u for u in top.values() if user is None or REPORT_PERMISSION in perms_for(user, u)]
    if len(units) < 2 or unit.pk not in {u.pk for u in units}:
        return []
    return sorted(units, key=lambda u: vi_sort_key(u.association.name))


def report_job_start(
    *, unit: OrgUnit, actor: User, year: int, fmt_: Format, joint: list[OrgUnit] | None = None
) -> FileJob:
    """Queue one document; the task runs after the commit. The caller has checked
    ``reports.view`` on ``unit`` (and on each unit of ``joint``, via :func:`joint_units`)."""
    from ..tasks import run_report_job

    job = FileJob.objects.create(
        kind=JobKind.REPORT,
        org_unit=unit,
        actor=actor,
        total=STEPS,
        params={"year": year, "format": fmt_.value, "units": [u.pk for u in joint or []]},
        input_name=document_filename(unit=unit, year=year, fmt_=fmt_, joint=bool(joint)),
    )
    transaction.on_commit(lambda: run_report_job.enqueue(job.code))
    return job


def job_units(job: FileJob) -> list[OrgUnit]:
    """The units a job's joint report covers (none for a unit's own report), in report order.
    Read before the scope exists (the task enters it with them)."""
    ids = job.params.get("units") or []
    if not ids:
        return []
    units = OrgUnit.unscoped.filter(pk__in=ids).select_related("association", "area")
    return sorted(units, key=lambda u: vi_sort_key(u.association.name))


def report_job_run(job: FileJob, *, units: list[OrgUnit] | None = None) -> FileJob:
    """Build a queued document (inside the scope of the job's unit, or of ``units`` for a joint
    report), updating its progress; a failure leaves a clear message and no file."""
    unit = OrgUnit.objects.select_related("association", "area").get(pk=job.org_unit_id)
    FileJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=10)
    directory = job_directory(job)
    directory.mkdir(parents=True, exist_ok=True)
    fmt_ = Format(job.params["format"])
    year = int(job.params["year"])
    target = directory / (job.input_name or document_filename(unit=unit, year=year, fmt_=fmt_))

    def progress(percent: int) -> None:
        FileJob.objects.filter(pk=job.pk).update(progress=percent)

    try:
        write_document(
            fmt_=fmt_, unit=unit, year=year, path=target, joint_units=units or None, progress=progress
        )
    except Exception:
        FileJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            message=_("Không tạo được tệp báo cáo. Hãy thử lại sau."),
            finished_at=timezone.now(),
        )
        target.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        FileJob.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE,
            progress=STEPS,
            output_path=str(target.relative_to(Path(settings.MEDIA_ROOT))),
            result={"format": fmt_.value, "year": year, "size": target.stat().st_size},
            finished_at=timezone.now(),
        )
        report_recorded(unit=unit, actor=job.actor, year=year, fmt_=fmt_, units=units)
    job.refresh_from_db()
    return job


def report_recorded(
    *, unit: OrgUnit, actor: User | None, year: int, fmt_: Format, units: list[OrgUnit] | None = None
) -> None:
    audit(
        action="report.exported", actor=actor, unit=unit, year=year, format=fmt_.value,
        units=[u.code for u in units or []],
    )  # fmt: skip


def report_job_get(*, code: str) -> FileJob | None:
    """A report job of the active scope (another unit's job does not exist here)."""
    if not code.isalnum() or len(code) > 16:
        return None
    return FileJob.objects.filter(code=code, kind=JobKind.REPORT).select_related("org_unit").first()


def report_jobs_recent(*, unit: OrgUnit, actor: Any, limit: int = 5) -> list[FileJob]:
    """The user's latest documents of this unit (the documents page lists them)."""
    return list(FileJob.objects.filter(org_unit=unit, kind=JobKind.REPORT, actor=actor)[:limit])


def report_job_downloaded(*, job: FileJob, actor: Any) -> None:
    audit(action="report.export_downloaded", actor=actor, unit=job.org_unit, target=job,
          format=job.params.get("format", ""), year=job.params.get("year"))  # fmt: skip
