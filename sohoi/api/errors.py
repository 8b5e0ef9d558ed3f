"""The one error shape of the API (STYLE.md §7.7) and every handler that produces it.

Every error the API returns, whatever raised it, is an HTTP status and the JSON body
``{"code": "<stable machine code>", "message": "<Vietnamese text>", "extra": {...}}``:

=====  ==========================  ==============================================================
 400   ``DomainError.code``        a service refused (``extra.field`` names the input field)
 400   ``bad_request``             a hostile or oversized request (SuspiciousOperation)
 401   ``not_authenticated``       no token and no session
 401   ``invalid_token``           a bearer token that is unknown, revoked or of an inactive user
 403   ``permission_denied``       the caller sees the unit but lacks the operation's permission
 403   ``csrf_failed``             a session request with an unsafe method and no valid CSRF token
 404   ``not_found``               absent, not yours, or an unknown route under /api/
 405   ``method_not_allowed``      ``extra.allowed`` lists the methods the route accepts
 409   ``conflict``                someone saved the record after the version the client sent
 422   ``validation_error``        ``extra.errors`` lists ``{field, location, type, message}``
 429   ``throttled``
 500   ``server_error``            logged with its traceback; the body never carries it
=====  ==========================  ==============================================================
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from pydantic import Field

from sohoi.core.errors import DomainError, NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("sohoi.api")


class ErrorOut(Schema):
    """The body of every error response."""

    code: str = Field(description="Mã lỗi ổn định cho máy đọc, ví dụ not_found, duplicate_name.")
    message: str = Field(description="Thông báo bằng tiếng Việt cho người dùng.")
    extra: dict[str, Any] = Field(default_factory=dict, description="Chi tiết: field, errors, allowed …")


class InvalidToken(AuthenticationError):
    """A bearer token was presented but leads to no active user."""


class CsrfFailed(AuthorizationError):
    """A session-authenticated request with an unsafe method failed Django's CSRF check."""


def error_response(status: int, code: str, message: str, extra: dict[str, Any] | None = None) -> JsonResponse:
    response = JsonResponse(
        {"code": code, "message": str(message), "extra": extra or {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="sohoi"'
    return response


def not_found_response(message: str | None = None) -> JsonResponse:
    return error_response(404, "not_found", message or _("Không tìm thấy, hoặc bạn không có quyền truy cập."))


# Vietnamese text for the pydantic error types an API client can actually trigger; anything else
# falls back to a generic sentence (the machine-readable `type` is always there).
_VALIDATION_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("Thiếu giá trị bắt buộc."),
    "int_parsing": gettext_lazy("Phải là một số nguyên."),
    "int_type": gettext_lazy("Phải là một số nguyên."),
    "int_from_float": gettext_lazy("Phải là một số nguyên."),
    "bool_parsing": gettext_lazy("Phải là true hoặc false."),
    "bool_type": gettext_lazy("Phải là true hoặc false."),
    "string_type": gettext_lazy("Phải là một chuỗi ký tự."),
    "string_too_short": gettext_lazy("Quá ngắn."),
    "string_too_long": gettext_lazy("Quá dài."),
    "greater_than_equal": gettext_lazy("Giá trị quá nhỏ."),
    "greater_than": gettext_lazy("Giá trị quá nhỏ."),
    "less_than_equal": gettext_lazy("Giá trị quá lớn."),
    "less_than": gettext_lazy("Giá trị quá lớn."),
    "date_parsing": gettext_lazy("Ngày không hợp lệ (dạng YYYY-MM-DD)."),
    "date_from_datetime_parsing": gettext_lazy("Ngày không hợp lệ (dạng YYYY-MM-DD)."),
    "date_type": gettext_lazy("Ngày không hợp lệ (dạng YYYY-MM-DD)."),
    "enum": gettext_lazy("Giá trị không nằm trong danh sách cho phép."),
    "literal_error": gettext_lazy("Giá trị không nằm trong danh sách cho phép."),
    "json_invalid": gettext_lazy("Nội dung gửi lên không phải JSON hợp lệ."),
    "model_attributes_type": gettext_lazy("Phải là một đối tượng JSON."),
    "dict_type": gettext_lazy("Phải là một đối tượng JSON."),
    "list_type": gettext_lazy("Phải là một danh sách."),
    "extra_forbidden": gettext_lazy("Trường này không được chấp nhận."),
}


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    loc = [str(part) for part in error.get("loc", ())]
    location = loc[0] if loc else ""
    # ninja prefixes body fields with the parameter's name (body → payload → name): drop it.
    parts = loc[2:] if location == "body" and len(loc) > 2 else loc[1:]
    error_type = str(error.get("type", ""))
    message = _VALIDATION_MESSAGES.get(error_type) or _("Giá trị không hợp lệ.")
    ctx = error.get("ctx") or {}
    allowed = {
        k: ctx[k] for k in ("ge", "gt", "le", "lt", "min_length", "max_length", "expected") if k in ctx
    }
    item: dict[str, Any] = {
        "field": ".".join(parts),
        "location": location,
        "type": error_type,
        "message": str(message),
    }
    if allowed:
        # Only plain values: ctx may hold exception objects that are not JSON.
        item["limits"] = json.loads(json.dumps(allowed, default=str))
    return item


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [_field_error(e) for e in exc.errors]
    return error_response(422, "validation_error", _("Dữ liệu gửi lên không hợp lệ."), {"errors": errors})


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra = {key: value for key, value in exc.extra.items() if _is_json(value)}
    if exc.field:
        extra["field"] = exc.field
    if isinstance(exc, NotFoundError):
        status = 404
    elif isinstance(exc, PermissionDeniedError):
        status = 403
    elif exc.code == "conflict":
        status = 409
    else:
        status = 400
    return error_response(status, exc.code, exc.message, extra)


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if isinstance(exc, InvalidToken):
        return error_response(401, "invalid_token", _("Mã truy cập API không hợp lệ hoặc đã bị thu hồi."))
    return error_response(
        401,
        "not_authenticated",
        _("Bạn cần đăng nhập, hoặc gửi mã truy cập API trong tiêu đề Authorization."),
    )


def _authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    if isinstance(exc, CsrfFailed):
        return error_response(
            403, "csrf_failed", _("Thiếu hoặc sai mã chống giả mạo (CSRF). Hãy tải lại trang rồi thử lại.")
        )
    return _permission_denied(request, exc)


def _permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(
        403, "permission_denied", _("Bạn không có quyền thực hiện thao tác này ở đơn vị này.")
    )


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return error_response(429, "throttled", _("Bạn gửi quá nhiều yêu cầu. Hãy thử lại sau ít phút."))


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Raised by ninja itself (e.g. a malformed multipart body); its text is English, so keep it
    # in extra and give the user a Vietnamese sentence.
    return error_response(exc.status_code, "bad_request", _("Yêu cầu không hợp lệ."), {"detail": str(exc)})


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return not_found_response()


def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(400, "bad_request", _("Yêu cầu không hợp lệ hoặc quá lớn."))


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The traceback goes to the log, never to the client (not even with DEBUG).
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        500, "server_error", _("Đã có lỗi ở máy chủ. Lỗi đã được ghi lại; hãy thử lại sau.")
    )


def install_exception_handlers(api: NinjaAPI) -> None:
    """Replace ninja's defaults: handlers are looked up along the exception's MRO."""
    api.add_exception_handler(Exception, _server_error)
    api.add_exception_handler(DomainError, _domain_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(AuthorizationError, _authorization_error)
    api.add_exception_handler(Throttled, _throttled)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(PermissionDenied, _permission_denied)
    api.add_exception_handler(SuspiciousOperation, _bad_request)


# Documented on every operation, so clients see the error shape in the OpenAPI document.
ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The catch-all of /api/: an unknown route is a JSON 404, never the HTML error page."""
    return not_found_response(_("Không có địa chỉ API này. Xem danh sách tại /api/v1/docs."))


api_not_found.csrf_exempt = True  # type: ignore[attr-defined]


def json_route_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja route view so the errors ninja answers outside its exception handlers get the
    error shape too: its bare 405 for a wrong method, and the Http404 of its root view (/api/v1/)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found_response(_("Không có địa chỉ API này. Xem danh sách tại /api/v1/docs."))
        if isinstance(response, HttpResponseNotAllowed):
            allowed = sorted(m.strip() for m in response["Allow"].split(",") if m.strip())
            wrapped = error_response(
                405,
                "method_not_allowed",
                _("Phương thức %(method)s không được hỗ trợ ở địa chỉ này.") % {"method": request.method},
                {"allowed": allowed},
            )
            wrapped["Allow"] = ", ".join(allowed)
            return wrapped
        return response

    return wrapper
