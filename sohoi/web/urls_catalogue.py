from __future__ import annotations

app_name = "catalogue"

urlpatterns: list = []
