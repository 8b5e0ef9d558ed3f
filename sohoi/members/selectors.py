"""Read paths of the register: lists, search, one member, timelines, history, duplicates, as-of.

Everything starts from the scoped managers (the active unit scope decides what exists), so
the web pages, the API, the exports and the reports all see the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from sohoi.core.errors import NotFoundError
from sohoi.core.scoping import UnitPaths
from sohoi.core.text import fold, name_key
from sohoi.imports.values import parse_phone
from sohoi.orgunits.models import OrgUnit

from .models import Membership, MembershipEvent, MembershipStatus, MembershipStay, Person

PAGE_SIZE = 50
SEARCH_LIMIT = 200

# Age bands of the statistics (issue 4), counted by calendar year (DOMAIN.md §4).
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "under_60": (0, 59),
    "60_69": (60, 69),
    "70_79": (70, 79),
    "80_89": (80, 89),
    "90_99": (90, 99),
    "100_plus": (100, None),
}


@dataclass
class MemberFilters:
    q: str = ""
    status: str = MembershipStatus.ACTIVE  # "" = every status
    gender: str = ""
    age_band: str = ""
    birth_year: int | None = None
    join_year: int | None = None
    association_id: int | None = None
    area_id: int | None = None  # a commune or a hamlet of the person's address
    unit_ids: list[int] = field(default_factory=list)  # only these units (and below)


def member_get(*, code: str) -> Membership:
    try:
        return Membership.objects.select_related("person", "org_unit", "association", "person__area",
                                                 "person__hamlet").get(code=code)  # fmt: skip
    except Membership.DoesNotExist as exc:
        from .services import member_not_found_message

        raise NotFoundError(member_not_found_message()) from exc


# --- search -----------------------------------------------------------------------------------

_WORD = re.compile(r"[0-9a-z]+")
_DIGITS_ONLY = re.compile(r"[\d\s.+\-()]+")


# A search over a province or the whole register takes at most this many name matches from
# the word index before ordering them (BASELINES.md §4: always LIMIT, never count every "Nguyễn").
BROAD_SEARCH_CANDIDATES = 500
# Scopes at or below these levels hold at most tens of thousands of members: scanning their
# rows' folded names is cheaper than fetching every register-wide match from the word index.
NARROW_LEVELS = frozenset({"district", "commune", "branch", "group"})


def _index_terms(words: list[str]) -> list[tuple[str, bool]]:
    """(word, match as a prefix) for the word index. The word being typed (the last) and short
    ones are prefixes; a whole earlier word ("nguyen") is matched as itself: merging the lists of
    every word that starts with it costs 10x more and finds the same names."""
    return [(word, index == len(words) - 1 or len(word) <= 3) for index, word in enumerate(words)]


def _name_condition(query: str, *, broad: bool) -> Q | None:
    """Every word of the query starts a word of the name. Folded, so "nguyen van hung" finds
    Hùng and Hưng; a word typed with accents must also match them ("hùng" finds only Hùng)."""
    words = _WORD.findall(fold(query))
    if not words:
        return None
    if not broad:
        condition = Q()
        for word in words:
            condition &= Q(person__search_name__startswith=word) | Q(person__search_name__contains=" " + word)
    elif connection.vendor == "sqlite":
        match = " AND ".join(f'"{word}"*' if prefix else f'"{word}"' for word, prefix in _index_terms(words))
        condition = Q(
            person_id__in=RawSQL(
                "SELECT rowid FROM members_person_fts WHERE members_person_fts MATCH %s LIMIT %s",
                [match, BROAD_SEARCH_CANDIDATES],
            )
        )
    else:
        tsquery = " & ".join(f"{word}:*" if prefix else word for word, prefix in _index_terms(words))
        condition = Q(
            person_id__in=RawSQL(
                "SELECT id FROM members_person WHERE to_tsvector('simple'::regconfig, search_name) "
                "@@ to_tsquery('simple'::regconfig, %s) LIMIT %s",
                [tsquery, BROAD_SEARCH_CANDIDATES],
            )
        )
    for word in name_key(query).split(" "):
        if word and fold(word) != word:  # typed with accents: those accents count
            condition &= Q(person__name_key__startswith=word) | Q(person__name_key__contains=" " + word)
    return condition


def _prefix(field_name: str, prefix: str) -> Q:
    """A prefix of a column of digits as a range: served by the index on both databases
    (SQLite's LIKE never is, BASELINES.md §2). The upper bound is the next prefix ("0241" ->
    "0242"), which every collation orders the same way for digits."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": upper})


def _person_digits(digits: str, query: str, *, via: str = "") -> Q:
    """A citizen ID prefix or a phone (whole or a prefix) on Person fields; ``via`` is the path
    from the queried model ("person__" from a membership)."""
    condition = _prefix(f"{via}id_number", digits)
    phone, _problem = parse_phone(query)
    if phone is not None:
        condition |= Q(**{f"{via}phone": phone.e164})
    elif digits.startswith("0"):
        condition |= _prefix(f"{via}phone", "+84" + digits[1:])
    elif digits.startswith("84"):
        condition |= _prefix(f"{via}phone", "+" + digits)
    return condition


def search_condition(query: str, *, broad: bool = False) -> Q | None:
    """Rows matching a search box: a name (word starts, accents optional), a member number, a
    phone or a citizen ID (digit prefixes). ``broad``: the scope is a province or larger."""
    query = query.strip()
    if not query:
        return None
    if _DIGITS_ONLY.fullmatch(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) < 3:
            return Q(member_number=query)
        numbers = Q(member_number=query) | _prefix("member_number", digits)
        if not broad:
            # A commune's few thousand rows: checking each is cheaper than any index detour.
            return _person_digits(digits, query, via="person__") | numbers
        # A province or the register: the ids each index finds, capped (BASELINES.md §4). Taken
        # here as lists, so each database uses the index it has; the outer query is scoped.
        person_ids = list(
            Person.unscoped.filter(_person_digits(digits, query)).values_list("pk", flat=True)[
                :BROAD_SEARCH_CANDIDATES
            ]
        )
        ids = list(Membership.unscoped.filter(person_id__in=person_ids).values_list("pk", flat=True))
        ids += Membership.unscoped.filter(numbers).values_list("pk", flat=True)[:BROAD_SEARCH_CANDIDATES]
        return Q(pk__in=ids)
    name = _name_condition(query, broad=broad)
    if any(ch.isdigit() for ch in query):  # "NCT-0123": names have no digits
        number = Q(member_number=query) | Q(member_number=query.upper())
        return name | number if name is not None else number
    return name


# --- lists ------------------------------------------------------------------------------------


def member_queryset(*, unit: OrgUnit, filters: MemberFilters | None = None) -> QuerySet[Membership]:
    """Memberships in ``unit``'s subtree matching ``filters``, in roster order (given name, then
    middle, then family, the Vietnamese way), ready for keyset paging."""
    filters = filters or MemberFilters()
    rows = Membership.objects.filter(org_unit__path__within=unit.path, person__merged_into__isnull=True)
    if filters.unit_ids:
        paths = list(OrgUnit.objects.filter(pk__in=filters.unit_ids).values_list("path", flat=True))
        rows = rows.filter(org_unit__path__within=UnitPaths.of(paths))
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.gender:
        rows = rows.filter(person__gender=filters.gender)
    if filters.birth_year:
        rows = rows.filter(person__birth_year=filters.birth_year)
    if filters.age_band in AGE_BANDS:
        low, high = AGE_BANDS[filters.age_band]
        year = timezone.localdate().year
        rows = rows.filter(person__birth_year__lte=year - low)
        if high is not None:
            rows = rows.filter(person__birth_year__gte=year - high)
    if filters.join_year:
        rows = rows.filter(joined_on__year=filters.join_year)
    if filters.association_id:
        rows = rows.filter(association_id=filters.association_id)
    if filters.area_id:
        rows = rows.filter(Q(person__area_id=filters.area_id) | Q(person__hamlet_id=filters.area_id))
    if filters.q:
        condition = search_condition(filters.q, broad=unit.level not in NARROW_LEVELS)
        if condition is not None:
            rows = rows.filter(condition)
    return rows.select_related("person", "org_unit").order_by("sort_key", "id")


@dataclass
class MemberPage:
    rows: list[Membership]
    next_cursor: str | None
    has_previous: bool


def _decode_cursor(cursor: str | None) -> tuple[str, int] | None:
    if not cursor or "." not in cursor:
        return None
    key, _sep, pk = cursor.rpartition(".")
    if not pk.isdigit() or not re.fullmatch(r"[a-z]*", key):
        return None
    return key, int(pk)


def member_page(
    *, unit: OrgUnit, filters: MemberFilters | None = None, after: str | None = None, size: int = PAGE_SIZE
) -> MemberPage:
    """One page of the list by keyset: ``after`` is the cursor of the previous page's last row.
    No OFFSET and no total count on big units (BASELINES.md §5)."""
    rows = member_queryset(unit=unit, filters=filters)
    position = _decode_cursor(after)
    if position is not None:
        key, pk = position
        rows = rows.filter(Q(sort_key__gt=key) | Q(sort_key=key, id__gt=pk))
    page = list(rows[: size + 1])
    next_cursor = None
    if len(page) > size:
        page = page[:size]
        last = page[-1]
        next_cursor = f"{last.sort_key}.{last.pk}"
    return MemberPage(page, next_cursor, position is not None)


def member_iter(
    *, unit: OrgUnit, filters: MemberFilters | None = None, chunk_size: int = 2000
) -> Iterator[Membership]:
    """Every matching membership, streamed in roster order (exports, cards)."""
    return member_queryset(unit=unit, filters=filters).iterator(chunk_size=chunk_size)


def member_count(
    *, unit: OrgUnit, filters: MemberFilters | None = None, limit: int = 10000
) -> tuple[int, bool]:
    """How many rows match, counted up to ``limit`` (never count every "Nguyễn" of a province:
    BASELINES.md §4). Returns (count, is_exact)."""
    filters = filters or MemberFilters()
    rows = member_queryset(unit=unit, filters=filters).order_by()
    found = rows.values("pk")[: limit + 1].count()
    if filters.q and unit.level not in NARROW_LEVELS and found >= BROAD_SEARCH_CANDIDATES:
        return BROAD_SEARCH_CANDIDATES, False  # the word index gave no more than this many names
    return min(found, limit), found <= limit


# --- one member -------------------------------------------------------------------------------


def person_memberships(*, person: Person) -> list[Membership]:
    """The person's memberships the viewer may see (other associations' are in scope only for
    an area grant that covers them)."""
    return list(
        Membership.objects.filter(person=person)
        .select_related("association", "org_unit")
        .order_by("joined_on")
    )


def member_timeline(*, membership: Membership) -> list[MembershipEvent]:
    """Every event of the membership, oldest first. Read through the membership the viewer
    already holds, so a transfer out to a unit outside the scope is still shown."""
    return list(
        MembershipEvent.unscoped.filter(membership=membership)
        .select_related("org_unit", "from_unit", "actor", "cause")
        .order_by("happened_on", "id")
    )


def person_history(*, person: Person, membership: Membership, limit: int = 100) -> list:
    """The kept versions of the person and the membership, newest first, with who and when."""
    records = [*person.history.select_related("history_user")[:limit],
               *membership.history.select_related("history_user")[:limit]]  # fmt: skip
    records.sort(key=lambda record: record.history_date, reverse=True)
    return records[:limit]


# --- as of a day ------------------------------------------------------------------------------


def members_on(*, unit: OrgUnit, day: date) -> QuerySet[Membership]:
    """Memberships of ``unit``'s subtree on ``day``, from the kept state: the current stays that
    had begun and not ended, and the earlier stays that covered the day."""
    current = Q(org_unit__path__within=unit.path, unit_since__lte=day) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )
    earlier = MembershipStay.objects.filter(
        membership=OuterRef("pk"), org_unit__path__within=unit.path, started_on__lte=day, ended_on__gt=day
    )
    return Membership.objects.filter(current | Exists(earlier))


# --- duplicates -------------------------------------------------------------------------------


@dataclass
class DuplicateGroup:
    reason: str  # "id_number" or "name_birth_area"
    key: str
    memberships: list[Membership]


def duplicate_groups(*, unit: OrgUnit, limit: int = 100) -> list[DuplicateGroup]:
    """Likely duplicate people among the members of ``unit``'s subtree: the same citizen ID, or
    the same folded name, birth year and commune."""
    people = Person.objects.current().filter(memberships__org_unit__path__within=unit.path)
    groups: list[DuplicateGroup] = []
    same_id = (
        people.exclude(id_number="").values("id_number").annotate(n=Count("id", distinct=True)).filter(n__gt=1)
        .order_by("id_number")[:limit]
    )  # fmt: skip
    for row in same_id:
        memberships = _memberships_of(unit, Q(person__id_number=row["id_number"]))
        groups.append(DuplicateGroup("id_number", row["id_number"], memberships))
    same_name = (
        people.filter(birth_year__isnull=False)
        .values("search_name", "birth_year", "area_id")
        .annotate(n=Count("id", distinct=True))
        .filter(n__gt=1)
        .order_by("search_name", "birth_year")[:limit]
    )
    seen = {m.person_id for group in groups for m in group.memberships}
    for row in same_name:
        memberships = _memberships_of(
            unit,
            Q(person__search_name=row["search_name"], person__birth_year=row["birth_year"],
              person__area_id=row["area_id"]),
        )  # fmt: skip
        if {m.person_id for m in memberships} <= seen:
            continue
        groups.append(
            DuplicateGroup("name_birth_area", f"{row['search_name']} {row['birth_year']}", memberships)
        )
    return groups[:limit]


def _memberships_of(unit: OrgUnit, condition: Q) -> list[Membership]:
    return list(
        Membership.objects.filter(
            condition, org_unit__path__within=unit.path, person__merged_into__isnull=True
        )
        .select_related("person", "org_unit")
        .order_by("joined_on", "id")
    )


# --- display ----------------------------------------------------------------------------------


def mask_digits(value: str, *, keep_start: int = 4, keep_end: int = 2) -> str:
    """'024112345689' -> '0241******89': lists show who it is without the whole number."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def phone_national(e164: str) -> str:
    return "0" + e164[3:] if e164.startswith("+84") else e164


def phone_display(e164: str) -> str:
    national = phone_national(e164)
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return national
