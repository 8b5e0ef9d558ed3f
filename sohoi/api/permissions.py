"""Declaring an API operation: its route, its permission and its scope, in one call.

The web's ActiveUnitMiddleware serves ``/u/<unit_code>/`` pages; the API authenticates by token in
its own layer, so it does the same work here (STYLE.md §7.6.3): ``unit_operation`` loads the unit
named by ``{unit_code}`` unscoped, asks ``perms_for()`` (the same function as the pages), answers
404 when the caller has nothing there (absent and not-yours look the same) and 403 when the
operation's permission is missing, then runs the operation *and serialises its result* inside
the unit's scope, so a lazy queryset is never evaluated outside it.

Every operation is declared through ``api_operation`` or ``unit_operation`` and lands in
``OPERATIONS`` (method, path, permission), which the permission-matrix test walks;
``sohoi/api/tests`` checks that the OpenAPI document lists exactly these operations.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypedDict

from django.utils.translation import gettext as _
from django_scopes import scope
from ninja import Router, Schema

from sohoi.accounts.permissions import ALL_PERMS, load_unit_with_perms
from sohoi.core.errors import PermissionDeniedError, UnitNotFoundError
from sohoi.core.scoping import UnitPaths
from sohoi.orgunits.models import OrgUnit

from .errors import ERROR_RESPONSES

API_PREFIX = "/api/v1"


class OperationInfo(TypedDict):
    method: str
    path: str
    # A unit permission (``units.view`` …) for operations under /u/{unit_code}/; None for the
    # operations outside a unit, which need only an authenticated caller.
    permission: str | None
    unit_scoped: bool
    name: str


OPERATIONS: list[OperationInfo] = []


def load_unit_for(user: Any, unit_code: str) -> tuple[OrgUnit, frozenset[str]]:
    """The unit named in the URL and the caller's permissions on it; 404 if they have none.

    Loaded unscoped (no scope exists yet: this decides it), with what the operations and
    ``perms_for`` read, in 1 query + 1 for the grants.
    """
    unit, perms = load_unit_with_perms(user, unit_code)
    if unit is None or not perms:
        raise UnitNotFoundError()
    return unit, perms


def _serialise(result: Any, response: type[Schema], status: int) -> Any:
    if isinstance(result, tuple):  # an operation chose its own status: (status, body)
        status, result = result
    body = result if isinstance(result, response) else response.model_validate(result)
    return (status, body) if status != 200 else body


def _declare(
    router: Router,
    method: str,
    path: str,
    wrapper: Callable[..., Any],
    *,
    response: type[Schema],
    status: int,
    permission: str | None,
    unit_scoped: bool,
    **kwargs: Any,
) -> None:
    # ninja resolves string annotations (PEP 563) in the wrapper's module, not the view's:
    # hand it the view's signature already evaluated.
    wrapper.__signature__ = inspect.signature(wrapper.__wrapped__, eval_str=True)  # type: ignore[attr-defined]
    extra = {"x-permission": permission or "authenticated"}
    router.api_operation(
        [method],
        path,
        response={status: response, **ERROR_RESPONSES},
        openapi_extra=extra,
        **kwargs,
    )(wrapper)
    OPERATIONS.append(
        OperationInfo(
            method=method,
            path=API_PREFIX + path,
            permission=permission,
            unit_scoped=unit_scoped,
            name=wrapper.__name__,
        )
    )


def api_operation(
    router: Router,
    method: str,
    path: str,
    *,
    response: type[Schema],
    status: int = 200,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An operation outside any unit (catalogue, the caller's own data): authentication only.

    The operation runs with no unit scope, so touching unit-owned data there fails closed.
    """
    if "{unit_code}" in path:
        raise ValueError(f"{method} {path} names a unit: declare it with unit_operation")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(request: Any, **params: Any) -> Any:
            return _serialise(view(request, **params), response, status)

        _declare(
            router,
            method,
            path,
            wrapper,
            response=response,
            status=status,
            permission=None,
            unit_scoped=False,
            **kwargs,
        )
        return wrapper

    return decorate


def unit_operation(
    router: Router,
    method: str,
    path: str,
    *,
    permission: str,
    response: type[Schema],
    status: int = 200,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An operation under ``/u/{unit_code}/``: needs ``permission`` on that unit.

    Inside the operation ``request.unit`` and ``request.perms`` are set (a ``UnitRequest``) and
    ``OrgUnit.objects`` sees only the unit's subtree.
    """
    if permission not in ALL_PERMS:
        raise ValueError(f"Unknown permission {permission!r} for {method} {path}")
    if "{unit_code}" not in path:
        raise ValueError(f"Unit operation {method} {path} must have {{unit_code}} in its path")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(request: Any, unit_code: str, **params: Any) -> Any:
            unit, perms = load_unit_for(request.user, unit_code)
            if permission not in perms:
                raise PermissionDeniedError(_("Bạn không có quyền thực hiện thao tác này ở đơn vị này."))
            request.unit = unit
            request.perms = perms
            with scope(unit=UnitPaths((unit.path,))):
                return _serialise(view(request, unit_code=unit_code, **params), response, status)

        _declare(
            router,
            method,
            path,
            wrapper,
            response=response,
            status=status,
            permission=permission,
            unit_scoped=True,
            **kwargs,
        )
        return wrapper

    return decorate
