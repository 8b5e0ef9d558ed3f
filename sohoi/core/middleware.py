"""ActiveUnitMiddleware: the URL names the unit; the whole response runs inside its scope."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from .errors import unit_not_found_message
from .scoping import UnitPaths

UNIT_KWARG = "unit_code"


class ActiveUnitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)

        if match.namespace == "admin":
            # Django admin is for superusers only and runs unscoped (STYLE.md §7.6).
            if request.user.is_authenticated and request.user.is_superuser:
                with scopes_disabled():
                    return self._render(request)
            return self.get_response(request)

        if match.app_name == "ninja":
            # The API authenticates (tokens) and checks the unit itself, in the same way, in
            # sohoi.api.permissions.unit_operation: at this point a token caller is still anonymous.
            return self.get_response(request)

        if UNIT_KWARG not in match.kwargs:
            return self.get_response(request)

        required = getattr(match.func, "required_permission", None)
        if required is None:
            raise ImproperlyConfigured(f"Unit view {match.view_name} declares no permission (use @requires).")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

        from sohoi.accounts.permissions import load_unit_with_perms

        unit, perms = load_unit_with_perms(request.user, match.kwargs[UNIT_KWARG])
        if not perms:
            raise Http404(unit_not_found_message())
        if required not in perms:
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này ở đơn vị này."))
        request.unit = unit  # type: ignore[attr-defined]
        request.perms = perms  # type: ignore[attr-defined]
        with scope(unit=UnitPaths((unit.path,))):
            return self._render(request)

    def _render(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Render inside the scope: templates may still evaluate lazy querysets.
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        return response


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Vietnamese unless the user picked another language with the switch (the language cookie).

    The browser's Accept-Language is ignored on purpose: many elderly users' phones are set to
    English by the shop or a grandchild, and they should still get the Vietnamese interface.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """Answer 400 to a request carrying a NUL character in its path, query or JSON body.

    PostgreSQL refuses NUL in text, so such a value would otherwise reach a query and fail as a
    500 (``/u/%00/``); no real name, code or date contains one. Form fields refuse it themselves
    (Django's ProhibitNullCharactersValidator); uploaded files are binary and not looked at.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._carries_nul(request):
            message = _("Yêu cầu có ký tự không hợp lệ (ký tự NUL).")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"code": "bad_request", "message": message, "extra": {}}, status=400)
            return render(request, "errors/400.html", {"message": message}, status=400)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path_info or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return True
        if request.content_type == "application/json":
            try:
                body = request.body
            except RequestDataTooBig:
                return False  # the view refuses it with its own message
            return b"\x00" in body or b"\\u0000" in body.lower()
        return False
