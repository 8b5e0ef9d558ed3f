"""Members made through the real service, the way every test of the register starts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members.models import Membership
from sohoi.members.person_data import PersonInput
from sohoi.members.services import MembershipInput, member_admit


def admit(
    unit: Any,
    name: str = "Nguyễn Văn Hùng",
    born: int | None = 1950,
    joined: date = date(2015, 3, 1),
    *,
    actor: Any = None,
    confirmed_warnings: bool = False,
    **person: Any,
) -> Membership:
    """Admit ``name`` to ``unit`` (a new person), inside the unit's scope."""
    with unit_scope(unit):
        membership, _warnings = member_admit(
            unit=unit,
            person=PersonInput(full_name=name, birth=PartialDate(born) if born else None, **person),
            membership=MembershipInput(joined=PartialDate.from_date(joined)),
            actor=actor,
            confirmed_warnings=confirmed_warnings,
        )
    return membership
