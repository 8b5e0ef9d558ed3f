"""The `sohoi` console command: Django's manage command for this project."""

from __future__ import annotations

import os
import sys

# Command names as operators type them; Django's come from module names, which cannot hold "-".
ALIASES = {"import-members": "import_members", "export-members": "export_members"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sohoi.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
