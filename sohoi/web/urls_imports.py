"""Routes of spreadsheet imports of member lists."""

from __future__ import annotations

from django.urls import path

from .views import imports

app_name = "imports"

urlpatterns = [
    path("u/<str:unit_code>/nhap-hoi-vien/", imports.upload, name="upload"),
    path("u/<str:unit_code>/nhap-hoi-vien/<str:job_code>/", imports.job, name="job"),
    path("u/<str:unit_code>/nhap-hoi-vien/<str:job_code>/tien-do/", imports.progress, name="progress"),
    path("u/<str:unit_code>/nhap-hoi-vien/<str:job_code>/kiem-tra-lai/", imports.recheck, name="recheck"),
    path("u/<str:unit_code>/nhap-hoi-vien/<str:job_code>/ghi/", imports.confirm, name="confirm"),
]
