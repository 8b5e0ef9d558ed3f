from __future__ import annotations

from django.urls import path

from .views import units

app_name = "units"

urlpatterns = [
    path("u/<str:unit_code>/", units.detail, name="detail"),
    path("u/<str:unit_code>/con/", units.children, name="children"),
    path("u/<str:unit_code>/lich-su/", units.history, name="history"),
    path("u/<str:unit_code>/them/", units.create, name="create"),
    path("u/<str:unit_code>/sua/", units.edit, name="edit"),
    path("u/<str:unit_code>/chuyen/", units.move, name="move"),
    path("u/<str:unit_code>/sap-nhap/", units.merge, name="merge"),
    path("u/<str:unit_code>/chia-tach/", units.split, name="split"),
]
