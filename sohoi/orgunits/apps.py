from __future__ import annotations

from django.apps import AppConfig


class OrgunitsConfig(AppConfig):
    name = "sohoi.orgunits"
    label = "orgunits"
