from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "sohoi.imports"
    label = "imports"
    verbose_name = _("Nhập danh sách")
