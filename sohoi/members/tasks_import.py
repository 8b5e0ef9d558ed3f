"""Background import of a member list (a FileJob of kind import).

The life of a job: pending → running (the check, a dry run) → ready (the preview: counts,
errors, warnings, sheets and columns) → the user may change a sheet's unit or a column and
check again, then confirms → pending → running (the write) → done, or failed with a reason.

Tasks get only the job's code. Each loads the job unscoped to learn its unit, then works
inside ``unit_scope(job.org_unit)``. Progress (rows read so far) is an UPDATE of the job row
that a polling page reads. While checking it is committed at once. The write reads the file
again inside one write transaction: on PostgreSQL the progress goes through a second
connection so a poller sees it; on SQLite that transaction locks the whole database, so the
page shows the write as one step (the check's row count stays on the page until the end).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from sohoi.core.errors import DomainError
from sohoi.core.scoping import unit_scope
from sohoi.orgunits.models import OrgUnit

from .importing import ImportReport, import_file
from .models import FileJob, JobKind, JobStatus

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from sohoi.accounts.models import User

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


def import_max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def job_directory(job: FileJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / job.code


# --- what the pages call ----------------------------------------------------------------------


def import_job_start(*, unit: OrgUnit, actor: User | None, upload: UploadedFile) -> FileJob:
    """Keep the uploaded file under MEDIA_ROOT/jobs/<code>/ and queue its check."""
    name = Path(upload.name or "").name
    if upload.size is not None and upload.size > import_max_bytes():
        raise DomainError(
            _("Tệp lớn quá: tối đa %(max)s MB.") % {"max": import_max_bytes() // (1024 * 1024)}, field="file"
        )
    job = FileJob.objects.create(kind=JobKind.IMPORT, org_unit=unit, actor=actor, input_name=name[:255])
    directory = job_directory(job)
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = get_valid_filename(name) or "danh-sach"
    target = directory / f"input-{stored_name}"[:200]
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    FileJob.objects.filter(pk=job.pk).update(input_path=str(target.relative_to(Path(settings.MEDIA_ROOT))))
    transaction.on_commit(lambda: check_import_job.enqueue(job.code))
    job.refresh_from_db()
    return job


def import_job_recheck(
    job: FileJob, *, sheet_units: dict[str, str], columns: dict[str, dict[int, str]]
) -> FileJob:
    """The user changed a sheet's unit or a column of the preview: check again with them."""
    _ensure_status(job, JobStatus.READY, JobStatus.FAILED)
    params = {
        **job.params,
        "sheet_units": sheet_units,
        "columns": {
            sheet: {str(index): name for index, name in chosen.items()} for sheet, chosen in columns.items()
        },
    }
    FileJob.objects.filter(pk=job.pk).update(
        status=JobStatus.PENDING, params=params, progress=0, total=None, message="", finished_at=None
    )
    transaction.on_commit(lambda: check_import_job.enqueue(job.code))
    job.refresh_from_db()
    return job


def import_job_confirm(job: FileJob) -> FileJob:
    """Write the checked file into the register (only a preview without errors)."""
    _ensure_status(job, JobStatus.READY)
    report = ImportReport.from_json(job.result)
    if not report.ok:
        raise DomainError(_("Tệp còn lỗi: hãy sửa tệp rồi tải lên lại."), code="import_has_errors")
    updated = FileJob.objects.filter(pk=job.pk, status=JobStatus.READY).update(
        status=JobStatus.PENDING, params={**job.params, "commit": True}, progress=0
    )
    if updated != 1:  # a second click, or someone else's
        raise DomainError(_("Việc nhập này đang chạy."), code="conflict")
    transaction.on_commit(lambda: commit_import_job.enqueue(job.code))
    job.refresh_from_db()
    return job


def _ensure_status(job: FileJob, *statuses: str) -> None:
    if job.kind != JobKind.IMPORT or job.status not in statuses:
        raise DomainError(_("Việc nhập này không còn ở bước đó: hãy tải lại trang."), code="conflict")


# --- the tasks ---------------------------------------------------------------------------------


@task
def check_import_job(job_code: str) -> str:
    return _run(job_code, commit=False)


@task
def commit_import_job(job_code: str) -> str:
    return _run(job_code, commit=True)


def _run(job_code: str, *, commit: bool) -> str:
    job = (
        FileJob.unscoped.select_related("org_unit", "actor")
        .filter(code=job_code, kind=JobKind.IMPORT)
        .first()
    )
    if job is None or job.status != JobStatus.PENDING or bool(job.params.get("commit")) != commit:
        return "skipped"
    with unit_scope(job.org_unit):
        return _run_in_scope(job, commit=commit)


def _run_in_scope(job: FileJob, *, commit: bool) -> str:
    FileJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=0, total=None)
    # The write reads the file again: the preview counted its rows.
    reporter = _ProgressReporter(job.pk, total=(job.result or {}).get("rows") if commit else None)
    params: dict[str, Any] = job.params
    overrides = _overrides(params.get("columns") or {})
    try:
        report = import_file(
            Path(settings.MEDIA_ROOT) / job.input_path,
            unit=job.org_unit,
            actor=job.actor,
            dry_run=not commit,
            overrides=overrides or None,
            sheet_units=params.get("sheet_units") or None,
            progress=reporter,
            filename=job.input_name,
            max_bytes=import_max_bytes(),
        )
    except Exception:
        logger.exception("import job %s failed", job.code)
        FileJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            message=_("Không nhập được tệp này vì một lỗi của hệ thống. Hãy thử lại sau."),
            finished_at=timezone.now(),
        )
        raise
    finally:
        reporter.close()
    if report.file_error:
        status, message = JobStatus.FAILED, report.file_error
    elif not commit:
        status, message = JobStatus.READY, ""
    elif report.written:
        status, message = JobStatus.DONE, ""
    else:  # new errors since the preview (the register changed): show them, nothing written
        status, message = JobStatus.READY, _("Sổ đã thay đổi từ lúc kiểm tra: hãy xem lại các lỗi.")
    params = {key: value for key, value in params.items() if key != "commit"}
    FileJob.objects.filter(pk=job.pk).update(
        status=status,
        message=message,
        result=report.to_json(),
        params=params,
        progress=report.rows,
        total=report.rows,
        finished_at=timezone.now() if status in (JobStatus.DONE, JobStatus.FAILED) else None,
    )
    if status == JobStatus.DONE:
        # The register has the data now; the uploaded copy is personal data kept for nothing.
        shutil.rmtree(job_directory(job), ignore_errors=True)
    return status


def _overrides(columns: dict[str, dict[str, str]]) -> dict[str, dict[str, object]]:
    from .importing import overrides_from_columns

    return {sheet: overrides_from_columns({int(index): name for index, name in chosen.items()})
            for sheet, chosen in columns.items()}  # fmt: skip


class _ProgressReporter:
    """Writes (done, total) to the job row, outside the import's write transaction."""

    def __init__(self, job_id: int, *, total: int | None = None):
        self.job_id = job_id
        self.total = total
        self.side = None

    def __call__(self, done: int, total: int | None) -> None:
        total = total if total is not None else self.total
        if not connection.in_atomic_block:
            FileJob.unscoped.filter(pk=self.job_id).update(progress=done, total=total)
            return
        if connection.vendor != "postgresql":
            return  # SQLite: the write transaction holds the database lock (see the module note)
        if self.side is None:
            self.side = connections.create_connection("default")
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {FileJob._meta.db_table} SET progress = %s, total = %s WHERE id = %s",  # noqa: S608
                [done, total, self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
