"""Rules of the codebase that a reviewer would otherwise have to remember (STYLE.md §7.2, §7.6)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django_scopes.exceptions import ScopeError

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "sohoi"

# scopes_disabled() may appear only where STYLE.md §7.6 allows it.
SCOPES_DISABLED_ALLOWED = (
    "sohoi/core/",
    "sohoi/accounts/permissions.py",
    "sohoi/orgunits/services.py",
)


def _python_files(under: Path = SOURCE):
    for path in under.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or "/tests/" in relative:
            continue
        yield relative, path.read_text()


def test_scopes_disabled_is_used_only_in_the_allowlist():
    offenders = [
        relative
        for relative, text in _python_files()
        if re.search(r"\bscopes_disabled\s*\(", text) and not relative.startswith(SCOPES_DISABLED_ALLOWED)
    ]
    assert offenders == []


def test_views_never_read_unit_owned_data_unscoped():
    offenders = [
        relative for relative, text in _python_files(SOURCE / "web") if re.search(r"\.unscoped\b", text)
    ]
    assert offenders == []


def _module_level_imports(text: str) -> list[str]:
    tree = ast.parse(text)
    names = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize(
    "layer, forbidden",
    [
        ("core", ("sohoi.orgunits", "sohoi.accounts", "sohoi.web", "sohoi.api", "sohoi.demo")),
        ("orgunits", ("sohoi.web", "sohoi.api", "sohoi.demo")),
        ("accounts", ("sohoi.web", "sohoi.api", "sohoi.demo")),
        ("imports", ("sohoi.web", "sohoi.api", "sohoi.demo", "sohoi.members")),
    ],
)
def test_imports_point_one_way(layer, forbidden):
    offenders = [
        f"{relative}: {module}"
        for relative, text in _python_files(SOURCE / layer)
        for module in _module_level_imports(text)
        if module.startswith(forbidden)
    ]
    assert offenders == []


@pytest.mark.django_db
def test_every_unit_owned_model_fails_closed_without_a_scope():
    unit_owned = [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"core", "orgunits", "accounts", "members", "reports"}
        # History rows are read only through an instance already loaded in scope
        # (``membership.history``); see test_history_is_read_only_through_an_instance.
        and not model.__name__.startswith("Historical")
        and any(
            getattr(field, "related_model", None) is not None
            and field.related_model._meta.label == "orgunits.OrgUnit"
            and field.name == "org_unit"
            for field in model._meta.get_fields()
        )
    ]
    assert unit_owned, "no unit-owned model found: the rule would check nothing"
    # Scoped through their memberships (an EXISTS), not through a field of their own.
    unit_owned.append(apps.get_model("members", "Person"))
    for model in unit_owned:
        with pytest.raises(ScopeError):
            list(model.objects.all())


def test_history_is_read_only_through_an_instance():
    """django-simple-history's tables are not scoped: pages and the API reach a version only
    from a record they loaded in scope (``person.history``), never ``HistoricalX.objects``."""
    offenders = [
        relative
        for layer in ("web", "api", "members")
        for relative, text in _python_files(SOURCE / layer)
        if re.search(r"\bHistorical[A-Z]\w*\.objects\b", text)
    ]
    assert offenders == []
