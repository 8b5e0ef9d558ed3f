"""Routes of spreadsheet imports of member lists."""

from __future__ import annotations

app_name = "imports"

urlpatterns: list = []
