"""Member cards: a PDF of 85.6 × 54 mm cards, ten to an A4 page, each with a QR code that opens
the public verification page; and what that page may show.

WeasyPrint renders the cards from an HTML template with a local font (Noto Sans from Debian's
fonts-noto-core, else DejaVu Sans): both cover every Vietnamese letter, and no font is fetched
from the network. segno draws the QR codes as inline SVG.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.urls import reverse

from sohoi.core.audit import audit
from sohoi.orgunits.models import OrgUnit

from .models import Membership, MembershipStatus
from .selectors import MemberFilters, member_count, member_iter

if TYPE_CHECKING:
    from sohoi.accounts.models import User

# One PDF holds at most this many cards: a bigger sheet takes minutes to render and is
# better printed by hamlet or branch.
CARDS_LIMIT = 500
CARDS_PER_PAGE = 10
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)
BOLD_CANDIDATES = (
    Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)


def _first_existing(paths: tuple[Path, ...]) -> str:
    for path in paths:
        if path.is_file():
            return path.as_uri()
    return ""


@dataclass(frozen=True)
class Card:
    full_name: str
    birth_year: int | None
    member_number: str
    card_number: str
    unit_name: str
    association_name: str
    qr_data_uri: str


def verification_url(base_url: str, code: str) -> str:
    return base_url.rstrip("/") + reverse("member_files:verify", args=[code])


def qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def _card(membership: Membership, base_url: str) -> Card:
    person = membership.person
    return Card(
        full_name=person.full_name,
        birth_year=person.birth_year,
        member_number=membership.member_number,
        card_number=membership.card_number,
        unit_name=membership.org_unit.name,
        association_name=membership.association.name,
        qr_data_uri=qr_data_uri(verification_url(base_url, membership.code)),
    )


def card_count(*, unit: OrgUnit, filters: MemberFilters) -> tuple[int, bool]:
    """How many cards the filter gives, counted up to one past the limit."""
    return member_count(unit=unit, filters=filters, limit=CARDS_LIMIT)


def member_cards_html(*, unit: OrgUnit, filters: MemberFilters, base_url: str) -> str:
    """The card sheet as HTML (what the PDF is rendered from). Inside the unit's scope."""
    rows = member_iter(unit=unit, filters=filters, chunk_size=CARDS_LIMIT)
    cards: list[Card] = []
    for membership in rows:
        if len(cards) == CARDS_LIMIT:
            break
        cards.append(_card(membership, base_url))
    pages = [cards[start : start + CARDS_PER_PAGE] for start in range(0, len(cards), CARDS_PER_PAGE)]
    context: dict[str, Any] = {
        "pages": pages,
        "font_url": _first_existing(FONT_CANDIDATES),
        "bold_font_url": _first_existing(BOLD_CANDIDATES),
    }
    return render_to_string("member_files/cards_pdf.html", context)


def member_cards_pdf(*, unit: OrgUnit, filters: MemberFilters, base_url: str) -> bytes:
    """The cards of the members matching ``filters`` (at most CARDS_LIMIT), as PDF bytes."""
    from weasyprint import HTML

    html = member_cards_html(unit=unit, filters=filters, base_url=base_url)
    output = io.BytesIO()
    HTML(string=html, base_url=base_url).write_pdf(output)
    return output.getvalue()


def cards_recorded(*, unit: OrgUnit, actor: User | None, count: int, filters: MemberFilters) -> None:
    from .exporting import _audit_filters

    audit(action="member.cards_printed", actor=actor, unit=unit, count=count, filters=_audit_filters(filters))


def card_verification(code: str) -> dict[str, Any] | None:
    """What the public card check shows for a card's code: full name, unit, association, and
    whether the membership is active. Nothing else (no birth, no ID, no phone).

    Read unscoped on purpose: the page is public (whoever holds the card scans its QR code), so
    there is no user and no unit scope. The code is the membership's random 10-character code,
    not guessable, and only these four facts leave this function.
    """
    code = code.strip()
    if not code.isalnum() or len(code) > 16:
        return None
    membership = (
        Membership.unscoped.select_related("person", "org_unit", "association")
        .filter(code=code, person__merged_into__isnull=True)
        .first()
    )
    if membership is None:
        return None
    return {
        "full_name": membership.person.full_name,
        "unit_name": membership.org_unit.name,
        "association_name": membership.association.name,
        "is_active": membership.status == MembershipStatus.ACTIVE,
    }
