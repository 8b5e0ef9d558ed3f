"""Domain errors: raised by services, shown to users as translated messages."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was changed.

    `message` is already translated (gettext); `code` is stable for API clients;
    `field` names the form field it belongs to, when there is one.
    """

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **extra: Any):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field
        self.extra = extra


class NotFoundError(DomainError):
    """Absent and not-yours look the same (STYLE.md §6)."""

    code = "not_found"


class PermissionDeniedError(DomainError):
    code = "permission_denied"
