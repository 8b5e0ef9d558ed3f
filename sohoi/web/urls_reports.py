"""Routes of the reports: a unit's report for a year and the forms of what people enter for it,
and the associations of an area side by side (beside the area catalogue)."""

from __future__ import annotations

from django.urls import path

from .views import reports

app_name = "reports"

BASE = "u/<str:unit_code>/bao-cao/"
YEAR = BASE + "<int:year>/"
AREA = "dia-ban/<str:scheme>/<str:code>/bao-cao/"

urlpatterns = [
    path(BASE, reports.report_index, name="index"),
    path(BASE + "tieu-de/", reports.letterhead, name="letterhead"),
    path(YEAR, reports.report_year, name="year"),
    path(YEAR + "noi-dung/", reports.narrative, name="narrative"),
    path(YEAR + "chi-tieu/", reports.targets, name="targets"),
    path(YEAR + "chi-tieu/giao/", reports.hand_down, name="hand_down"),
    path(YEAR + "dan-so/", reports.population, name="population"),
    path(AREA, reports.area_index, name="area_index"),
    path(AREA + "<int:year>/", reports.area_report, name="area"),
]
