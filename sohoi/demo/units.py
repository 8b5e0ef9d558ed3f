"""The demo's unit trees (DOMAIN.md §1.2, §2, §5.1), each built through orgunits.services.

- Hội NCT tỉnh Bắc Giang and the old Hội NCT tỉnh Bắc Ninh, with districts, communes, chi hội
  per thôn / tổ dân phố and a couple of tổ hội, then the 2025 reform as it happened: on
  1 July 2025 both merge into a new Hội NCT tỉnh Bắc Ninh, the districts end, and the old
  communes merge into the new 2025 communes (chosen from the official conversion table).
- Hội NCT thành phố Hải Phòng, created on the 2025 divisions.
- Phường Chánh Lộ (Quảng Ngãi) with its five special associations and 8 tổ dân phố.

Communes are fixed by code (real ones, chosen so that several old communes fall into one new
commune); names of thôn and people come from the seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from sohoi.core.text import fold
from sohoi.orgunits.models import Area, OrgUnit, UnitLevel
from sohoi.orgunits.services import orgunit_close, orgunit_merge, orgunit_update

from .areas import NEW, OLD
from .build import DemoBuild
from .seeding import VILLAGE_NAMES, lower_first

REFORM_ON = date(2025, 7, 1)
PROVINCE_DECISION = "1234/QĐ-NCTVN"
PROVINCE_DECISION_ON = date(2025, 6, 27)
HAI_PHONG_DECISION = "1241/QĐ-NCTVN"
NEW_BAC_NINH_NAME = "Hội NCT tỉnh Bắc Ninh"
# The open-name rule (one open unit of a name under one parent) refuses the new Hội NCT tỉnh
# Bắc Ninh while the old one is still open, and orgunit_merge creates its successor before it
# closes the sources. So the successor opens under this name and takes its real name once the
# old unit is closed, on the same day and under the same decision.
NEW_BAC_NINH_INTERIM_NAME = "Hội NCT tỉnh Bắc Ninh (sau sáp nhập)"

TOWN_TYPES = {"thị trấn", "phường"}


@dataclass(frozen=True)
class ProvinceSpec:
    key: str
    area_code: str  # pre2025 province
    opened_on: date | None
    districts: Sequence[tuple[str, Sequence[str]]]  # (district code, commune codes)


# Lạng Giang: Vôi, Hương Lạc, Tân Hưng → xã Lạng Giang; Tiên Lục, An Hà → xã Tiên Lục; Kép → xã Kép.
# Tân Yên: Cao Thượng, Cao Xá → xã Tân Yên; Nhã Nam → xã Nhã Nam.
BAC_GIANG = ProvinceSpec(
    key="nct/bacgiang",
    area_code="24",
    opened_on=date(2000, 6, 6),
    districts=[
        ("217", ["07375", "07405", "07417", "07393", "07396", "07399"]),
        ("216", ["07339", "07336", "07306"]),
    ],
)
# Tiên Du: Lim, Phú Lâm → xã Tiên Du; Phật Tích. Yên Phong: Chờ → xã Yên Phong; Tam Giang.
OLD_BAC_NINH = ProvinceSpec(
    key="nct/bacninh-truoc-2025",
    area_code="27",
    opened_on=date(2001, 6, 6),
    districts=[("260", ["09319", "09322", "09349"]), ("258", ["09193", "09202"])],
)
HAI_PHONG_COMMUNES = ["11311", "11383", "11755"]  # phường Hồng Bàng, phường Lê Chân, xã Tiên Lãng

CHANH_LO = "21031"  # Phường Chánh Lộ, thành phố Quảng Ngãi (pre2025)
QUANG_NGAI = "51"
CHANH_LO_QUARTERS = 8
SPECIAL_ASSOCIATIONS = ["nncddc", "nct", "khuyen-hoc", "cuu-tnxp", "tu-yeu-nuoc"]
ROOT_ORDER = ["nct", "khuyen-hoc", "nncddc", "cuu-tnxp", "tu-yeu-nuoc"]
# The demo's tổ hội sit under the first tổ dân phố of thị trấn Vôi (later xã Lạng Giang).
GROUP_BRANCH_KEY = "nct/bacgiang/217/07375/to-dan-pho-1"


def unit_name(prefix: str, area: Area) -> str:
    """'Hội NCT' + 'Huyện Lạng Giang' → 'Hội NCT huyện Lạng Giang'."""
    return f"{prefix} {lower_first(area.name)}"


def _villages(build: DemoBuild) -> list[str]:
    if build.villages is None:
        build.villages = build.rng.sample(VILLAGE_NAMES, k=len(VILLAGE_NAMES))
    return build.villages


def add_branches(
    build: DemoBuild, key: str, commune: OrgUnit, commune_area: Area, count: int
) -> list[OrgUnit]:
    """One chi hội per thôn (xã) or tổ dân phố (phường, thị trấn), the hamlet created as an area."""
    branches = []
    for number in range(1, count + 1):
        if commune_area.division_type in TOWN_TYPES:
            hamlet_name, kind = f"Tổ dân phố {number}", "tổ dân phố"
        else:
            hamlet_name, kind = f"Thôn {_villages(build).pop()}", "thôn"
        hamlet = build.areas.hamlet(commune_area, hamlet_name, kind)
        branches.append(
            build.add_unit(
                f"{key}/{fold(hamlet_name).replace(' ', '-')}",
                parent=commune,
                name=f"Chi hội {lower_first(hamlet_name)}",
                level=UnitLevel.BRANCH,
                area=hamlet,
            )
        )
    return branches


def build_roots(build: DemoBuild) -> None:
    """The central unit of each association the demo uses (Hội NCT Việt Nam first)."""
    for code in ROOT_ORDER:
        association = build.association(code)
        opened_on = date(1995, 5, 10) if code == "nct" else None  # DOMAIN.md §1.1
        build.add_root(
            code, association=association, name=f"{association.short_name} Việt Nam", opened_on=opened_on
        )


def _build_old_province(build: DemoBuild, spec: ProvinceSpec) -> list[OrgUnit]:
    """A pre-2025 province Hội with its districts, communes and chi hội; returns the communes."""
    area = build.areas.get(OLD, spec.area_code)
    province = build.add_unit(
        spec.key, parent=build.units["nct"], name=unit_name("Hội NCT", area), level=UnitLevel.PROVINCE,
        area=area, opened_on=spec.opened_on,
    )  # fmt: skip
    communes = []
    for district_code, commune_codes in spec.districts:
        district_area = build.areas.get(OLD, district_code)
        district_key = f"{spec.key}/{district_code}"
        district = build.add_unit(
            district_key, parent=province, name=unit_name("Hội NCT", district_area), level=UnitLevel.DISTRICT,
            area=district_area,
        )  # fmt: skip
        for commune_code in commune_codes:
            commune_area = build.areas.get(OLD, commune_code)
            commune_key = f"{district_key}/{commune_code}"
            commune = build.add_unit(
                commune_key, parent=district, name=unit_name("Hội NCT", commune_area), level=UnitLevel.COMMUNE,
                area=commune_area,
            )  # fmt: skip
            add_branches(build, commune_key, commune, commune_area, build.rng.randint(2, 3))
            communes.append(commune)
    return communes


def _add_groups(build: DemoBuild) -> None:
    """Two tổ hội under the first chi hội of one commune (DOMAIN.md §1.2: large chi hội have them)."""
    branch = build.units[GROUP_BRANCH_KEY]
    for number in (1, 2):
        build.add_unit(
            f"{GROUP_BRANCH_KEY}/to-hoi-{number}", parent=branch, name=f"Tổ hội số {number}", level=UnitLevel.GROUP,
            area=branch.area,
        )  # fmt: skip


def build_bac_giang_reform(build: DemoBuild) -> None:
    """Bắc Giang and the old Bắc Ninh before 2025, then their merger on 1 July 2025.

    Order matters: the old communes merge first (their chi hội move to the new communes), then
    the districts end (dissolved: no open children are left), then
    the two provinces merge into the new one. The old provinces keep their closed districts
    and communes as history.
    """
    old_communes = _build_old_province(build, BAC_GIANG)
    _add_groups(build)
    old_communes += _build_old_province(build, OLD_BAC_NINH)

    new_area = build.areas.get(NEW, "24")
    new_province = build.add_unit(
        "nct/bacninh", parent=build.units["nct"], name=NEW_BAC_NINH_INTERIM_NAME, level=UnitLevel.PROVINCE,
        area=new_area, opened_on=REFORM_ON, decision_ref=PROVINCE_DECISION,
    )  # fmt: skip

    groups: dict[str, list[OrgUnit]] = {}
    successor_areas: dict[str, Area] = {}
    for commune in old_communes:
        successor = build.areas.successor(commune.area)
        successor_areas[successor.code] = successor
        groups.setdefault(successor.code, []).append(commune)
    for number, (code, sources) in enumerate(groups.items(), start=21):
        area = successor_areas[code]
        decision_ref = f"{number}/QĐ-NCTBN"
        target = build.add_unit(
            f"nct/bacninh/{code}", parent=new_province, name=unit_name("Hội NCT", area), level=UnitLevel.COMMUNE,
            area=area, opened_on=REFORM_ON, decision_ref=decision_ref,
        )  # fmt: skip
        orgunit_merge(
            sources=sources,
            into=target,
            effective_on=REFORM_ON,
            decision_ref=decision_ref,
            decision_on=PROVINCE_DECISION_ON,
            note=_("Hợp nhất Hội NCT các xã, thị trấn cũ theo sắp xếp đơn vị hành chính cấp xã."),
            actor=None,
        )

    districts = [
        u for k, u in build.units.items() if u.level == UnitLevel.DISTRICT and k.startswith("nct/bacgiang")
    ]
    districts += [
        u for k, u in build.units.items() if u.level == UnitLevel.DISTRICT and k.startswith(OLD_BAC_NINH.key)
    ]
    for district in districts:
        orgunit_close(
            unit=district,
            effective_on=REFORM_ON,
            decision_ref=PROVINCE_DECISION,
            decision_on=PROVINCE_DECISION_ON,
            note=_("Kết thúc hoạt động của Hội NCT cấp huyện khi không còn tổ chức hành chính cấp huyện."),
            actor=None,
        )
    orgunit_merge(
        sources=[build.units[BAC_GIANG.key], build.units[OLD_BAC_NINH.key]],
        into=new_province,
        effective_on=REFORM_ON,
        decision_ref=PROVINCE_DECISION,
        decision_on=PROVINCE_DECISION_ON,
        note=_("Hợp nhất Hội NCT tỉnh Bắc Giang và Hội NCT tỉnh Bắc Ninh theo Nghị quyết 202/2025/QH15."),
        actor=None,
    )
    orgunit_update(
        unit=new_province,
        name=NEW_BAC_NINH_NAME,
        area=new_area,
        effective_on=REFORM_ON,
        decision_ref=PROVINCE_DECISION,
        actor=None,
    )


def build_hai_phong(build: DemoBuild) -> None:
    """Hội NCT thành phố Hải Phòng, set up on the 2025 divisions with a few wards and communes."""
    area = build.areas.get(NEW, "31")
    city = build.add_unit(
        "nct/haiphong", parent=build.units["nct"], name=unit_name("Hội NCT", area), level=UnitLevel.PROVINCE,
        area=area, opened_on=REFORM_ON, decision_ref=HAI_PHONG_DECISION,
    )  # fmt: skip
    for code in HAI_PHONG_COMMUNES:
        commune_area = build.areas.get(NEW, code)
        key = f"nct/haiphong/{code}"
        commune = build.add_unit(
            key, parent=city, name=unit_name("Hội NCT", commune_area), level=UnitLevel.COMMUNE,
            area=commune_area, opened_on=REFORM_ON,
        )  # fmt: skip
        add_branches(build, key, commune, commune_area, build.rng.randint(2, 3))


def build_chanh_lo(build: DemoBuild) -> None:
    """Phường Chánh Lộ and its five special associations, each under its own province unit.

    The ward is kept on its pre-2025 area: its Hội have not merged into phường Cẩm Thành yet
    (about half the commune Hội NCT had not, in December 2025, DOMAIN.md §2.2), which is also
    the legacy data the system must carry. The province units are current ones (2025 area).
    """
    ward_area = build.areas.get(OLD, CHANH_LO)
    province_area = build.areas.get(NEW, QUANG_NGAI)
    quarters = [
        build.areas.hamlet(ward_area, f"Tổ dân phố {n}", "tổ dân phố")
        for n in range(1, CHANH_LO_QUARTERS + 1)
    ]
    for code in SPECIAL_ASSOCIATIONS:
        association = build.association(code)
        prefix = association.short_name
        province = build.add_unit(
            f"{code}/quangngai", parent=build.units[code], name=unit_name(prefix, province_area),
            level=UnitLevel.PROVINCE, area=province_area,
        )  # fmt: skip
        ward_key = f"{code}/quangngai/chanhlo"
        ward = build.add_unit(
            ward_key,
            parent=province,
            name=unit_name(prefix, ward_area),
            level=UnitLevel.COMMUNE,
            area=ward_area,
        )
        # Hội NCT has a chi hội in every tổ dân phố; the smaller associations in some of them.
        chosen = (
            quarters
            if code == "nct"
            else sorted(build.rng.sample(quarters, k=build.rng.randint(2, 4)), key=lambda a: a.code)
        )
        for quarter in chosen:
            build.add_unit(
                f"{ward_key}/{quarter.code}", parent=ward, name=f"Chi hội {lower_first(quarter.name)}",
                level=UnitLevel.BRANCH, area=quarter,
            )  # fmt: skip
