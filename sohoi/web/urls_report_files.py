"""Routes of the year-end report's documents: the list of formats for a year, a document's job
(progress) and its download."""

from __future__ import annotations

from django.urls import path

from .views import report_files

app_name = "report_files"

urlpatterns = [
    # The year is taken as text so that "/bao-cao/abc/tai-ve/" explains itself instead of a bare 404.
    path("u/<str:unit_code>/bao-cao/<str:year>/tai-ve/", report_files.documents, name="documents"),
    path("u/<str:unit_code>/bao-cao/tai-ve/<str:job_code>/", report_files.job, name="job"),
    path("u/<str:unit_code>/bao-cao/tai-ve/<str:job_code>/tep/", report_files.download, name="download"),
]
