"""Demo users, one per role and level, and the table ``sohoi demo --print-logins`` prints.

Passwords are recomputed from the seed (seeding.password_for), never stored in clear. The
table shows them as initial passwords without checking them against the database: each check
costs one Argon2 hash (about 0.3 s here), and ``make run`` prints the table at every start.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from sohoi.accounts.models import Role, RoleGrant, User
from sohoi.accounts.services import system_grant_area, user_create

from .areas import OLD
from .build import DemoBuild
from .seeding import password_for, person_name
from .units import CHANH_LO, GROUP_BRANCH_KEY

SUPERUSER = "superuser"


@dataclass(frozen=True)
class Login:
    username: str
    role: str  # a Role value, or SUPERUSER
    unit_key: str | None = None  # a key of DemoBuild.units
    area: tuple[str, str] | None = None  # (scheme, code) of an area grant on every association
    can_export: bool = False
    full_name: str = ""  # fixed name; else a person's name drawn from the seed


def _three(prefix: str, unit_key: str) -> list[Login]:
    return [
        Login(f"{prefix}.admin", Role.ADMIN, unit_key, can_export=True),
        Login(f"{prefix}.editor", Role.EDITOR, unit_key),
        Login(f"{prefix}.viewer", Role.VIEWER, unit_key),
    ]


LOGINS: list[Login] = [
    Login("quantri", SUPERUSER, full_name="Quản trị hệ thống"),
    *_three("trunguong", "nct"),
    *_three("tinh.bacninh", "nct/bacninh"),
    *_three("xa.langgiang", "nct/bacninh/07375"),
    *_three("chihoi.langgiang", GROUP_BRANCH_KEY),
    Login("tp.haiphong.admin", Role.ADMIN, "nct/haiphong", can_export=True),
    Login("canbo.chanhlo", Role.ADMIN, "nct/quangngai/chanhlo", can_export=True),
    Login("khuyenhoc.chanhlo", Role.EDITOR, "khuyen-hoc/quangngai/chanhlo"),
    Login("ubnd.chanhlo", Role.VIEWER, area=(OLD, CHANH_LO), full_name="UBND phường Chánh Lộ"),
]


def build_users(build: DemoBuild) -> None:
    """Create every demo login through accounts.services, as the system (actor=None)."""
    for login in LOGINS:
        full_name = login.full_name or person_name(build.rng)
        password = password_for(build.seed, login.username)
        if login.role == SUPERUSER:
            user = user_create(username=login.username, full_name=full_name, password=password, actor=None,
                               is_superuser=True)  # fmt: skip
        elif login.area is not None:
            user = user_create(username=login.username, full_name=full_name, password=password, actor=None)
            # No association listed: the People's Committee sees every Hội of its ward.
            system_grant_area(
                user=user, role=login.role, area=build.areas.get(*login.area), can_export=login.can_export
            )
        else:
            user = user_create(
                username=login.username, full_name=full_name, password=password, actor=None,
                unit=build.units[login.unit_key], role=login.role, can_export=login.can_export,
            )  # fmt: skip
        build.relabel(user, f"user:{login.username}")
        build.users.append(user)


@dataclass(frozen=True)
class LoginRow:
    username: str
    password: str
    role: str
    place: str


def login_rows(seed: int) -> list[LoginRow]:
    """The demo logins present in the database, in the order of LOGINS (2 queries)."""
    users = {u.username: u for u in User.objects.filter(username__in=[login.username for login in LOGINS])}
    grants: dict[int, list[RoleGrant]] = {}
    active = RoleGrant.unscoped.filter(user__in=list(users.values()), revoked_at__isnull=True)
    for grant in active.select_related("org_unit", "area").order_by("id"):
        grants.setdefault(grant.user_id, []).append(grant)
    rows = []
    for login in LOGINS:
        user = users.get(login.username)
        if user is None:
            continue
        password = password_for(seed, login.username)
        if user.is_superuser:
            rows.append(LoginRow(user.username, password, _("Quản trị hệ thống"), _("Toàn hệ thống")))
            continue
        for grant in grants.get(user.pk, []) or [None]:
            if grant is None:
                role, place = "—", _("(chưa được phân quyền)")
            elif grant.org_unit is not None:
                role, place = str(Role(grant.role).label), grant.org_unit.name
            else:
                role = str(Role(grant.role).label)
                place = _("%(area)s — mọi hội trên địa bàn") % {"area": grant.area.name}
            rows.append(LoginRow(user.username, password, role, place))
    return rows


def logins_table(seed: int) -> str:
    """A plain-text table for the terminal (names are NFC, one column per character)."""
    rows = login_rows(seed)
    if not rows:
        return _("Không có tài khoản mẫu nào trong cơ sở dữ liệu này.")
    header = LoginRow(_("Tên đăng nhập"), _("Mật khẩu ban đầu"), _("Vai trò"), _("Đơn vị / địa bàn"))
    table = [header, *rows]
    widths = [max(len(getattr(row, col)) for row in table) for col in ("username", "password", "role")]

    def line(row: LoginRow) -> str:
        cells = [
            row.username.ljust(widths[0]),
            row.password.ljust(widths[1]),
            row.role.ljust(widths[2]),
            row.place,
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths) + "  " + "-" * max(len(r.place) for r in table)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
