"""The administrative areas the demo sits in, looked up by (scheme, official code).

Areas are reference data loaded by ``sohoi load_areas`` (orgunits.area_loader); the demo only
adds thôn / tổ dân phố under communes, through ``orgunits.services.hamlet_create``.
"""

from __future__ import annotations

from django.core.management import call_command
from django.utils.translation import gettext as _

from sohoi.core.errors import DomainError
from sohoi.core.text import name_key
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme, AreaSuccession
from sohoi.orgunits.services import hamlet_create

OLD = AreaScheme.BEFORE_2025.value
NEW = AreaScheme.FROM_2025.value


def ensure_areas() -> bool:
    """Load the national lists when there are no areas at all; True if it loaded them."""
    if Area.objects.exists():
        return False
    call_command("load_areas", quiet=True)
    return True


class AreaBook:
    """Area lookups for one build, cached: the builders ask for the same province many times."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Area] = {}

    def get(self, scheme: str, code: str) -> Area:
        key = (scheme, code)
        if key not in self._cache:
            area = Area.objects.filter(scheme=scheme, code=code).first()
            if area is None:
                raise DomainError(
                    _("Không tìm thấy địa bàn mã %(code)s (%(scheme)s). Hãy chạy “sohoi load_areas” trước.")
                    % {"code": code, "scheme": scheme}
                )
            self._cache[key] = area
        return self._cache[key]

    def successor(self, old: Area) -> Area:
        """The 2025 commune an old commune became (AreaSuccession, from the conversion table).

        An old commune split between several new ones is given to the one that took it whole,
        else to the lowest code: a unit cannot be split by the demo's simple merge.
        """
        links = list(AreaSuccession.objects.filter(old_area=old).select_related("new_area"))
        if not links:
            raise DomainError(
                _("Không có địa bàn mới tương ứng với %(name)s (mã %(code)s) trong bảng chuyển đổi.")
                % {"name": old.name, "code": old.code}
            )
        links.sort(key=lambda link: (link.is_partial, link.new_area.code))
        return links[0].new_area

    def hamlet(self, commune: Area, name: str, division_type: str) -> Area:
        """The thôn / tổ dân phố ``name`` of ``commune``, created once (a rebuilt demo reuses it)."""
        for existing in Area.objects.filter(parent=commune, level=AreaLevel.HAMLET):
            if name_key(existing.name) == name_key(name):
                return existing
        return hamlet_create(commune=commune, name=name, division_type=division_type, actor=None)
