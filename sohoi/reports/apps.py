from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sohoi.reports"
    label = "reports"

    def ready(self) -> None:
        # The member indicators register themselves; later modules (clubs, care, funds, awards)
        # register theirs the same way from their own ready().
        from . import member_indicators  # noqa: F401
