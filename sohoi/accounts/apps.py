from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sohoi.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import signals  # noqa: F401
