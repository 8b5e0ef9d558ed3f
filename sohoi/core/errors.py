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


def unit_not_found_message() -> str:
    """The one answer for a unit that is absent or not yours: the two must look the same."""
    from django.utils.translation import gettext

    return gettext("Không tìm thấy đơn vị, hoặc bạn không có quyền truy cập.")


class UnitNotFoundError(NotFoundError):
    def __init__(self, message: str | None = None, **kwargs: Any):
        super().__init__(message or unit_not_found_message(), **kwargs)


class PermissionDeniedError(DomainError):
    code = "permission_denied"
