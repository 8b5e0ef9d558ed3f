"""Every command of the project prints its help (Python 3.13's argparse and lazy text)."""

from __future__ import annotations

import pytest
from django.core.management import get_commands, load_command_class

PROJECT_COMMANDS = sorted(name for name, app in get_commands().items() if app.startswith("sohoi."))


@pytest.mark.parametrize("name", PROJECT_COMMANDS)
def test_help_prints(name):
    command = load_command_class(get_commands()[name], name)
    text = command.create_parser("sohoi", name).format_help()
    assert name in text and len(text) > 100
