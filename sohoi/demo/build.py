"""Orchestration of ``sohoi demo``: one transaction, the unit builders, the users, then the
builders other apps register (members arrive with the members module).

Everything is written through the services of orgunits and accounts with ``actor=None`` (the
system). The public codes of units and users are fixed by the seed: the services give every
new row a random code, and the demo relabels a unit or user right after creating it, before
anything else refers to the code (see ``DemoBuild.relabel``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from sohoi.accounts.models import User
from sohoi.core.errors import DomainError
from sohoi.core.models import AuditEvent
from sohoi.core.scoping import unit_scope
from sohoi.orgunits.models import Area, Association, OrgUnit
from sohoi.orgunits.services import orgunit_create, orgunit_create_root

from .areas import AreaBook
from .seeding import seeded_code

SEED_FILE_NAME = "demo.json"


@dataclass
class DemoBuild:
    """The state one build passes from builder to builder."""

    seed: int
    rng: random.Random
    areas: AreaBook = field(default_factory=AreaBook)
    # Stable keys ("nct", "nct/bacninh", "nct/bacninh/07375" …) → unit, for later builders and tests.
    units: dict[str, OrgUnit] = field(default_factory=dict)
    users: list[User] = field(default_factory=list)
    # Village names still free, drawn from the seed on first use (see units.add_branches).
    villages: list[str] | None = None

    def association(self, code: str) -> Association:
        return Association.objects.get(code=code)

    def relabel(self, instance: OrgUnit | User, key: str) -> None:
        """Give a row just created by a service its seed-derived public code.

        The services do not take a code, so the demo sets it with one UPDATE and moves the
        creation's audit rows to the new code in the same transaction; nothing else refers to
        the random code yet. Event, grant and audit codes stay random (never in a login URL).
        """
        code = seeded_code(self.seed, key)
        old = instance.code
        type(instance)._base_manager.filter(pk=instance.pk).update(code=code)
        AuditEvent.unscoped.filter(target_type=instance._meta.label_lower, target_code=old).update(
            target_code=code
        )
        instance.code = code

    def add_root(
        self, key: str, *, association: Association, name: str, opened_on: date | None = None
    ) -> OrgUnit:
        unit = orgunit_create_root(
            association=association, name=name, area=None, actor=None, opened_on=opened_on
        )
        return self._keep(key, unit)

    def add_unit(
        self,
        key: str,
        *,
        parent: OrgUnit,
        name: str,
        level: str,
        area: Area | None,
        opened_on: date | None = None,
        decision_ref: str = "",
    ) -> OrgUnit:
        unit = orgunit_create(
            parent=parent,
            name=name,
            level=level,
            area=area,
            actor=None,
            opened_on=opened_on,
            decision_ref=decision_ref,
        )
        return self._keep(key, unit)

    def _keep(self, key: str, unit: OrgUnit) -> OrgUnit:
        if key in self.units:
            raise ValueError(f"demo unit key used twice: {key}")
        self.relabel(unit, f"unit:{key}")
        self.units[key] = unit
        return unit

    def refresh_units(self) -> None:
        """Reload every unit after the merges moved and closed some (paths and dates changed)."""
        fresh = OrgUnit.unscoped.select_related("association", "area", "parent").in_bulk(
            [u.pk for u in self.units.values()]
        )
        self.units = {key: fresh[unit.pk] for key, unit in self.units.items()}


Builder = Callable[[DemoBuild], None]
MemberBuilder = Callable[[DemoBuild, int], None]

_member_builders: list[MemberBuilder] = []


def register_member_builder(builder: MemberBuilder) -> MemberBuilder:
    """Add a ``builder(build, n)`` that creates ``n`` demo members (``--members N``).

    It runs after the units and users, in the same transaction, with ``build.rng`` and
    ``build.units``, and writes through the members services like everything else here. The
    members issue adds it as ``sohoi/demo/members.py`` and registers it from this module, so
    the demo depends on members and never the reverse.
    """
    if builder not in _member_builders:
        _member_builders.append(builder)
    return builder


def check_members_supported(members: int) -> None:
    """Refuse ``--members N`` before anything is written while no members builder exists."""
    if members < 0:
        raise DomainError(_("Số hội viên mẫu không thể âm."), field="members")
    if members and not _member_builders:
        raise DomainError(
            _(
                "Chưa hỗ trợ tạo hội viên mẫu (--members): phần này sẽ có cùng mô-đun hội viên. "
                "Hãy chạy lại không có --members."
            ),
            code="unsupported",
            field="members",
        )


def unit_builders() -> list[Builder]:
    from .units import build_bac_giang_reform, build_chanh_lo, build_hai_phong, build_roots

    return [build_roots, build_bac_giang_reform, build_hai_phong, build_chanh_lo]


def build_demo(*, seed: int, members: int = 0) -> DemoBuild:
    """Build the whole demo in one transaction; nothing is kept if any step fails.

    The caller checks the database has no units. The roots are created first (creating a root
    needs no scope); the rest runs inside ``unit_scope`` of those roots, as the system acting
    on the trees it just created, so every service's scope check holds.
    """
    from .users import build_users

    check_members_supported(members)
    build = DemoBuild(seed=seed, rng=random.Random(seed))
    builders = unit_builders()
    with transaction.atomic():
        builders[0](build)
        roots = [u for u in build.units.values() if u.parent_id is None]
        with unit_scope(roots):
            for builder in builders[1:]:
                builder(build)
            build.refresh_units()
            build_users(build)
            for member_builder in _member_builders if members else []:
                member_builder(build, members)
    return build


def seed_file() -> str:
    return str(settings.VAR_DIR / SEED_FILE_NAME)


def save_seed(seed: int) -> None:
    """Remember the seed of the demo database, so ``--print-logins`` alone can recompute passwords.

    Only the seed is kept, no password: anyone holding the seed can recompute them anyway.
    """
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    (settings.VAR_DIR / SEED_FILE_NAME).write_text(json.dumps({"seed": seed}) + "\n", encoding="utf-8")


def stored_seed() -> int | None:
    path = settings.VAR_DIR / SEED_FILE_NAME
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("seed")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


from . import members as _members  # noqa: E402, F401  (registers the members builder; imports this module)
from . import reports as _reports  # noqa: E402, F401  (after the members: the report data reads their figures)
