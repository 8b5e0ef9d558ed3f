from __future__ import annotations

from django.urls import path

from .views import catalogue

app_name = "catalogue"

urlpatterns = [
    path("hoi/", catalogue.associations, name="associations"),
    path("hoi/them/", catalogue.association_create, name="association_create"),
    path("dia-ban/", catalogue.areas, name="areas"),
    path("dia-ban/<str:scheme>/<str:code>/", catalogue.area, name="area"),
    path("dia-ban/<str:scheme>/<str:code>/con/", catalogue.area_children, name="area_children"),
    path("dia-ban/<str:scheme>/<str:code>/them-thon/", catalogue.hamlet_create, name="hamlet_create"),
]
