from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sohoi.core"
    label = "core"

    def ready(self) -> None:
        _help_accepts_lazy_text()


def _help_accepts_lazy_text() -> None:
    """Commands give their help through gettext_lazy (shown in the user's language); argparse of
    Python 3.13 runs a regex over it and fails on the lazy object, so ``--help`` crashed. The
    formatter now turns it into text first."""
    from django.core.management.base import DjangoHelpFormatter

    if getattr(DjangoHelpFormatter, "_sohoi_lazy_text", False):
        return
    format_text = DjangoHelpFormatter._format_text
    expand_help = DjangoHelpFormatter._expand_help

    def _format_text(self, text):  # noqa: ANN001, ANN202
        return format_text(self, str(text) if text is not None else text)

    def _expand_help(self, action):  # noqa: ANN001, ANN202
        if action.help is not None:
            action.help = str(action.help)
        return expand_help(self, action)

    DjangoHelpFormatter._format_text = _format_text
    DjangoHelpFormatter._expand_help = _expand_help
    DjangoHelpFormatter._sohoi_lazy_text = True
