"""How the report pages show figures: numbers the Vietnamese way (1.234; 91,5 %) and the
geometry of the dashboard's charts, drawn as plain SVG by templates/reports/_chart_*.html.

Charts are hand-written SVG rather than a charting library: four simple shapes (bars over the
years, an age pyramid, two lists of horizontal bars) need no dependency, print as they show,
work without JavaScript or a CDN, and stay accessible (a title and a description on each, the
same numbers as text in the bars and in a table beside them). Coordinates live in a viewBox
400 units wide with text of 18 units, so on a phone the text stays about the page's own size.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from sohoi.reports import indicators as registry
from sohoi.reports.documents import formatting as fmt

WIDTH = 400
NBSP = "\u00a0"
NOTHING = "–"


# ---------- Numbers ----------


def vi_number(value: Any, places: int = 1) -> str:
    """1234567 → "1.234.567"; 91.5 → "91,5": the documents' writing of numbers, with the trailing
    zeros of a fraction dropped on a page (100,0 → 100)."""
    whole, _comma, fraction = fmt.number(value, places).partition(",")
    fraction = fraction.rstrip("0")
    return f"{whole},{fraction}" if fraction else whole


def vi_percent(value: Any, places: int = 1) -> str:
    return NOTHING if value is None else f"{vi_number(value, places)}{NBSP}%"


def vi_change(value: Any, *, unit: str = registry.Unit.PEOPLE) -> str:
    """A difference with its sign: +12, -3, 0 (percentage points for a rate, without "%")."""
    if value is None:
        return NOTHING
    text = vi_number(value)
    return f"+{text}" if Decimal(value) > 0 else text


def vi_value(value: Any, unit: str) -> str:
    """A figure as its indicator reads: a count, a percentage, years."""
    if unit == registry.Unit.PERCENT:
        return vi_percent(value)
    if unit == registry.Unit.YEARS:
        return vi_number(value)
    return vi_number(value, places=0) if value is not None else NOTHING


def _share(value: Any, scale: Any) -> float:
    if not value or not scale:
        return 0.0
    return max(0.0, min(1.0, float(value) / float(scale)))


def _r(value: float) -> float:
    return round(value, 1)


def _short(text: str, limit: int = 40) -> str:
    """SVG text does not wrap: a long unit name is cut (its full name is in the table)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------- Members over the years: vertical bars ----------


@dataclass
class Column:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value_y: float
    is_current: bool = False


@dataclass
class ColumnChart:
    title: str
    description: str
    height: int
    baseline: float
    columns: list[Column]
    width: int = WIDTH

    @property
    def label_y(self) -> float:
        return self.baseline + 25


def members_chart(points: list[tuple[int, Any]], *, current_year: int, title: str) -> ColumnChart:
    """``points``: (year, members) oldest first; the report's own year is drawn darker."""
    top, bottom, side = 32, 36, 6
    height = 240
    baseline = height - bottom
    plot = baseline - top
    scale = max((v or 0 for _y, v in points), default=0)
    slot = (WIDTH - 2 * side) / max(len(points), 1)
    columns = []
    for index, (year, value) in enumerate(points):
        bar_height = plot * _share(value, scale)
        x = side + slot * index + slot * 0.18
        columns.append(
            Column(
                label=str(year),
                value_text=vi_number(value, places=0) if value is not None else NOTHING,
                x=_r(x),
                y=_r(baseline - bar_height),
                width=_r(slot * 0.64),
                height=_r(bar_height),
                label_x=_r(side + slot * index + slot / 2),
                value_y=_r(baseline - bar_height - 8),
                is_current=year == current_year,
            )
        )
    description = "; ".join(
        _("năm %(year)s: %(value)s") % {"year": c.label, "value": c.value_text} for c in columns
    )
    return ColumnChart(
        title=title, description=description, height=height, baseline=baseline, columns=columns
    )


# ---------- Age pyramid: men left, women right ----------


@dataclass
class PyramidRow:
    label: str
    male: int
    female: int
    male_text: str
    female_text: str
    y: float
    male_x: float
    male_width: float
    female_width: float
    text_y: float
    male_text_x: float
    female_text_x: float


@dataclass
class Pyramid:
    title: str
    description: str
    height: int
    rows: list[PyramidRow]
    center_left: float
    center_right: float
    center: float
    bar_height: float
    male_total: int
    female_total: int
    male_label_x: float
    female_label_x: float
    width: int = WIDTH


AGE_BAND_SHORT = {
    "age_under_60": "< 60",
    "age_60_69": "60–69",
    "age_70_79": "70–79",
    "age_80_89": "80–89",
    "age_90_99": "90–99",
    "age_100_plus": "100+",
}


def pyramid_chart(values: dict[str, Any], bands: list[str], *, male: str, female: str, title: str) -> Pyramid:
    """Members by age band and gender (the ``{band}_{male}`` / ``{band}_{female}`` counts of the
    member indicators), oldest on top."""
    center_left, center_right = 158.0, 242.0
    reach = center_left - 60  # room for the number outside the longest bar
    header, row_height, bar_height = 34, 34, 24
    ordered = list(reversed(bands))
    counts = [
        (b, int(values.get(f"{b}_{male}") or 0), int(values.get(f"{b}_{female}") or 0)) for b in ordered
    ]
    scale = max((max(m, f) for _b, m, f in counts), default=0)
    rows = []
    for index, (band, male, female) in enumerate(counts):
        y = header + index * row_height
        male_width = reach * _share(male, scale)
        rows.append(
            PyramidRow(
                label=AGE_BAND_SHORT.get(band, band),
                male=male,
                female=female,
                male_text=vi_number(male, places=0),
                female_text=vi_number(female, places=0),
                y=_r(y),
                male_x=_r(center_left - male_width),
                male_width=_r(male_width),
                female_width=_r(reach * _share(female, scale)),
                text_y=_r(y + bar_height / 2 + 6),
                male_text_x=_r(center_left - male_width - 4),
                female_text_x=_r(center_right + reach * _share(female, scale) + 4),
            )
        )
    description = "; ".join(
        _("%(band)s tuổi: nam %(male)s, nữ %(female)s")
        % {"band": r.label, "male": r.male_text, "female": r.female_text}
        for r in rows
    )
    return Pyramid(
        title=title,
        description=description,
        height=header + len(rows) * row_height + 4,
        rows=rows,
        center_left=center_left,
        center_right=center_right,
        center=(center_left + center_right) / 2,
        bar_height=bar_height,
        male_total=sum(r.male for r in rows),
        female_total=sum(r.female for r in rows),
        male_label_x=center_left - 4,
        female_label_x=center_right + 4,
    )


# ---------- Horizontal bars against a 100 % line ----------


@dataclass
class HBar:
    label: str
    value_text: str
    label_y: float
    y: float
    width: float
    text_x: float
    text_y: float
    is_missing: bool = False
    is_total: bool = False
    reached: bool = False


@dataclass
class BarList:
    title: str
    description: str
    height: int
    bars: list[HBar]
    full_x: float  # where 100 % falls
    full_label: str
    bar_height: float
    plot_right: float
    track_width: float
    width: int = WIDTH
    left: float = 4.0


def bar_list(items: list[tuple[str, Any, str, bool]], *, title: str, cap: int = 150) -> BarList:
    """``items``: (label, percentage or None, text beside the bar, is it the total row). Bars are
    drawn to scale up to ``cap`` % (longer ones are cut there; the text says the real figure)."""
    left, value_room = 4.0, 88.0
    plot_right = WIDTH - value_room
    highest = max((float(p) for _l, p, _t, _x in items if p is not None), default=0.0)
    scale = min(max(100.0, highest), float(cap))
    span = plot_right - left
    label_height, bar_height, gap = 24, 22, 14
    top = 28
    bars = []
    for index, (label, rate, text, is_total) in enumerate(items):
        label_y = top + index * (label_height + bar_height + gap) + 18
        y = label_y + 6
        width = span * _share(rate, scale) if rate is not None else 0.0
        bars.append(
            HBar(
                label=_short(label),
                value_text=text,
                label_y=_r(label_y),
                y=_r(y),
                width=_r(width),
                text_x=_r(left + width + 6),
                text_y=_r(y + bar_height - 5),
                is_missing=rate is None,
                is_total=is_total,
                reached=rate is not None and float(rate) >= 100,
            )
        )
    description = "; ".join(f"{b.label}: {b.value_text}" for b in bars)
    return BarList(
        title=title,
        description=description,
        height=top + len(items) * (label_height + bar_height + gap) + 4,
        bars=bars,
        full_x=_r(left + span * 100 / scale),
        full_label=f"100{NBSP}%",
        bar_height=bar_height,
        plot_right=plot_right,
        track_width=_r(span),
        left=left,
    )
