"""The indicators of the members register (DOMAIN.md §3.1): members on the day by gender and age
band, new members, deaths, departures and transfers over the period, units by level, and the
gathering rate.

Age is counted by calendar year (the year of the day minus the birth year), the way lists that
give only a birth year are read and the way the longevity lists count (DOMAIN.md §4); members
without a birth year are counted in ``age_unknown`` so the bands always add up to ``members``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from sohoi.members.models import EventKind, Gender, Membership, MembershipEvent, MembershipStay
from sohoi.orgunits.models import OrgUnit, UnitLevel

from . import kept
from .indicators import (
    OUTSIDE,
    Indicator,
    Number,
    Source,
    StatsScope,
    Unit,
    percent,
    register,
    register_group,
    register_source,
)
from .models import AreaPopulation

AGE_BANDS: list[tuple[str, int, int | None]] = [
    ("age_under_60", 0, 59),
    ("age_60_69", 60, 69),
    ("age_70_79", 70, 79),
    ("age_80_89", 80, 89),
    ("age_90_99", 90, 99),
    ("age_100_plus", 100, None),
]


def age_band(age: int) -> str:
    for name, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return name
    return "age_under_60"  # a birth year after the day: a typing error, counted young


def _card_on(prefix: str, day) -> Case:  # noqa: ANN001
    """1 when the membership had a card on ``day`` (a number, issued by then or on an unknown day)."""
    has_card = ~Q(**{f"{prefix}card_number": ""}) & (
        Q(**{f"{prefix}card_issued_on__isnull": True}) | Q(**{f"{prefix}card_issued_on__lte": day})
    )
    return Case(When(has_card, then=Value(1)), default=Value(0), output_field=IntegerField())


def _stock_rows(scope: StatsScope) -> list[tuple]:
    """(bucket, gender, birth year, card, honorary, n) of the members on the day, from the register."""
    day = scope.period.as_of
    current = (
        Membership.unscoped.filter(scope.within("org_unit__path"), unit_since__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .annotate(bucket=scope.bucket("org_unit__path"), card=_card_on("", day))
        .values_list("bucket", "person__gender", "person__birth_year", "card", "is_honorary")
        .annotate(n=Count("id"))
        .order_by()
    )
    earlier = (
        MembershipStay.unscoped.filter(scope.within("org_unit__path"), started_on__lte=day, ended_on__gt=day)
        .annotate(bucket=scope.bucket("org_unit__path"), card=_card_on("membership__", day))
        .values_list(
            "bucket",
            "membership__person__gender",
            "membership__person__birth_year",
            "card",
            "membership__is_honorary",
        )  # fmt: skip
        .annotate(n=Count("id"))
        .order_by()
    )
    return [*current, *earlier]


def _add_band(values: Counter[str], gender: str, band: str, n: int, age_sum: int) -> None:
    values["members"] += n
    if gender == Gender.MALE:
        values["members_male"] += n
    elif gender == Gender.FEMALE:
        values["members_female"] += n
    else:
        values["members_gender_unknown"] += n
    values[band] += n
    if band == "age_unknown":
        return
    if gender:
        values[f"{band}_{gender}"] += n  # the age pyramid (not a registered indicator)
    values["age_sum"] += age_sum
    values["age_known"] += n
    if band != "age_under_60":
        values["members_60_plus"] += n


def member_stock(scope: StatsScope) -> dict[str, Counter[str]]:
    """Members on the day, by bucket: the current stays that had begun and not ended and the
    earlier stays that covered the day (two grouped queries), or the kept counts of that day."""
    day = scope.period.as_of
    result: dict[str, Counter[str]] = defaultdict(Counter)
    if scope.kept:
        for bucket, gender, band, n, age_sum, card, honorary in kept.member_rows(scope):
            values = result[bucket]
            _add_band(values, gender, band, n, age_sum or 0)
            values["members_with_card"] += card or 0
            values["members_honorary"] += honorary or 0
        return result
    for bucket, gender, birth_year, card, honorary, n in _stock_rows(scope):
        values = result[bucket]
        if birth_year:
            age = day.year - birth_year
            _add_band(values, gender, age_band(age), n, age * n)
        else:
            _add_band(values, gender, "age_unknown", n, 0)
        values["members_with_card"] += int(card) * n
        values["members_honorary"] += int(honorary) * n
    return result


_FLOW_KINDS = {
    EventKind.JOINED: "new_members",
    EventKind.REJOINED: "rejoined",
    EventKind.DIED: "deaths",
    EventKind.LEFT: "departures",
}


def _earlier_admission() -> QuerySet[MembershipEvent]:
    """An admission of the same membership before this one: two records of one person merged
    keep both their admissions (``person_merge``), and the person joined once."""
    return MembershipEvent.unscoped.filter(membership=OuterRef("membership"), kind=EventKind.JOINED).filter(
        Q(happened_on__lt=OuterRef("happened_on"))
        | Q(happened_on=OuterRef("happened_on"), id__lt=OuterRef("id"))
    )


def member_flows(scope: StatsScope) -> dict[str, Counter[str]]:
    """Admissions, re-admissions, deaths and departures in the period, by the unit they happened in."""
    period = scope.period
    if scope.kept:
        rows = kept.flow_rows(scope)
    else:
        rows = (
            MembershipEvent.unscoped.filter(
                scope.within("org_unit__path"),
                happened_on__gte=period.start,
                happened_on__lte=period.as_of,
                kind__in=list(_FLOW_KINDS),
            )
            .exclude(Q(kind=EventKind.JOINED) & Exists(_earlier_admission()))
            .annotate(bucket=scope.bucket("org_unit__path"))
            .values_list("bucket", "kind")
            .annotate(n=Count("id"))
            .order_by()
        )
    result: dict[str, Counter[str]] = defaultdict(Counter)
    for bucket, kind, n in rows:
        result[bucket][_FLOW_KINDS[kind]] += n
    return result


def member_transfers(scope: StatsScope) -> dict[str, dict[str, Number]]:
    """Transfers in and out of each row's subtree in the period. Not additive: a move between two
    children is a transfer for each of them and none for the parent.

    Read unscoped: a transfer out of the scope arrives in a unit outside it, and only counts leave
    this function."""
    period = scope.period
    if scope.kept:
        rows = kept.transfer_rows(scope)
    else:
        rows = (
        MembershipEvent.unscoped.filter(
            scope.within("org_unit__path") | scope.within("from_unit__path"),
            kind=EventKind.TRANSFERRED, happened_on__gte=period.start, happened_on__lte=period.as_of,
        )
        .annotate(to_bucket=scope.bucket("org_unit__path"), from_bucket=scope.bucket("from_unit__path"))
        .values_list("to_bucket", "from_bucket")
        .annotate(n=Count("id"))
        .order_by()
        )  # fmt: skip
    known = set(scope.row_paths)
    moves = [(to if to in known else OUTSIDE, frm if frm in known else OUTSIDE, n) for to, frm, n in rows]
    result: dict[str, dict[str, Number]] = {}
    for row in scope.row_paths:
        if row == scope.unit.path:
            inward = sum(n for to, frm, n in moves if to != OUTSIDE and frm == OUTSIDE)
            outward = sum(n for to, frm, n in moves if frm != OUTSIDE and to == OUTSIDE)
        else:
            inward = sum(n for to, frm, n in moves if to == row and frm != row)
            outward = sum(n for to, frm, n in moves if frm == row and to != row)
        result[row] = {"transfers_in": inward, "transfers_out": outward}
    return result


_UNIT_LEVELS = {
    UnitLevel.COMMUNE: "units_commune",
    UnitLevel.BRANCH: "units_branch",
    UnitLevel.GROUP: "units_group",
}


def units_by_level(scope: StatsScope) -> dict[str, Counter[str]]:
    """Units open on the day in each bucket, by level (the unit itself included)."""
    day = scope.period.as_of
    rows = (
        OrgUnit.unscoped.filter(scope.within("path"), level__in=list(_UNIT_LEVELS))
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=day))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .annotate(bucket=scope.bucket("path"))
        .values_list("bucket", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict[str, Counter[str]] = defaultdict(Counter)
    for bucket, level, n in rows:
        result[bucket][_UNIT_LEVELS[level]] += n
    return result


def population(scope: StatsScope) -> dict[str, dict[str, Number]]:
    """People aged 60+ in each row's area, as entered for the year (or the latest year before).

    Entries of the units that existed on the day, put in rows the way members are (the day's tree,
    or re-based onto today's units). A row sums the entries of its top-most units, each area once.
    A child in the same area as the report's unit has no denominator of its own: the area's
    figure belongs to the unit."""
    year, unit, day = scope.period.year, scope.unit, scope.period.as_of
    entries = (
        OrgUnit.unscoped.filter(scope.within("path"), area__populations__year__lte=year)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=day))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .values_list("path", "area_id", "area__populations__year", "area__populations__aged_60_plus")
        .order_by("path", "-area__populations__year")
    )
    latest: dict[str, tuple[int, int]] = {}
    for path, area_id, _year, value in entries:
        latest.setdefault(path, (area_id, value))  # the latest year first
    bucket_of = {path: scope.bucket_of(path) for path in latest}

    def resolved(row_path: str | None) -> int | None:
        chosen: dict[int, int] = {}
        top: list[str] = []
        for path in sorted(latest):
            bucket = bucket_of[path]
            if bucket == OUTSIDE or (row_path is not None and bucket != row_path):
                continue
            if any(path.startswith(above) for above in top):
                continue
            top.append(path)
            area_id, value = latest[path]
            chosen[area_id] = value
        return sum(chosen.values()) if chosen else None

    result: dict[str, dict[str, Number]] = {unit.path: {"population_60_plus": resolved(None)}}
    for child in scope.children:
        same_area = child.area_id is not None and child.area_id == unit.area_id
        result[child.path] = {"population_60_plus": None if same_area else resolved(child.path)}
    return result


register_source(Source("member_stock", member_stock))
register_source(Source("member_flows", member_flows))
register_source(Source("member_transfers", member_transfers, additive=False))
register_source(Source("units", units_by_level))
register_source(Source("population", population, additive=False))

register_group("members", _("Hội viên"), 10)
register_group("age", _("Độ tuổi"), 20)
register_group("changes", _("Biến động trong kỳ"), 30)
register_group("organisation", _("Tổ chức"), 40)
register_group("gathering", _("Tập hợp hội viên"), 50)


def _mean_age(values: dict[str, Number]) -> Decimal | None:
    known = values.get("age_known")
    if not known:
        return None
    return (Decimal(values.get("age_sum") or 0) / Decimal(known)).quantize(Decimal("0.1"))


for order, (name, label, description) in enumerate(
    [
        ("members", _("Tổng số hội viên"), _("Hội viên đang sinh hoạt vào ngày tính số liệu.")),
        ("members_male", _("Hội viên nam"), _("Hội viên nam vào ngày tính số liệu.")),
        ("members_female", _("Hội viên nữ"), _("Hội viên nữ vào ngày tính số liệu.")),
        ("members_gender_unknown", _("Chưa rõ giới tính"), _("Hội viên chưa ghi giới tính.")),
        ("members_with_card", _("Hội viên đã có thẻ"), _("Hội viên có số thẻ, cấp trước ngày tính số liệu.")),
        ("members_honorary", _("Hội viên danh dự"), _("Hội viên danh dự (đã tính trong tổng số).")),
    ]
):
    register(Indicator(name, label, description, group="members", source="member_stock", order=order))

register(
    Indicator(
        "members_share_female", _("Tỷ lệ nữ"), _("Hội viên nữ ÷ tổng số hội viên × 100."), group="members",
        unit=Unit.PERCENT, derive=lambda v: percent(v.get("members_female"), v.get("members")), order=10,
    )
)  # fmt: skip

_AGE_LABELS = {
    "age_under_60": _("Dưới 60 tuổi"),
    "age_60_69": _("Từ 60 đến 69 tuổi"),
    "age_70_79": _("Từ 70 đến 79 tuổi"),
    "age_80_89": _("Từ 80 đến 89 tuổi"),
    "age_90_99": _("Từ 90 đến 99 tuổi"),
    "age_100_plus": _("Từ 100 tuổi trở lên"),
    "age_unknown": _("Chưa rõ năm sinh"),
}
for order, (name, label) in enumerate(_AGE_LABELS.items()):
    register(
        Indicator(
            name, label, _("Hội viên theo tuổi tính theo năm (năm của ngày tính số liệu − năm sinh)."),
            group="age", source="member_stock", order=order,
        )
    )  # fmt: skip
register(
    Indicator(
        "mean_age", _("Tuổi bình quân"), _("Tuổi bình quân của hội viên có năm sinh."), group="age",
        unit=Unit.YEARS, derive=_mean_age, order=20,
    )
)  # fmt: skip

for order, (name, label, description, source) in enumerate(
    [
        ("new_members", _("Kết nạp mới"), _("Hội viên được kết nạp trong kỳ."), "member_flows"),
        ("rejoined", _("Vào lại hội"), _("Hội viên đã thôi, sinh hoạt lại trong kỳ."), "member_flows"),
        ("deaths", _("Hội viên từ trần"), _("Hội viên mất trong kỳ."), "member_flows"),
        ("departures", _("Thôi sinh hoạt"), _("Hội viên thôi sinh hoạt trong kỳ."), "member_flows"),
        (
            "transfers_in",
            _("Chuyển đến"),
            _("Hội viên chuyển sinh hoạt đến từ nơi khác trong kỳ."),
            "member_transfers",
        ),
        (
            "transfers_out",
            _("Chuyển đi"),
            _("Hội viên chuyển sinh hoạt đi nơi khác trong kỳ."),
            "member_transfers",
        ),
    ]
):
    register(Indicator(name, label, description, group="changes", source=source, order=order, is_flow=True))

for order, (name, label) in enumerate(
    [
        ("units_commune", _("Số Hội cơ sở")),
        ("units_branch", _("Số chi hội")),
        ("units_group", _("Số tổ hội")),
    ]
):
    register(
        Indicator(
            name, label, _("Đơn vị đang hoạt động vào ngày tính số liệu."), group="organisation",
            unit=Unit.UNITS, source="units", order=order,
        )
    )  # fmt: skip

register(
    Indicator(
        "members_60_plus", _("Hội viên từ 60 tuổi"), _("Tử số của tỷ lệ tập hợp: hội viên từ 60 tuổi trở lên."),
        group="gathering", source="member_stock", order=0,
    )
)  # fmt: skip
register(
    Indicator(
        "population_60_plus", _("Người cao tuổi trên địa bàn"),
        _("Mẫu số của tỷ lệ tập hợp: người từ 60 tuổi trên địa bàn, theo số liệu dân số nhập cho năm."),
        group="gathering", source="population", order=1,
    )
)  # fmt: skip
register(
    Indicator(
        "gathering_rate", _("Tỷ lệ tập hợp"),
        _("Hội viên từ 60 tuổi ÷ người từ 60 tuổi trên địa bàn × 100; hội viên dưới 60 tuổi không được tính."),
        group="gathering", unit=Unit.PERCENT, order=2,
        derive=lambda v: percent(v.get("members_60_plus"), v.get("population_60_plus")),
    )
)  # fmt: skip

__all__ = ["AGE_BANDS", "age_band", "AreaPopulation"]
