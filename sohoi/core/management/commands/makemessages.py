"""makemessages without fuzzy matching: a guessed translation of a similar Vietnamese sentence is
worse than none (the i18n test then names the entry to translate)."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
