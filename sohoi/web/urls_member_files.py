"""Routes of exports of member lists, member cards and the public card verification page."""

from __future__ import annotations

app_name = "member_files"

urlpatterns: list = []
