"""Routes of the member register: list, member page, forms, lifecycle actions, duplicates."""

from __future__ import annotations

app_name = "members"

urlpatterns: list = []
