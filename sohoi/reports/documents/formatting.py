"""How numbers, dates and names are written in Vietnamese administrative documents.

Vietnamese writes "1.114" for a thousand and more and "59,8" for a decimal; dates in a
document's place-and-date line take a leading zero for days below 10 and for months 1 and 2
("ngày 05 tháng 02", but "tháng 12": Nghị định 30/2020, DOMAIN.md §7.2).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sohoi.core.text import fold

from ..indicators import Indicator, Number, Unit

DASH = "–"
# Control characters other than tab and newline are not allowed in XML (docx, xlsx): a text
# pasted from an old program can carry them.
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return _XML_UNSAFE.sub("", text or "")


def number(value: Number, places: int = 0) -> str:
    """``1114`` → "1.114"; ``Decimal("59.78")``, 1 place → "59,8"; None → "–"."""
    if value is None:
        return DASH
    quantized = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    whole, _, fraction = f"{abs(quantized):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def places_of(indicator: Indicator) -> int:
    return 1 if indicator.unit in (Unit.PERCENT, Unit.YEARS) else 0


def value(indicator: Indicator, raw: Number, *, with_unit: bool = False) -> str:
    """An indicator's value as a table cell shows it ("91,2" or, ``with_unit``, "91,2%")."""
    text = number(raw, places_of(indicator))
    if with_unit and raw is not None and indicator.unit == Unit.PERCENT:
        return text + "%"
    return text


def change(indicator: Indicator, raw: Number) -> str:
    """A change with its sign ("+30", "-5", "0"); for a rate, in percentage points."""
    if raw is None:
        return DASH
    text = number(raw, places_of(indicator))
    return "+" + text if raw > 0 else text


def unit_label(indicator: Indicator) -> str:
    return {Unit.PEOPLE: "người", Unit.UNITS: "đơn vị", Unit.PERCENT: "%", Unit.YEARS: "tuổi"}.get(
        indicator.unit, ""
    )


def day_month_year(day: date) -> str:
    """dd/mm/yyyy, as tables and cut-off lines write a date."""
    return day.strftime("%d/%m/%Y")


def place_and_date(place: str, day: date) -> str:
    """ "Chánh Lộ, ngày 05 tháng 12 năm 2024"."""
    prefix = f"{place}, " if place else ""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{prefix}ngày {day.day:02d} tháng {month} năm {day.year}"


def document_number(number_text: str, abbreviation: str, kind: str = "BC") -> str:
    """ "Số: 15/BC-NCT". A bare number gets the type and the issuer; an empty one leaves a blank
    for the office to fill in when the document is registered."""
    text = (number_text or "").strip()
    if not text:
        return f"Số:       /{kind}-{abbreviation}"
    if text.isdigit():
        return f"Số: {int(text):02d}/{kind}-{abbreviation}"
    return f"Số: {text}"


def slug(text: str, limit: int = 60) -> str:
    """An ASCII file-name part: Vietnamese letters survive neither every download bar nor Zalo."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:limit].strip("-") or "don-vi"


def roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for amount, letters in numerals:
        while n >= amount:
            out += letters
            n -= amount
    return out


def paragraphs(text: str) -> list[str]:
    """A narrative field as paragraphs: one per non-empty line."""
    return [line.strip() for line in clean(text).replace("\r\n", "\n").split("\n") if line.strip()]
