"""The test cast (STYLE.md §7.9): province P → districts A and B → communes A1 and B1.

chi is admin at A, binh viewer at A, dung editor at A, an admin at B (must see nothing of A),
staff a superuser. Fixtures run unscoped; tests run scoped, through the client or unit_scope().
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import pytest
from django_scopes import scopes_disabled

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Mật-khẩu-thử-2026"


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    with scopes_disabled():
        return (yield)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background jobs run at once in tests (the worker is a separate process in production).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class Tree:
    association: object
    root: object
    P: object
    A: object
    B: object
    A1: object
    B1: object


@pytest.fixture
def nct(db):
    from sohoi.orgunits.models import Association

    return Association.objects.get(code="nct")


@pytest.fixture
def tree(db, nct) -> Tree:
    from sohoi.orgunits.models import UnitLevel
    from sohoi.orgunits.services import orgunit_create, orgunit_create_root

    root = orgunit_create_root(association=nct, name="Hội NCT Việt Nam", area=None, actor=None)
    P = orgunit_create(parent=root, name="Hội NCT tỉnh P", level=UnitLevel.PROVINCE, area=None, actor=None)
    A = orgunit_create(parent=P, name="Hội NCT huyện A", level=UnitLevel.DISTRICT, area=None, actor=None)
    B = orgunit_create(parent=P, name="Hội NCT huyện B", level=UnitLevel.DISTRICT, area=None, actor=None)
    A1 = orgunit_create(parent=A, name="Hội NCT xã A1", level=UnitLevel.COMMUNE, area=None, actor=None,
                        opened_on=date(2020, 1, 1))  # fmt: skip
    B1 = orgunit_create(parent=B, name="Hội NCT xã B1", level=UnitLevel.COMMUNE, area=None, actor=None)
    return Tree(nct, root, P, A, B, A1, B1)


def _user(username, unit, role, **kwargs):
    from sohoi.accounts.services import user_create

    return user_create(username=username, full_name=username.title(), password=PASSWORD, actor=None,
                       unit=unit, role=role, **kwargs)  # fmt: skip


@pytest.fixture
def chi(tree):
    return _user("chi", tree.A, "admin", can_export=True)


@pytest.fixture
def binh(tree):
    return _user("binh", tree.A, "viewer")


@pytest.fixture
def dung(tree):
    return _user("dung", tree.A, "editor")


@pytest.fixture
def an(tree):
    return _user("an", tree.B, "admin", can_export=True)


@pytest.fixture
def staff(db):
    return _user("staff", None, "admin", is_superuser=True)


@pytest.fixture
def cast(chi, binh, dung, an, staff):
    return {"chi": chi, "binh": binh, "dung": dung, "an": an, "staff": staff}


@pytest.fixture
def client_for(client):
    """Log a client in as one of the cast without going through axes' request-bound backend."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login
