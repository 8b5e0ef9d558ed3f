"""/api/: the versioned APIs, then a JSON 404 for every other path below /api/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from .errors import api_not_found, json_route_errors
from .v1 import api


def _json_errors(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """ninja answers a wrong method (405) and its root (404) outside its handlers: shape them too."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = json_route_errors(pattern.callback)
    return patterns


v1_patterns, v1_app_name, v1_namespace = api.urls

urlpatterns = [
    path("v1/", (_json_errors(v1_patterns), v1_app_name, v1_namespace)),
    re_path(r"^", api_not_found, name="api-not-found"),
]
