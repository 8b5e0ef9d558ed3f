"""Org-unit scoping: the one mechanism that keeps every query of unit-owned data inside
the units a user may see (STYLE.md §7.6).

Unit-owned models declare ``objects = unit_scoped_manager("org_unit__path")``; with no
active scope, every query on them raises ``ScopeError`` (django-scopes fails closed).
The scope value is a ``UnitPaths``: the materialised paths of the subtrees in scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Lookup
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled

from .errors import UnitNotFoundError

if TYPE_CHECKING:
    from sohoi.orgunits.models import OrgUnit

# treebeard's materialised path uses 0-9A-Z; 'Z' is the largest character, so every path
# below P lies in [P, P + 'Z' * n] whatever the collation (no LIKE: BASELINES.md).
PATH_MAX_LENGTH = 255
_PATH_TOP = "Z" * PATH_MAX_LENGTH


def subtree_bounds(path: str) -> tuple[str, str]:
    return path, path + _PATH_TOP[: PATH_MAX_LENGTH - len(path)]


def ancestor_paths(path: str, steplen: int = 4) -> list[str]:
    """The paths of a node and its ancestors, root first (no query)."""
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


@dataclass(frozen=True)
class UnitPaths:
    """Paths of the subtrees in scope. Not a list, so django-scopes passes it whole to ``within``."""

    paths: tuple[str, ...]

    @classmethod
    def of(cls, paths: Iterable[str]) -> UnitPaths:
        """Keep only the top-most paths: a subtree inside another adds nothing."""
        kept: list[str] = []
        for path in sorted(set(paths)):
            if not kept or not path.startswith(kept[-1]):
                kept.append(path)
        return cls(tuple(kept))

    def covers(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)

    def __bool__(self) -> bool:
        return bool(self.paths)


class UnitPathField(models.CharField):
    """The materialised path of a tree node; supports ``__within`` (this node and below)."""


@UnitPathField.register_lookup
class Within(Lookup):
    """``path__within=P`` (a path or ``UnitPaths``) as index-served range conditions."""

    lookup_name = "within"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[str]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        value = self.rhs
        paths = value.paths if isinstance(value, UnitPaths) else (value,)
        if not paths:
            return "1 = 0", []
        clauses, params = [], []
        for path in paths:
            low, high = subtree_bounds(path)
            clauses.append(f"({lhs} >= %s AND {lhs} <= %s)")
            params.extend([*lhs_params, low, *lhs_params, high])
        return "(" + " OR ".join(clauses) + ")", params


def unit_scoped_manager(path_lookup: str = "org_unit__path", manager_class: type = models.Manager) -> Any:
    """The manager every unit-owned model uses: fails closed without an active unit scope."""
    return ScopedManager(unit=f"{path_lookup}__within", _manager_class=manager_class)


@contextmanager
def unit_scope(scope_value: OrgUnit | UnitPaths | Iterable[OrgUnit]) -> Iterator[UnitPaths]:
    """Run queries of unit-owned data inside the given units' subtrees (commands, jobs, tests)."""
    if isinstance(scope_value, UnitPaths):
        paths = scope_value
    elif hasattr(scope_value, "path"):
        paths = UnitPaths.of([scope_value.path])  # type: ignore[union-attr]
    else:
        paths = UnitPaths.of(u.path for u in scope_value)  # type: ignore[union-attr]
    with scope(unit=paths):
        yield paths


def active_unit_paths() -> UnitPaths | None:
    """The active scope's paths; None when scoping is disabled (superuser admin, migrations)."""
    current = get_scope()
    if not current.get("_enabled", True):
        return None
    value = current.get("unit")
    if not isinstance(value, UnitPaths):
        return UnitPaths(())
    return value


def ensure_in_scope(unit: OrgUnit) -> None:
    """Refuse a unit that came from input (a move target, a transfer) if it lies outside the scope.

    django-scopes does not guard ``.create()`` or a foreign key given by id, so services call this.
    """
    paths = active_unit_paths()
    if paths is None:
        return
    if not paths.covers(unit.path):
        raise UnitNotFoundError()


__all__ = [
    "UnitPaths",
    "UnitPathField",
    "unit_scope",
    "unit_scoped_manager",
    "ensure_in_scope",
    "active_unit_paths",
    "scopes_disabled",
    "subtree_bounds",
    "ancestor_paths",
]
