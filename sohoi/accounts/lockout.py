"""The page shown when django-axes locks a login out after repeated failures."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    context = {"cooloff_minutes": int(settings.AXES_COOLOFF_TIME * 60)}
    return TemplateResponse(request, "accounts/locked_out.html", context, status=429).render()
