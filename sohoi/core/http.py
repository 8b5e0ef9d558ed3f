"""Typed requests and the permission declaration of unit views."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.http import HttpRequest

if TYPE_CHECKING:
    from sohoi.accounts.models import User
    from sohoi.orgunits.models import OrgUnit

F = TypeVar("F", bound=Callable[..., Any])


class AuthenticatedRequest(HttpRequest):
    user: User


class UnitRequest(AuthenticatedRequest):
    """A request under /u/<unit_code>/: the unit is loaded and the scope is active."""

    unit: OrgUnit
    perms: frozenset[str]


def requires(permission: str) -> Callable[[F], F]:
    """Declare the permission a unit view needs; ActiveUnitMiddleware enforces it.

    A unit route without it is a configuration error, so none can be forgotten.
    """

    def decorate(view: F) -> F:
        view.required_permission = permission  # type: ignore[attr-defined]
        return view

    return decorate
