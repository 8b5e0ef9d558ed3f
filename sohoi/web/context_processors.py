from __future__ import annotations

from django.http import HttpRequest


def interface(request: HttpRequest) -> dict:
    """Large-text preference (a cookie, so it works before login) and the active unit, if any."""
    return {
        "large_text": request.COOKIES.get("sohoi_large_text") == "1",
        "active_unit": getattr(request, "unit", None),
        "perms": getattr(request, "perms", frozenset()),
    }
