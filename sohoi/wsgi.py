"""WSGI entry point for gunicorn: `gunicorn sohoi.wsgi`."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sohoi.settings")
application = get_wsgi_application()
