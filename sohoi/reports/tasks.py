"""Background generation of the report documents (a FileJob of kind report).

The task gets only the job's code. It loads the job and the units it covers unscoped, the one
read before a scope exists (pretix's EventTask does the same), then builds the document inside
``unit_scope`` of the job's unit, or of every association of a joint report.
"""

from __future__ import annotations

from django.tasks import task

from sohoi.core.scoping import unit_scope
from sohoi.members.models import FileJob, JobKind, JobStatus


@task
def run_report_job(job_code: str) -> int:
    job = FileJob.unscoped.select_related("org_unit").filter(code=job_code, kind=JobKind.REPORT).first()
    if job is None or job.status not in (JobStatus.PENDING, JobStatus.RUNNING):
        return 0
    from .documents.jobs import job_units, report_job_run

    units = job_units(job)
    with unit_scope(units or job.org_unit):
        return report_job_run(job, units=units).progress
