"""Member cards (PDF) and the public card check behind their QR code."""

from __future__ import annotations

import re
from datetime import date

import pytest

from sohoi.core.scoping import unit_scope
from sohoi.imports.values import PartialDate
from sohoi.members import cards
from sohoi.members.cards import card_verification, member_cards_html, member_cards_pdf, verification_url
from sohoi.members.person_data import PersonInput
from sohoi.members.selectors import MemberFilters
from sohoi.members.services import MembershipInput, member_admit, member_leave

BASE_URL = "https://sohoi.example.vn/"


def _admit(unit, name: str, *, year: int = 1950, gender: str = "male", number: str = ""):
    with unit_scope(unit):
        membership, _warnings = member_admit(
            unit=unit,
            person=PersonInput(full_name=name, birth=PartialDate(year), gender=gender,
                               id_number="001050009999" if name.startswith("Nguyễn") else "",
                               phone="0912000999"),
            membership=MembershipInput(joined=PartialDate(2020, 1, 1), member_number=number,
                                       card_number="T-" + number if number else ""),
            actor=None,
            confirmed_warnings=True,
        )  # fmt: skip
    return membership


@pytest.fixture
def members(tree):
    return [
        _admit(tree.A1, "Nguyễn Văn Quyết", number="A1-0001"),
        _admit(tree.A1, "Trần Thị Hoà Ỹ", year=1948, gender="female", number="A1-0002"),
    ]


def _page_count(html: str) -> int:
    from weasyprint import HTML

    return len(HTML(string=html, base_url=BASE_URL).render().pages)


def test_the_card_sheet_holds_each_members_name_numbers_and_a_qr_code(members, tree):
    with unit_scope(tree.A):
        html = member_cards_html(unit=tree.A, filters=MemberFilters(), base_url=BASE_URL)

    for text in ("Nguyễn Văn Quyết", "Trần Thị Hoà Ỹ", "A1-0001", "T-A1-0002", "1948", "THẺ HỘI VIÊN",
                 tree.A1.name, tree.association.name.upper()):  # fmt: skip
        assert text in html
    assert html.count("data:image/svg+xml") == 2
    assert "001050009999" not in html and "0912000999" not in html


def test_the_card_sheet_uses_a_local_vietnamese_font(members, tree):
    with unit_scope(tree.A):
        html = member_cards_html(unit=tree.A, filters=MemberFilters(), base_url=BASE_URL)
    assert re.search(r'src: url\("file:///usr/share/fonts/truetype/(noto|dejavu)/', html)
    assert "http://fonts" not in html and "https://fonts" not in html


def test_the_qr_code_links_to_the_verification_page_of_the_membership(members):
    url = verification_url(BASE_URL, members[0].code)
    assert url == f"https://sohoi.example.vn/xac-minh/{members[0].code}/"


def test_the_pdf_puts_ten_cards_on_each_a4_page(tree):
    for index in range(11):
        _admit(tree.A1, f"Lê Văn Thử {chr(ord('A') + index)}", number=f"N{index:02d}")

    with unit_scope(tree.A):
        pdf = member_cards_pdf(unit=tree.A, filters=MemberFilters(), base_url=BASE_URL)
        html = member_cards_html(unit=tree.A, filters=MemberFilters(), base_url=BASE_URL)

    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert _page_count(html) == 2


def test_the_pdf_follows_the_filters_and_the_scope(members, tree):
    with unit_scope(tree.A):
        women = member_cards_html(unit=tree.A, filters=MemberFilters(gender="female"), base_url=BASE_URL)
    with unit_scope(tree.B):
        of_b = member_cards_html(unit=tree.B, filters=MemberFilters(), base_url=BASE_URL)

    assert "Trần Thị Hoà Ỹ" in women and "Nguyễn Văn Quyết" not in women
    assert "Nguyễn Văn Quyết" not in of_b and "data:image/svg+xml" not in of_b


def test_a_sheet_never_holds_more_cards_than_the_limit(members, tree, monkeypatch):
    monkeypatch.setattr(cards, "CARDS_LIMIT", 1)
    with unit_scope(tree.A):
        html = member_cards_html(unit=tree.A, filters=MemberFilters(), base_url=BASE_URL)
        count = cards.card_count(unit=tree.A, filters=MemberFilters())
    assert html.count("data:image/svg+xml") == 1
    assert count == (1, False)


def test_the_card_check_shows_only_name_unit_association_and_status(members, tree):
    assert card_verification(members[0].code) == {
        "full_name": "Nguyễn Văn Quyết",
        "unit_name": tree.A1.name,
        "association_name": tree.association.name,
        "is_active": True,
    }


def test_the_card_check_says_when_a_member_has_left(members, tree):
    with unit_scope(tree.A1):
        member_leave(membership=members[1], on=date(2024, 6, 1), reason="Chuyển đi", actor=None)
    assert card_verification(members[1].code)["is_active"] is False


@pytest.mark.parametrize("code", ["khongcoma12", "", "../../etc", "a" * 40, "mã-có-dấu"])
def test_the_card_check_of_an_unknown_code_finds_nothing(db, code):
    assert card_verification(code) is None
