from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("sohoi.web.urls")),
    path("", include("sohoi.web.urls_accounts")),
    path("", include("sohoi.web.urls_units")),
    path("", include("sohoi.web.urls_catalogue")),
    path("", include("sohoi.web.urls_members")),
    path("", include("sohoi.web.urls_member_files")),
    path("", include("sohoi.web.urls_imports")),
    path("", include("sohoi.web.urls_reports")),
    path("", include("sohoi.web.urls_report_files")),
    path("api/", include("sohoi.api.urls")),
    path("quan-tri-he-thong/", admin.site.urls),
]

handler400 = "sohoi.web.views.errors.bad_request"
handler403 = "sohoi.web.views.errors.permission_denied"
handler404 = "sohoi.web.views.errors.page_not_found"
handler500 = "sohoi.web.views.errors.server_error"
