"""Routes of exports of member lists, member cards and the public card verification page."""

from __future__ import annotations

from django.urls import path

from .views import member_files

app_name = "member_files"

urlpatterns = [
    path("u/<str:unit_code>/hoi-vien/xuat/", member_files.export, name="export"),
    path("u/<str:unit_code>/hoi-vien/xuat/<str:job_code>/", member_files.export_job, name="export_job"),
    path(
        "u/<str:unit_code>/hoi-vien/xuat/<str:job_code>/tai-ve/",
        member_files.export_download,
        name="export_download",
    ),
    path("u/<str:unit_code>/hoi-vien/the/", member_files.cards, name="cards"),
    path("xac-minh/<str:code>/", member_files.verify, name="verify"),
]
