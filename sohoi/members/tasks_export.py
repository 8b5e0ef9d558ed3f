"""Background export of a large member list (a FileJob of kind export).

The task gets only the job's code. It loads the job unscoped to learn its unit, the one read
before a scope exists (pretix's EventTask does the same), then does everything else inside
``unit_scope(job.org_unit)``.
"""

from __future__ import annotations

from django.tasks import task

from sohoi.core.scoping import unit_scope

from .models import FileJob, JobKind, JobStatus


@task
def run_export_job(job_code: str) -> int:
    job = FileJob.unscoped.select_related("org_unit").filter(code=job_code, kind=JobKind.EXPORT).first()
    if job is None or job.status not in (JobStatus.PENDING, JobStatus.RUNNING):
        return 0
    from .exporting import export_job_run

    with unit_scope(job.org_unit):
        return export_job_run(job).progress
