from __future__ import annotations

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "sohoi.members"
    label = "members"

    def ready(self) -> None:
        # Registers the unit data mover (members follow merged/split units) and the close guard.
        from . import services  # noqa: F401
