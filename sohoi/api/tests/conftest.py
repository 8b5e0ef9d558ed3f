"""API test helpers: a client that speaks as a user through a personal token, and a small area tree."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client


class ApiClient:
    """A Django test client sending ``Authorization: Bearer <key>`` on every request."""

    def __init__(self, key: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, data: dict | None = None):
        return self.client.post(path, data or {}, content_type="application/json", headers=self.headers)

    def request(self, method: str, path: str):
        return getattr(self.client, method.lower())(path, headers=self.headers)


@pytest.fixture
def token_for(db):
    from sohoi.accounts.services import token_create

    def make(user) -> str:
        _token, key = token_create(user=user, name="Thử nghiệm")
        return key

    return make


@pytest.fixture
def api_as(token_for):
    """``api_as(user)``: a client authenticated by a fresh personal token of ``user``."""

    def make(user) -> ApiClient:
        return ApiClient(token_for(user))

    return make


@pytest.fixture
def anonymous_api() -> ApiClient:
    return ApiClient(None)


@pytest.fixture
def areas(db):
    """Province 01 (pre2025) with a district and a commune, which became commune 00004 of
    province 01 (2025), half of it (partial) and whole of it (the second)."""
    from sohoi.orgunits.models import Area, AreaSuccession

    def root(**fields):
        return Area.objects.add_root(instance=Area(**fields))

    def child(parent, **fields):
        parent = Area.objects.get(pk=parent.pk)
        return Area.objects.add_child(parent, instance=Area(parent=parent, scheme=parent.scheme, **fields))

    old_hn = root(scheme="pre2025", level="province", code="01", name="Thành phố Hà Nội",
                  division_type="thành phố trung ương", valid_to=date(2025, 6, 30))  # fmt: skip
    ba_dinh = child(old_hn, level="district", code="001", name="Quận Ba Đình", division_type="quận",
                    valid_to=date(2025, 6, 30))  # fmt: skip
    phuc_xa = child(ba_dinh, level="commune", code="00001", name="Phường Phúc Xá", division_type="phường",
                    valid_to=date(2025, 6, 30))  # fmt: skip
    truc_bach = child(ba_dinh, level="commune", code="00004", name="Phường Trúc Bạch", division_type="phường",
                      valid_to=date(2025, 6, 30))  # fmt: skip
    new_hn = root(scheme="2025", level="province", code="01", name="Thành phố Hà Nội",
                  division_type="thành phố trung ương", valid_from=date(2025, 7, 1))  # fmt: skip
    hue = root(scheme="2025", level="province", code="46", name="Thành phố Huế",
               division_type="thành phố trung ương", valid_from=date(2025, 7, 1))  # fmt: skip
    ba_dinh_ward = child(new_hn, level="commune", code="00004", name="Phường Ba Đình", division_type="phường",
                         valid_from=date(2025, 7, 1))  # fmt: skip
    AreaSuccession.objects.create(old_area=phuc_xa, new_area=ba_dinh_ward, is_partial=True)
    AreaSuccession.objects.create(old_area=truc_bach, new_area=ba_dinh_ward, is_partial=False)
    return {
        "old_hn": old_hn, "ba_dinh": ba_dinh, "phuc_xa": phuc_xa, "truc_bach": truc_bach,
        "new_hn": new_hn, "hue": hue, "ba_dinh_ward": ba_dinh_ward,
    }  # fmt: skip
