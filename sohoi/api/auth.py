"""Who is calling: a personal API token (``Authorization: Bearer <key>``) or the browser session.

The token is tried first. A presented bearer token that leads to no active user is a 401 at once
(never a silent fall-back to the session), so a revoked token cannot keep working in a browser.
The session needs Django's CSRF token for unsafe methods, as the pages do; a token does not,
because a browser never sends it by itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from sohoi.accounts.services import user_for_token

from .errors import CsrfFailed, InvalidToken

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token) if token else None
        if user is None:
            raise InvalidToken()
        # Operations and services read request.user whatever the way in.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session, like ninja's ``django_auth``, but an anonymous caller gets 401 (not a CSRF
    403) and the CSRF check runs only once the session is known to be a user's."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed()
        return user


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
