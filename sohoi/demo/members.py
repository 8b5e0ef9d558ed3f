"""Demo members (``sohoi demo --members N``): realistic people in the demo's open units, with a past.

A plan is drawn first from ``random.Random("<seed>:members")`` (pure data: names, dates, IDs,
phones, what happens to each member later), then carried out through the members services
(member_admit, member_transfer, member_leave, member_record_death) inside the build's scope and
transaction, like a cadre would record them. The plan has its own random stream, so the
members do not change when a builder before it draws one more number; the same seed gives the
same plan (for the same day: ages are counted back from today, so they stay 55–104).

- Names: a pool covering every tone (huyền, hỏi, ngã, sắc, nặng) and ă â đ ê ô ơ ư, common
  family names weighted like the country (Nguyễn first), compound ones (Tôn Thất, Tôn Nữ …),
  middle names that fit the gender (Văn / Thị often, not always).
- Ages 55–104, most 60–75, few above 90, a handful 100+; those under 60 joined by exception.
- Birth dates known to the day, the month or only the year; CCCD numbers that agree with the
  birth year, gender and a province code, some old CMND, no ID for a few; phones for about half.
- Joined after the 60th birthday, over the past decades; some transfers, departures and deaths
  in past years, so timelines and as-of figures have history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from sohoi.imports.values import PROVINCE_CODES, PartialDate
from sohoi.members.models import Membership
from sohoi.members.person_data import PersonInput, age_on
from sohoi.members.services import (
    MembershipInput,
    member_admit,
    member_leave,
    member_record_death,
    member_transfer,
    number_issuer_for,
)
from sohoi.orgunits.models import Area, AreaLevel, OrgUnit, UnitLevel

from .build import DemoBuild, register_member_builder

# What ``sohoi demo`` adds when --members is not given (``make run``): enough for every page.
DEFAULT_MEMBERS = 300
HOI_FOUNDED = date(1995, 5, 10)

# (family name, weight): about the country's shares, plus rarer and compound names.
FAMILY_NAMES: list[tuple[str, int]] = [
    ("Nguyễn", 300), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 50), ("Huỳnh", 20), ("Phan", 40),
    ("Vũ", 40), ("Võ", 20), ("Đặng", 25), ("Bùi", 25), ("Đỗ", 25), ("Hồ", 15), ("Ngô", 15), ("Dương", 12),
    ("Lý", 8), ("Đào", 10), ("Đinh", 10), ("Trịnh", 8), ("Mai", 5), ("Tô", 4), ("Hà", 6), ("Lương", 5),
    ("Kiều", 3), ("Khổng", 2), ("Ông", 2), ("Tạ", 4), ("Lã", 2), ("Thân", 4), ("Chử", 2), ("Nghiêm", 2),
    ("Tôn Thất", 2), ("Nguyễn Phúc", 1), ("Âu Dương", 1), ("Hoàng Phủ", 1),
]  # fmt: skip
FEMALE_ONLY_FAMILY = [("Tôn Nữ", 2)]
MIDDLE_MALE: list[tuple[str, int]] = [
    ("Văn", 45), ("Đức", 8), ("Hữu", 7), ("Quang", 5), ("Minh", 5), ("Công", 5), ("Xuân", 4), ("Ngọc", 3),
    ("Thế", 3), ("Đình", 5), ("Bá", 3), ("Khắc", 2), ("Trọng", 3), ("Duy", 2), ("Tiến", 2), ("", 2),
]  # fmt: skip
MIDDLE_FEMALE: list[tuple[str, int]] = [
    ("Thị", 55), ("Ngọc", 5), ("Thu", 5), ("Kim", 4), ("Hồng", 4), ("Thanh", 4), ("Mỹ", 2), ("Diệu", 2),
    ("Xuân", 3), ("Bích", 3), ("Thuý", 2), ("Thị Thu", 2), ("Thị Ngọc", 2), ("", 2),
]  # fmt: skip
GIVEN_MALE = [
    "Hùng", "Dũng", "Tuấn", "Quyết", "Thắng", "Lộc", "Phúc", "Khải", "Đạt", "Nghĩa", "Trọng", "Hưởng",
    "Cường", "Thịnh", "Vĩnh", "Tỵ", "Ẩn", "Toản", "Quý", "Bảy", "Sửu", "Mão", "Tý", "Ngọ", "Thủy", "Khiêm",
    "Việt", "Sơn", "Hải", "Đông", "Hoà", "Lợi", "Nguyên", "Ước", "Ửng", "Thưởng", "Quân", "Chiến", "Thành",
    "Bình", "Mậu", "Kỷ", "Tuất", "Dậu", "Lũy", "Nhã", "Đẩu", "Mỗ", "Cẩn", "Tĩnh",
]  # fmt: skip
GIVEN_FEMALE = [
    "Lan", "Hương", "Hằng", "Nguyệt", "Thảo", "Nhung", "Yến", "Loan", "Tuyết", "Dung", "Mỹ", "Ngữ", "Hoà",
    "Thuỷ", "Ánh", "Ước", "Nở", "Gấm", "Lụa", "Sửu", "Đào", "Bé", "Nhàn", "Tâm", "Hạnh", "Liễu", "Mận",
    "Huệ", "Cúc", "Thơm", "Ngân", "Xuyến", "Phượng", "Điệp", "Vân", "Hiền", "Oanh", "Ẩm", "Dỗ", "Quế",
]  # fmt: skip
# (lowest age, highest age, weight): most members are 60–75, a few above 90, a handful 100+.
AGE_BANDS = [
    (55, 59, 2.5), (60, 64, 22), (65, 69, 26), (70, 74, 19), (75, 79, 12), (80, 84, 8), (85, 89, 5),
    (90, 94, 2.7), (95, 99, 1.3), (100, 104, 0.6),
]  # fmt: skip
# CCCD province codes (the province where the birth was registered) of the demo's provinces.
LOCAL_ID_PROVINCES = {"24": "024", "27": "027", "31": "031", "51": "051"}
# The first digits of old 9-digit CMND numbers issued there.
LOCAL_CMND_PREFIXES = {"24": "121", "27": "125", "31": "031", "51": "212"}
MOBILE_PREFIXES = [
    "032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "070", "076", "077", "078", "079",
    "081", "082", "083", "084", "085", "086", "088", "089", "090", "091", "093", "094", "096", "097", "098",
]  # fmt: skip
PHONE_NOTES = ["", "", "", "", "", "Số của con trai", "Số của con gái", "Số của cháu", "Gọi giờ trưa"]
ETHNICITIES = ["Kinh"] * 30 + ["Tày", "Nùng", "Hoa", "Sán Dìu", "Hrê"]
EXCEPTION_REASONS = [
    "Tích cực tham gia hoạt động của chi hội",
    "Được giao làm chi hội trưởng",
    "Nghỉ hưu sớm, tình nguyện tham gia công tác Hội",
]
LEAVE_REASONS = [
    "Chuyển đến ở với con ở tỉnh khác",
    "Xin thôi sinh hoạt vì lý do sức khỏe",
    "Chuyển vào sống tại cơ sở dưỡng lão",
    "Không tham gia sinh hoạt, tự xin thôi",
]
TRANSFER_REASONS = ["Chuyển nơi ở", "Về ở với con", "Chuyển về quê", ""]
DEATH_NOTES = ["", "", "Theo thông báo của gia đình", "Theo giấy báo tử của UBND xã"]

# Relative sizes: a chi hội or tổ hội holds most members; a few are kept at commune level.
LEVEL_WEIGHTS = {UnitLevel.BRANCH: 1.0, UnitLevel.GROUP: 0.6, UnitLevel.COMMUNE: 0.15}
# Share of the members in the special associations of Chánh Lộ (small Hội, few members).
SPECIAL_SHARE = 0.05


@dataclass(frozen=True)
class Place:
    """A unit members can join, with the address they would have."""

    key: str
    unit: OrgUnit
    commune_area_id: int | None
    hamlet_id: int | None
    address: str
    province_code: str  # the area code of the province (pre-2025 or 2025): CCCD and CMND prefixes
    weight: float


@dataclass(frozen=True)
class MemberPlan:
    place: str  # Place.key
    person: PersonInput
    joined: PartialDate
    member_number: str
    card_number: str
    card_issued_on: date | None
    exception_reason: str
    transfer: tuple[date, str, str] | None  # (on, Place.key, reason)
    end: tuple[str, date, str] | None  # ("left" | "died", on, reason or note)
    also: tuple[str, PartialDate] | None  # a second association: (Place.key, joined)


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _w in pairs], weights=[w for _n, w in pairs])[0]


def _between(rng: random.Random, low: date, high: date) -> date:
    if high <= low:
        return low
    return low + timedelta(days=rng.randint(0, (high - low).days))


def _province_code(unit_area: Area | None) -> str:
    area = unit_area
    while area is not None and area.level != AreaLevel.PROVINCE:
        area = area.parent
    return area.code if area is not None else ""


def places(build: DemoBuild, rng: random.Random) -> list[Place]:
    """The open units members can join, with their hamlet and a weight (skewed sizes)."""
    result = []
    for key, unit in sorted(build.units.items()):
        if not unit.is_open or unit.level not in LEVEL_WEIGHTS:
            continue
        area = (
            Area.objects.select_related("parent__parent__parent").get(pk=unit.area_id)
            if unit.area_id
            else None
        )
        hamlet = area if area is not None and area.level == AreaLevel.HAMLET else None
        if hamlet is None and area is not None:
            hamlet = Area.objects.filter(parent=area, level=AreaLevel.HAMLET).order_by("code").first()
            if hamlet is not None:
                hamlet.parent = area
        commune = hamlet.parent if hamlet is not None else area
        address = ", ".join(a.name for a in (hamlet, commune) if a is not None)
        special = unit.association.code != "nct"
        weight = LEVEL_WEIGHTS[unit.level] * rng.uniform(0.4, 2.2) * (0.2 if special else 1.0)
        result.append(
            Place(key, unit, commune.pk if commune else None, hamlet.pk if hamlet else None, address,
                  _province_code(area), weight)
        )  # fmt: skip
    return result


def _birth(rng: random.Random, today: date) -> tuple[PartialDate, int]:
    """A birth date and the age it gives today, the same by calendar year and to the day (the
    birthday has passed this year), so the age band is exact however the date is written."""
    low, high, _w = rng.choices(AGE_BANDS, weights=[band[2] for band in AGE_BANDS])[0]
    age = rng.randint(low, high)
    first = date(today.year - age, 1, 1)
    day = first + timedelta(
        days=rng.randint(0, (today.replace(year=first.year, day=min(today.day, 28)) - first).days)
    )
    if (day.month, day.day) == (2, 29):
        day = day.replace(day=28)
    roll = rng.random()
    if roll < 0.45:
        return PartialDate.from_date(day), age
    if roll < 0.6:
        return PartialDate(day.year, day.month), age
    return PartialDate(day.year), age


def _citizen_id(rng: random.Random, birth_year: int, female: bool, province: str) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.14:
        prefix = LOCAL_CMND_PREFIXES.get(province, "0" + str(rng.randint(10, 99)))
        return f"{prefix}{rng.randint(0, 999_999):06d}"
    local = LOCAL_ID_PROVINCES.get(province)
    code = local if local and rng.random() < 0.8 else rng.choice(sorted(PROVINCE_CODES))
    century = (birth_year // 100 - 19) * 2 + (1 if female else 0)
    return f"{code}{century}{birth_year % 100:02d}{rng.randint(0, 999_999):06d}"


def _phone(rng: random.Random) -> tuple[str, str]:
    if rng.random() >= 0.5:
        return "", ""
    digits = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}"
    shown = f"{digits[:4]} {digits[4:7]} {digits[7:]}" if rng.random() < 0.4 else digits
    return shown, rng.choice(PHONE_NOTES)


def _name(rng: random.Random, female: bool) -> str:
    families = FAMILY_NAMES + (FEMALE_ONLY_FAMILY if female else [])
    family = _weighted(rng, families)
    middle = _weighted(rng, MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    return " ".join(part for part in (family, middle, given) if part)


def _joined(rng: random.Random, birth: PartialDate, age: int, today: date) -> tuple[PartialDate, str]:
    """When they joined: mostly within a few years of turning 60 (never before the Hội existed);
    the under-60s by exception, with a reason."""
    exception = ""
    if age < 60:
        join_age = rng.randint(55, age)
        exception = rng.choice(EXCEPTION_REASONS)
    else:
        join_age = 60 + min(int(rng.expovariate(1 / 4)), age - 60)
    low = max(birth.to_date().replace(year=birth.year + join_age), HOI_FOUNDED)
    high = min(low + timedelta(days=365 * 2), today - timedelta(days=1))
    day = _between(rng, low, high)
    roll = rng.random()
    joined = PartialDate.from_date(day)
    if roll < 0.1:
        joined = PartialDate(day.year, day.month)
    elif roll < 0.2:
        joined = PartialDate(day.year)
    if joined.to_date() < HOI_FOUNDED or age_on(birth, joined.to_date()) < join_age:
        joined = PartialDate.from_date(day)  # the first of the year or month would fall too early
    return joined, exception


def plan_members(build: DemoBuild, count: int, *, today: date | None = None) -> list[MemberPlan]:
    """What the demo will record, drawn from the seed alone (no write)."""
    today = today or timezone.localdate()
    rng = random.Random(f"{build.seed}:members")
    all_places = places(build, rng)
    nct = [p for p in all_places if p.unit.association.code == "nct"]
    special = [p for p in all_places if p.unit.association.code != "nct"]
    issuers = {place.key: number_issuer_for(place.unit).pk for place in all_places}
    by_issuer: dict[int, list[Place]] = {}
    for place in all_places:
        by_issuer.setdefault(issuers[place.key], []).append(place)
    numbers: dict[int, int] = {}
    plans = []
    for _index in range(count):
        pool = special if special and rng.random() < SPECIAL_SHARE else nct
        place = rng.choices(pool, weights=[p.weight for p in pool])[0]
        female = rng.random() < 0.6  # women live longer: most elderly members are women
        birth, age = _birth(rng, today)
        phone, phone_note = _phone(rng)
        person = PersonInput(
            full_name=_name(rng, female),
            birth=birth,
            gender="female" if female else "male",
            id_number=_citizen_id(rng, birth.year, female, place.province_code),
            phone=phone,
            phone_note=phone_note if phone else "",
            address=place.address,
            ethnicity=rng.choice(ETHNICITIES),
            area_id=place.commune_area_id,
            hamlet_id=place.hamlet_id,
        )
        joined, exception = _joined(rng, birth, age, today)
        issuer = issuers[place.key]
        member_number = ""
        if rng.random() < 0.85:
            numbers[issuer] = numbers.get(issuer, 0) + 1
            member_number = f"{numbers[issuer]:04d}"
        card_issued_on = None
        card_number = ""
        if member_number and rng.random() < 0.5:
            card_issued_on = _between(
                rng, joined.to_date(), min(joined.to_date() + timedelta(days=200), today)
            )
            card_number = f"NCT-{card_issued_on.year % 100:02d}{numbers[issuer]:05d}"
        start = joined.to_date()
        transfer = None
        roll = rng.random()
        if roll < 0.07 and (today - start).days > 60:
            # Mostly to another chi hội of the same commune, sometimes to another commune.
            siblings = [p for p in by_issuer[issuer] if p.key != place.key]
            targets = (
                siblings
                if siblings and rng.random() < 0.7
                else [
                    p
                    for p in pool
                    if p.key != place.key and p.unit.association_id == place.unit.association_id
                ]
            )
            if targets:
                on = _between(rng, start + timedelta(days=30), today - timedelta(days=15))
                transfer = (on, rng.choice(targets).key, rng.choice(TRANSFER_REASONS))
                start = on
        end = None
        roll = rng.random()
        # The older, the likelier a death is on record.
        if roll < 0.04 + 0.004 * max(0, age - 70) and (today - start).days > 2:
            end = ("died", _between(rng, start + timedelta(days=1), today), rng.choice(DEATH_NOTES))
        elif roll > 0.965 and (today - start).days > 2:
            end = ("left", _between(rng, start + timedelta(days=1), today), rng.choice(LEAVE_REASONS))
        also = None
        if pool is nct and end is None and transfer is None and rng.random() < 0.03:
            # Chánh Lộ people are often in a second Hội of their ward.
            sameward = [p for p in special if p.commune_area_id == place.commune_area_id]
            if sameward:
                also = (rng.choice(sameward).key, PartialDate.from_date(_between(rng, start, today)))
        plans.append(
            MemberPlan(place.key, person, joined, member_number, card_number, card_issued_on, exception,
                       transfer, end, also)
        )  # fmt: skip
    return plans


@register_member_builder
def build_members(build: DemoBuild, count: int) -> None:
    """Record ``count`` planned members through the services, as the system (actor=None)."""
    plans = plan_members(build, count)
    units = {key: unit for key, unit in build.units.items()}
    for index, plan in enumerate(plans):
        membership, _warnings = member_admit(
            unit=units[plan.place],
            person=plan.person,
            membership=MembershipInput(
                joined=plan.joined, member_number=plan.member_number, card_number=plan.card_number,
                card_issued_on=plan.card_issued_on,
            ),
            actor=None,
            confirmed_warnings=True,  # the plan is the system's own data: its warnings are known
            exception_reason=plan.exception_reason,
        )  # fmt: skip
        _relabel(build, membership, f"member:{index}")
        if plan.transfer is not None:
            on, key, reason = plan.transfer
            membership = member_transfer(
                membership=membership, to_unit=units[key], on=on, actor=None, reason=reason
            )
        if plan.end is not None:
            kind, on, text = plan.end
            if kind == "died":
                member_record_death(membership=membership, on=on, actor=None, note=text)
            else:
                member_leave(membership=membership, on=on, reason=text, actor=None)
        if plan.also is not None:
            key, joined = plan.also
            other, _warnings = member_admit(
                unit=units[key],
                person=membership.person,
                membership=MembershipInput(joined=joined),
                actor=None,
            )
            _relabel(build, other, f"member:{index}:also")


def _relabel(build: DemoBuild, membership: Membership, key: str) -> None:
    """A seed-derived code (stable demo URLs), also on the history row the admission wrote."""
    old = membership.code
    build.relabel(membership, key)  # type: ignore[arg-type]
    Membership.history.filter(id=membership.pk, code=old).update(code=membership.code)
