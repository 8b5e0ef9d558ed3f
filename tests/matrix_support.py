"""The permission matrix (STYLE.md §7.9): every named route of the project, what it needs, and how
to build a concrete URL (and a request body) for it from the test cast.

``TABLE`` is the spec; ``tests/test_permissions_matrix.py`` checks it against the URL resolver and
``sohoi.api.v1.OPERATIONS`` and then sends every (route, method, user) through the test client.

Access kinds of a row:

- a unit permission (``units.view`` …): a route under ``/u/<unit_code>/``. An admin, editor or
  viewer of the unit gets in iff ``ROLE_PERMS[role]`` holds it (403 otherwise); a user with no
  grant there gets 404; a superuser gets in.
- ``LOGIN``: any signed-in user. ``PUBLIC``: anyone, signed in or not.
- ``SUPERUSER``: superusers only; any other signed-in user gets the 404 of a missing page.
- ``AREA_ADMIN``: a superuser, or an admin of a unit whose area contains the area (``can_manage_area``);
  anyone else signed in gets 404.
- ``NOT_FOUND``: a route that exists only to answer 404 (the API's root and catch-all).

Anonymous callers of a non-public route are sent to the login page (web) or get 401 (API).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scopes_disabled

from sohoi.accounts.models import ApiToken, RoleGrant
from sohoi.accounts.permissions import EXPORT_PERM, ROLE_PERMS
from sohoi.accounts.selectors import LOGIN_ACTIONS
from sohoi.core.models import AuditEvent
from sohoi.core.text import nfc
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme, Association, OrgUnit, UnitEvent, UnitEventLink

LOGIN = "login"
PUBLIC = "public"
SUPERUSER = "superuser"
AREA_ADMIN = "area_admin"
NOT_FOUND = "not_found"
NON_UNIT_ACCESS = (LOGIN, PUBLIC, SUPERUSER, AREA_ADMIN, NOT_FOUND)

# Expected outcomes besides a plain status code.
ALLOWED = "allowed"  # 2xx or 3xx (a form re-rendered with errors counts), never a 5xx
TO_LOGIN = "to_login"  # 302 to the login page

ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# The cast of the matrix (root conftest): who holds which role on which side of the tree.
WHO = ("chi", "dung", "binh", "an", "staff", "anonymous")
ROLES: dict[str, dict[str, str]] = {
    "A": {"chi": "admin", "dung": "editor", "binh": "viewer"},
    "A1": {"chi": "admin", "dung": "editor", "binh": "viewer"},
    "B": {"an": "admin"},
}
EXPORTERS = frozenset({"chi", "an"})  # created with can_export=True

# Routes left out of the matrix on purpose, with the reason.
EXCLUDED: dict[str, str] = {
    "admin:*": "Django admin: superusers only, unscoped by design (STYLE.md §7.6.6); "
    "checked separately (non-staff are sent to the admin login).",
}


# ---------- The world the URLs are built from ----------


@dataclass
class Side:
    """One side of the tree as the routes see it: a unit, a user holding a grant inside its subtree
    (not the admin under test), that grant, an open child unit (or None) and an area of the unit."""

    name: str
    unit: OrgUnit
    user: Any
    grant: RoleGrant
    child: OrgUnit | None
    area: Area
    member: Any = None  # a Membership in the side's unit (Phạm Văn Ma Trận A / B)


@dataclass
class World:
    tree: Any
    users: dict[str, Any]  # the cast by name, plus em (viewer at A1) and giang (editor at A, viewer at B)
    sides: dict[str, Side]
    areas: dict[str, Area]
    giang_grant_at_a: RoleGrant
    _tokens: dict[int, tuple[ApiToken, str]] = field(default_factory=dict)
    _client: Client = field(default_factory=Client)

    def client_as(self, user: Any) -> Client:
        """The test's one client, signed in as ``user`` (or as nobody, without any cookie).

        One client, because each new one loads the middleware again, and WhiteNoise then walks
        the static files: that was most of the time of this module."""
        self._client.cookies.clear()
        if user is not None:
            self._client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return self._client

    def token(self, user: Any) -> tuple[ApiToken, str]:
        """A personal API token of ``user`` (made once per world)."""
        from sohoi.accounts.services import token_create

        if user.pk not in self._tokens:
            self._tokens[user.pk] = token_create(user=user, name="Ma trận quyền")
        return self._tokens[user.pk]

    def a_markers(self) -> list[str]:
        """Strings that name something of A's subtree: none may reach a user of B."""
        t = self.tree
        users = [self.users[n] for n in ("chi", "binh", "dung", "em")]
        with scopes_disabled():
            a_grants = list(
                RoleGrant.unscoped.filter(org_unit__in=[t.A, t.A1]).values_list("code", flat=True)
            )
        return [
            t.A.name, t.A1.name, t.A.code, t.A1.code,
            *(u.code for u in users), *(u.full_name for u in users), *a_grants,
            *(nfc(MEMBER_NAMES[n]) for n in ("A", "A1")),
            *(self.sides[n].member.code for n in ("A", "A1")),
        ]  # fmt: skip


# Distinctive full names, so "not in the page" means something (the cast's "Chi" is also in "Chi hội").
FULL_NAMES = {
    "chi": "Phạm Thị Chi",
    "binh": "Lê Văn Bình",
    "dung": "Đỗ Văn Dũng",
    "em": "Hoàng Thị Em",
    "giang": "Vũ Thị Giang",
    "an": "Ngô Văn An",
}


def _area(parent: Area | None, *, code: str, name: str, level: str) -> Area:
    if parent is None:
        return Area.objects.add_root(
            instance=Area(scheme=AreaScheme.FROM_2025, level=level, code=code, name=name)
        )
    parent = Area.objects.get(pk=parent.pk)
    return Area.objects.add_child(
        parent, instance=Area(parent=parent, scheme=parent.scheme, level=level, code=code, name=name)
    )


def build_world(tree: Any, cast: dict[str, Any]) -> World:
    """The cast of the root conftest, plus: areas for A's and B's units, em (viewer at A1) and giang,
    who holds grants on both sides (editor at A, viewer at B), so B's pages show a user who also
    has A's data attached."""
    from conftest import PASSWORD
    from sohoi.accounts.services import grant_create, user_create

    User = get_user_model()
    province_a = _area(None, code="48", name="Thành phố Đà Nẵng", level=AreaLevel.PROVINCE)
    commune_a = _area(province_a, code="20194", name="Phường Hải Châu", level=AreaLevel.COMMUNE)
    province_b = _area(None, code="91", name="Tỉnh An Giang", level=AreaLevel.PROVINCE)
    commune_b = _area(province_b, code="30280", name="Phường Long Xuyên", level=AreaLevel.COMMUNE)
    with scopes_disabled():
        OrgUnit.unscoped.filter(pk=tree.A.pk).update(area=province_a)
        OrgUnit.unscoped.filter(pk=tree.A1.pk).update(area=commune_a)
        OrgUnit.unscoped.filter(pk=tree.B.pk).update(area=province_b)
        OrgUnit.unscoped.filter(pk=tree.B1.pk).update(area=commune_b)
        for unit in ("A", "A1", "B", "B1"):
            setattr(tree, unit, OrgUnit.unscoped.select_related("area").get(pk=getattr(tree, unit).pk))

    em = user_create(
        username="em", full_name="Em", password=PASSWORD, actor=None, unit=tree.A1, role="viewer"
    )
    giang = user_create(username="giang", full_name="Giang", password=PASSWORD, actor=None, unit=tree.A,
                        role="editor")  # fmt: skip
    giang_at_b = grant_create(user=giang, role="viewer", unit=tree.B, actor=cast["an"])
    users = {**cast, "em": em, "giang": giang}
    for name, full_name in FULL_NAMES.items():
        User.objects.filter(pk=users[name].pk).update(full_name=nfc(full_name))
        users[name].full_name = nfc(full_name)

    with scopes_disabled():

        def grant_of(user: Any, unit: OrgUnit) -> RoleGrant:
            return RoleGrant.unscoped.get(user=user, org_unit=unit, revoked_at__isnull=True)

        sides = {
            "A": Side("A", tree.A, users["binh"], grant_of(users["binh"], tree.A), tree.A1, commune_a),
            "A1": Side("A1", tree.A1, em, grant_of(em, tree.A1), None, commune_a),
            "B": Side("B", tree.B, giang, giang_at_b, tree.B1, commune_b),
        }
        giang_at_a = grant_of(giang, tree.A)
    areas = {
        "province_a": province_a,
        "commune_a": commune_a,
        "province_b": province_b,
        "commune_b": commune_b,
    }
    _add_members(sides)
    world = World(tree=tree, users=users, sides=sides, areas=areas, giang_grant_at_a=giang_at_a)
    # Tokens up front: a request runs in a savepoint that is rolled back, and a token made
    # inside one would be gone for the next request.
    for name in WHO:
        if name != "anonymous":
            world.token(users[name])
    return world


MEMBER_NAMES = {"A": "Phạm Văn Mađê", "A1": "Trương Thị Mađê", "B": "Quách Văn Bêta"}


def _add_members(sides: dict[str, Side]) -> None:
    """One member in each side's unit, so member routes have a code to name."""
    from datetime import date

    from sohoi.core.scoping import unit_scope
    from sohoi.imports.values import PartialDate
    from sohoi.members.person_data import PersonInput
    from sohoi.members.services import MembershipInput, member_admit

    for name, side in sides.items():
        with unit_scope(side.unit):
            side.member, _warnings = member_admit(
                unit=side.unit,
                person=PersonInput(full_name=MEMBER_NAMES[name], birth=PartialDate(1950), gender="male",
                                   phone="0912000111", id_number="001050000111"),
                membership=MembershipInput(joined=PartialDate.from_date(date(2015, 1, 1))),
                actor=None,
            )  # fmt: skip


# ---------- The table ----------

UrlBuilder = Callable[[World, Side, Any], str]
DataBuilder = Callable[[World, Side], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    name: str  # the route's full name, namespace included ("units:detail", "api-v1:unit_detail")
    methods: tuple[str, ...]  # the methods the route serves
    url: UrlBuilder  # (world, side, acting user or None) → a concrete path
    access: str  # a unit permission or one of NON_UNIT_ACCESS
    data: DataBuilder | None = None  # the body of unsafe methods (a valid one where it is easy)
    api: bool = False

    @property
    def unit_scoped(self) -> bool:
        return self.access not in NON_UNIT_ACCESS


def _r(name: str, *args: Any) -> str:
    return reverse(name, args=[str(a) for a in args])


def _u(name: str) -> UrlBuilder:
    """A route whose only parameter is the unit."""
    return lambda w, s, who: _r(name, s.unit.code)


def _user_route(name: str) -> UrlBuilder:
    return lambda w, s, who: _r(name, s.unit.code, s.user.code)


def _api(path: str) -> UrlBuilder:
    return lambda w, s, who: "/api/v1" + path.format(unit_code=s.unit.code)


def _own_token_url(w: World, s: Side, who: Any) -> str:
    # A token of the caller (an anonymous caller names chi's: they must still be sent to log in).
    token, _key = w.token(who if who is not None else w.users["chi"])
    return _r("accounts:token_revoke", token.code)


def _child_code(s: Side) -> str:
    return s.child.code if s.child is not None else ""


def _child_level(s: Side) -> str:
    return {"district": "commune", "commune": "branch"}[s.unit.level]


DECISION = {"effective_on": "01/07/2025", "decision_ref": "15/QĐ-NCT"}

ROWS: list[Row] = [
    # --- web: outside any unit ---
    Row("web:home", ("GET",), lambda w, s, who: _r("web:home"), LOGIN),
    Row("set_language", ("POST",), lambda w, s, who: _r("set_language"), PUBLIC,
        lambda w, s: {"language": "vi", "next": "/"}),
    Row("accounts:login", ("GET", "POST"), lambda w, s, who: _r("accounts:login"), PUBLIC,
        lambda w, s: {"username": "khong-co-ai", "password": "sai-mat-khau"}),
    Row("accounts:logout", ("POST",), lambda w, s, who: _r("accounts:logout"), PUBLIC, lambda w, s: {}),
    Row("accounts:password_change", ("GET", "POST"), lambda w, s, who: _r("accounts:password_change"), LOGIN,
        lambda w, s: {"old_password": "sai", "new_password1": "x", "new_password2": "y"}),
    Row("accounts:password_change_done", ("GET",), lambda w, s, who: _r("accounts:password_change_done"), LOGIN),
    Row("accounts:large_text", ("POST",), lambda w, s, who: _r("accounts:large_text"), PUBLIC,
        lambda w, s: {"large_text": "1"}),
    Row("accounts:tokens", ("GET", "POST"), lambda w, s, who: _r("accounts:tokens"), LOGIN,
        lambda w, s: {"name": "Bảng tính báo cáo quý"}),
    Row("accounts:token_created", ("GET",), lambda w, s, who: _r("accounts:token_created"), LOGIN),
    Row("accounts:token_revoke", ("POST",), _own_token_url, LOGIN, lambda w, s: {}),
    Row("accounts:login_log", ("GET",), lambda w, s, who: _r("accounts:login_log"), SUPERUSER),
    Row("catalogue:associations", ("GET",), lambda w, s, who: _r("catalogue:associations"), LOGIN),
    Row("catalogue:association_create", ("GET", "POST"), lambda w, s, who: _r("catalogue:association_create"),
        SUPERUSER, lambda w, s: {"name": "Hội Cựu giáo chức", "abbreviation": "CGC", "code": "cuu-giao-chuc"}),
    Row("catalogue:areas", ("GET",), lambda w, s, who: _r("catalogue:areas"), LOGIN),
    Row("catalogue:area", ("GET",), lambda w, s, who: _r("catalogue:area", s.area.scheme, s.area.code), LOGIN),
    Row("catalogue:area_children", ("GET",),
        lambda w, s, who: _r("catalogue:area_children", s.area.scheme, s.area.parent.code), LOGIN),
    Row("catalogue:hamlet_create", ("GET", "POST"),
        lambda w, s, who: _r("catalogue:hamlet_create", s.area.scheme, s.area.code), AREA_ADMIN,
        lambda w, s: {"division_type": "Thôn", "name": "Thôn Ma Trận"}),
    # --- web: users and audit of a unit ---
    Row("accounts:users", ("GET",), _u("accounts:users"), "users.manage"),
    Row("accounts:user_create", ("GET", "POST"), _u("accounts:user_create"), "users.manage",
        lambda w, s: {"full_name": "Nguyễn Thị Hoa", "username": "hoa", "phone": "0912345678",
                      "password": "Một-mật-khẩu-dài-2026", "unit": s.unit.code, "role": "viewer"}),
    Row("accounts:user_detail", ("GET", "POST"), _user_route("accounts:user_detail"), "users.manage",
        lambda w, s: {"unit": s.unit.code, "role": "editor"}),
    Row("accounts:user_reset_password", ("POST",), _user_route("accounts:user_reset_password"), "users.manage",
        lambda w, s: {"password": "Mật-khẩu-mới-rất-dài-2026"}),
    Row("accounts:user_set_active", ("POST",), _user_route("accounts:user_set_active"), "users.manage",
        lambda w, s: {"is_active": "0"}),
    Row("accounts:grant_revoke", ("POST",),
        lambda w, s, who: _r("accounts:grant_revoke", s.unit.code, s.user.code, s.grant.code), "users.manage",
        lambda w, s: {}),
    Row("accounts:audit", ("GET",), _u("accounts:audit"), "audit.view"),
    # --- web: the unit tree ---
    Row("units:detail", ("GET",), _u("units:detail"), "units.view"),
    Row("units:children", ("GET",), _u("units:children"), "units.view"),
    Row("units:history", ("GET",), _u("units:history"), "units.view"),
    Row("units:create", ("GET", "POST"), _u("units:create"), "units.manage",
        lambda w, s: {"name": "Chi hội Ma Trận", "level": _child_level(s)}),
    Row("units:edit", ("GET", "POST"), _u("units:edit"), "units.manage",
        lambda w, s: {"name": s.unit.name + " (đổi tên)", "area": ""}),
    Row("units:move", ("GET", "POST"), _u("units:move"), "units.manage",
        lambda w, s: {"unit": _child_code(s), "new_parent": s.unit.code, **DECISION}),
    Row("units:merge", ("GET", "POST"), _u("units:merge"), "units.manage",
        lambda w, s: {"action": "commit", "mode": "existing", "sources": [_child_code(s)],
                      "successor": s.unit.code, **DECISION}),
    Row("units:split", ("GET", "POST"), _u("units:split"), "units.manage",
        lambda w, s: {"action": "commit", "nguon": _child_code(s), "rows": "2", "name_0": "Chi hội Đông",
                      "name_1": "Chi hội Tây", "data_to": "0", **DECISION}),
    # --- API v1 ---
    Row("api-v1:openapi-json", ("GET",), _api("/openapi.json"), PUBLIC, api=True),
    Row("api-v1:openapi-view", ("GET",), _api("/docs"), PUBLIC, api=True),
    Row("api-v1:api-root", ("GET",), _api("/"), NOT_FOUND, api=True),
    Row("api-not-found", ("GET", "POST"), lambda w, s, who: "/api/khong-co-dia-chi-nay/", NOT_FOUND,
        lambda w, s: {}, api=True),
    Row("api-v1:association_list", ("GET",), _api("/associations"), LOGIN, api=True),
    Row("api-v1:association_detail", ("GET",), _api("/associations/nct"), LOGIN, api=True),
    Row("api-v1:area_list", ("GET",), _api("/areas"), LOGIN, api=True),
    Row("api-v1:area_detail", ("GET",),
        lambda w, s, who: f"/api/v1/areas/{s.area.scheme}/{s.area.code}", LOGIN, api=True),
    Row("api-v1:me", ("GET",), _api("/me"), LOGIN, api=True),
    Row("api-v1:unit_list", ("GET",), _api("/units"), LOGIN, api=True),
    Row("api-v1:unit_detail", ("GET",), _api("/u/{unit_code}"), "units.view", api=True),
    Row("api-v1:unit_children", ("GET",), _api("/u/{unit_code}/children"), "units.view", api=True),
    Row("api-v1:unit_subtree", ("GET",), _api("/u/{unit_code}/subtree"), "units.view", api=True),
    Row("api-v1:unit_child_create", ("POST",), _api("/u/{unit_code}/children"), "units.manage",
        lambda w, s: {"name": "Chi hội Ma Trận", "level": _child_level(s)}, api=True),
]  # fmt: skip


def _rows_from_part_files() -> None:
    """Each part of the app lists its routes in its own tests/matrix_rows_<part>.py (``ROWS``)."""
    import importlib
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("matrix_rows_*.py")):
        ROWS.extend(importlib.import_module(f"tests.{path.stem}").ROWS)


_rows_from_part_files()

TABLE: dict[str, Row] = {row.name: row for row in ROWS}
assert len(TABLE) == len(ROWS), "a route is listed twice"


# ---------- What each cast member should get ----------


def expected(row: Row, who: str, side: str) -> str | int:
    """The outcome for ``who`` on ``row`` built from ``side``'s objects (ALLOWED, TO_LOGIN or a status)."""
    if row.access == NOT_FOUND:
        return 404
    if row.access == PUBLIC:
        return ALLOWED
    if who == "anonymous":
        return 401 if row.api else TO_LOGIN
    if row.access == LOGIN or who == "staff":
        return ALLOWED
    if row.access == SUPERUSER:
        return 404
    role = ROLES[side].get(who)
    if row.access == AREA_ADMIN:
        return ALLOWED if role == "admin" else 404
    if role is None:
        return 404
    perms = ROLE_PERMS[role] | ({EXPORT_PERM} if who in EXPORTERS else set())
    return ALLOWED if row.access in perms else 403


# ---------- Sending a request ----------


def send(
    client: Client,
    method: str,
    url: str,
    data: dict[str, Any] | None,
    *,
    api: bool,
    headers: dict | None = None,
) -> Any:
    headers = headers or {}
    if method == "GET":
        return client.get(url, headers=headers)
    if method == "HEAD":
        return client.head(url, headers=headers)
    if method == "OPTIONS":
        return client.options(url, headers=headers)
    if method == "POST" and not api:
        return client.post(url, data or {}, headers=headers)
    import json

    body = json.dumps(data or {})
    return getattr(client, method.lower())(url, body, content_type="application/json", headers=headers)


def bearer(world: World, user: Any) -> dict[str, str]:
    _token, key = world.token(user)
    return {"Authorization": f"Bearer {key}"}


# ---------- What must not change when a request is refused ----------


def snapshot() -> dict[str, Any]:
    """Everything a refused request could have changed (logins are audited and left out)."""
    User = get_user_model()
    with scopes_disabled():
        return {
            "units": sorted(
                OrgUnit.unscoped.values_list("code", "name", "path", "parent_id", "area_id", "closed_on")
            ),
            "unit_events": UnitEvent.unscoped.count(),
            "unit_event_links": UnitEventLink.unscoped.count(),
            "grants": sorted(RoleGrant.unscoped.values_list("code", "role", "org_unit_id", "revoked_at")),
            "users": sorted(User.objects.values_list("code", "is_active", "password", "full_name")),
            "audit": AuditEvent.unscoped.exclude(action__in=LOGIN_ACTIONS).count(),
            "tokens": sorted(ApiToken.objects.values_list("code", "revoked_at")),
            "areas": Area.objects.count(),
            "associations": Association.objects.count(),
        }


# ---------- The URL resolver ----------


def resolver_routes() -> Iterator[tuple[str, str, Any]]:
    """(full name, route, callback) of every URL pattern, namespaced includes followed."""

    def walk(
        resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]
    ) -> Iterator[tuple[str, str, Any]]:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                yield from walk(pattern, route, inner)
            else:
                assert isinstance(pattern, URLPattern)
                name = ":".join((*namespaces, pattern.name or f"<unnamed {route}>"))
                yield name, route, pattern.callback

    yield from walk(get_resolver(), "/", ())


def excluded_by(key: str, name: str) -> bool:
    """Whether the EXCLUDED entry ``key`` ("admin:*" for a whole namespace) covers the route ``name``."""
    return name == key or (key.endswith(":*") and name.startswith(key[:-1]))


def is_excluded(name: str) -> bool:
    return any(excluded_by(key, name) for key in EXCLUDED)
