"""The year-end report (báo cáo tổng kết năm) as a format-neutral document.

One builder reads the figures, the narrative and the letterhead and lays out the report of
DOMAIN.md §7.3 as a list of blocks (paragraphs and tables); ``word.py`` writes it as .docx and
``pdf.py`` as HTML → PDF, so both formats always say the same thing.

The builders run inside the scope of the unit(s) they report on. The document's own wording is
Vietnamese and not translated: an administrative document of a Hội is in Vietnamese whatever
language its reader's interface uses (the indicator labels are read under ``vi``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.utils import timezone

from sohoi.orgunits.models import OrgUnit, UnitLevel

from .. import indicators as registry
from ..indicators import Number
from ..models import YearReport
from ..selectors import (
    UnitReport,
    area_report,
    letterhead_lines,
    report_day,
    unit_report,
    year_report_for,
)
from . import formatting as fmt

# Kinds of paragraph.
BODY = "body"  # justified, first-line indent
PART = "part"  # "PHẦN I. …": bold capitals, centred
SECTION = "section"  # "1. Đặc điểm tình hình": bold
SUBSECTION = "subsection"  # "a) Tồn tại, hạn chế": bold italic
PLACEHOLDER = "placeholder"  # a section nobody has written yet: italic, so it shows
NOTE = "note"  # a small italic line under a table or title

DEFAULT_AUTHORITY = "TM. BAN CHẤP HÀNH"
DEFAULT_SIGNER_TITLE = "CHỦ TỊCH"
DEFAULT_RECIPIENTS = ["- Lưu: VT."]
SIGNER_NAME_PLACEHOLDER = "(Họ và tên người ký)"

# Rows of the organisation table that show even at zero: the figures every report gives.
ALWAYS_SHOWN = (
    "members",
    "members_female",
    "new_members",
    "deaths",
    "departures",
    "transfers_in",
    "transfers_out",
    "units_branch",
    "units_group",
    "gathering_rate",
)
ABOVE_COMMUNES = (UnitLevel.CENTRAL, UnitLevel.PROVINCE, UnitLevel.DISTRICT)
# The columns of the data appendix (biểu số liệu), under their group heading.
APPENDIX_GROUPS: list[tuple[str, list[str]]] = [
    ("", ["members"]),
    ("Giới tính", ["members_male", "members_female"]),
    (
        "Độ tuổi",
        ["age_under_60", "age_60_69", "age_70_79", "age_80_89", "age_90_99", "age_100_plus", "age_unknown"],
    ),
    ("Trong năm", ["new_members", "deaths"]),
    ("", ["gathering_rate"]),
]
# The joint report's summary of the associations, on a portrait page.
SUMMARY_GROUPS: list[tuple[str, list[str]]] = [
    ("", ["members", "members_female", "new_members", "deaths", "gathering_rate"]),
]
APPENDIX_SHORT_LABELS = {
    "members": "Tổng số hội viên",
    "members_male": "Nam",
    "members_female": "Nữ",
    "age_under_60": "Dưới 60",
    "age_60_69": "60–69",
    "age_70_79": "70–79",
    "age_80_89": "80–89",
    "age_90_99": "90–99",
    "age_100_plus": "Từ 100",
    "age_unknown": "Chưa rõ",
    "new_members": "Kết nạp mới",
    "deaths": "Từ trần",
    "gathering_rate": "Tỷ lệ tập hợp (%)",
}
# Page widths left for text (A4 less the ND30 margins: left 30 mm, right 15 mm).
PORTRAIT_WIDTH_MM = 165.0
LANDSCAPE_WIDTH_MM = 252.0


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = BODY


@dataclass(frozen=True)
class Column:
    label: str
    width: float  # millimetres
    align: str = "center"  # left | center | right


@dataclass(frozen=True)
class TableRow:
    cells: list[str]
    is_bold: bool = False


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[TableRow]
    # A first header row of (label, span) above the column labels; a span-1 group with an empty
    # label is the column's own label, standing across both header rows.
    groups: list[tuple[str, int]] | None = None
    kind: ClassVar[str] = "table"

    def header_rows(self) -> list[list[tuple[str, int, int]]]:
        """The header as rows of (label, column span, row span), as HTML lays it out."""
        if not self.groups:
            return [[(c.label, 1, 1) for c in self.columns]]
        top: list[tuple[str, int, int]] = []
        bottom: list[tuple[str, int, int]] = []
        column = 0
        for label, span in self.groups:
            if span == 1 and not label:
                top.append((self.columns[column].label, 1, 2))
            else:
                top.append((label, span, 1))
                bottom += [(c.label, 1, 1) for c in self.columns[column : column + span]]
            column += span
        return [top, bottom]

    def body_rows(self) -> list[tuple[TableRow, list[tuple[str, str]]]]:
        """Each row with its cells paired with their column's alignment."""
        aligns = [c.align for c in self.columns]
        return [(row, list(zip(row.cells, aligns, strict=False))) for row in self.rows]


Block = Paragraph | Table


@dataclass(frozen=True)
class Signature:
    authority: str
    title: str
    name: str


@dataclass
class ReportDocument:
    year: int
    cut_off: date
    parent_body: str
    issuer: str
    number: str  # "Số: 15/BC-NCT"
    place_date: str  # "Chánh Lộ, ngày 05 tháng 12 năm 2024"
    subject: str
    body: list[Block]
    signature: Signature
    recipients: list[str]
    appendix: list[Block] = field(default_factory=list)
    appendix_notes: list[str] = field(default_factory=list)
    title: str = "BÁO CÁO"
    appendix_title: str = "BIỂU SỐ LIỆU"

    def text(self) -> str:
        """Every line of the document as plain text (for tests and search)."""
        lines = [self.parent_body, self.issuer, self.number, self.place_date, self.title, self.subject]
        for block in [*self.body, *self.appendix]:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                lines.append(" | ".join(c.label for c in block.columns))
                lines.extend(" | ".join(row.cells) for row in block.rows)
        return "\n".join(lines)


# ---------- small helpers ----------


def _get(report: UnitReport, name: str) -> Number:
    return report.figures.total[name]


def _count(value: Number) -> str:
    return fmt.number(value or 0)


def _narrative(saved: YearReport | None, attribute: str, label: str) -> list[Paragraph]:
    """What the unit wrote for a section, or a line that says it is still empty."""
    text = getattr(saved, attribute, "") if saved is not None else ""
    lines = fmt.paragraphs(text)
    if not lines:
        return [Paragraph(f"(Chưa nhập nội dung phần “{label}”.)", PLACEHOLDER)]
    return [Paragraph(line) for line in lines]


def _measures_gathering(unit: OrgUnit) -> bool:
    # The gathering rate is members aged 60+ over the people aged 60+ of the area (DOMAIN.md
    # §3.2): it means something for an association of older people, not for Khuyến học.
    return (unit.association.min_age or 0) >= 55


def _indicator(name: str) -> registry.Indicator | None:
    return registry.indicator(name)


# ---------- the sentences with the figures ----------


def situation_sentence(report: UnitReport) -> str:
    """ "Tính đến ngày 31/12/2024, Hội NCT phường X có 1.114 hội viên, trong đó nữ 666 người
    (chiếm 59,8%); tuổi bình quân 72,0; tỷ lệ tập hợp … đạt 91,2%.\""""
    unit = report.unit
    members = _get(report, "members") or 0
    text = f"Tính đến ngày {fmt.day_month_year(report.period.as_of)}, {unit.name} có {fmt.number(members)} hội viên"
    if members:
        female = _get(report, "members_female") or 0
        share = _get(report, "members_share_female")
        text += f", trong đó nữ {fmt.number(female)} người"
        if share is not None:
            text += f" (chiếm {fmt.number(share, 1)}%)"
    mean_age = _get(report, "mean_age")
    if mean_age is not None:
        text += f"; tuổi bình quân {fmt.number(mean_age, 1)}"
    rate = _get(report, "gathering_rate")
    if rate is not None:
        text += f"; tỷ lệ tập hợp người cao tuổi vào Hội đạt {fmt.number(rate, 1)}%"
    return text + "."


def organisation_sentences(report: UnitReport) -> list[str]:
    """The year's admissions and losses, the change on last year, the units and the rate."""
    unit, period = report.unit, report.period
    year = period.year
    flows = (
        f"Trong năm {year} (từ ngày {fmt.day_month_year(period.start)} đến ngày "
        f"{fmt.day_month_year(period.as_of)}), kết nạp mới {_count(_get(report, 'new_members'))} hội viên"
    )
    rejoined = _get(report, "rejoined")
    if rejoined:
        flows += f", {fmt.number(rejoined)} hội viên sinh hoạt trở lại"
    flows += (
        f"; {_count(_get(report, 'deaths'))} hội viên từ trần; "
        f"{_count(_get(report, 'departures'))} hội viên thôi sinh hoạt; "
        f"chuyển đến {_count(_get(report, 'transfers_in'))}, chuyển đi {_count(_get(report, 'transfers_out'))} hội viên."
    )
    sentences = [flows]

    members = _get(report, "members") or 0
    before = report.last_year.total["members"]
    total = f"Đến ngày {fmt.day_month_year(period.as_of)}, tổng số hội viên là {fmt.number(members)}"
    if before is not None:
        difference = members - before
        if difference > 0:
            total += (
                f", tăng {fmt.number(difference)} hội viên so với cùng kỳ năm trước ({fmt.number(before)})"
            )
        elif difference < 0:
            total += (
                f", giảm {fmt.number(-difference)} hội viên so với cùng kỳ năm trước ({fmt.number(before)})"
            )
        else:
            total += ", bằng cùng kỳ năm trước"
    card = _get(report, "members_with_card")
    if card and members:
        total += f"; {fmt.number(card)} hội viên đã được cấp thẻ (đạt {fmt.number(Decimal(card) * 100 / members, 1)}%)"
    sentences.append(total + ".")

    units = []
    communes = _get(report, "units_commune") or 0
    if unit.level in ABOVE_COMMUNES and communes:
        units.append(f"{fmt.number(communes)} Hội cơ sở")
    branches, groups = _get(report, "units_branch") or 0, _get(report, "units_group") or 0
    if branches or unit.level not in (UnitLevel.BRANCH, UnitLevel.GROUP):
        units.append(f"{fmt.number(branches)} chi hội")
    if groups:
        units.append(f"{fmt.number(groups)} tổ hội")
    if units:
        sentences.append("Toàn Hội có " + ", ".join(units) + ".")

    rate = _get(report, "gathering_rate")
    if rate is not None:
        sentences.append(
            f"Tỷ lệ tập hợp hội viên đạt {fmt.number(rate, 1)}% ({_count(_get(report, 'members_60_plus'))} "
            f"hội viên từ 60 tuổi trên {_count(_get(report, 'population_60_plus'))} người cao tuổi trên địa bàn)."
        )
    elif _measures_gathering(unit):
        sentences.append(
            f"Chưa có số người cao tuổi trên địa bàn năm {year} nên chưa tính được tỷ lệ tập hợp hội viên."
        )
    return sentences


# ---------- tables ----------


def results_table(report: UnitReport) -> Table:
    """Target, result, % done, last year and change for the year's main figures."""
    year = report.period.year
    # A commune's own "Hội cơ sở: 1" says nothing; above the communes it is the number of them.
    counts_communes = report.unit.level in ABOVE_COMMUNES
    columns = [
        Column("TT", 9),
        Column("Chỉ tiêu", 49, "left"),
        Column("Đơn vị tính", 15),
        Column(f"Năm {year - 1}", 18, "right"),
        Column(f"Kế hoạch năm {year}", 19, "right"),
        Column(f"Thực hiện năm {year}", 19, "right"),
        Column("% so với kế hoạch", 17, "right"),
        Column(f"Tăng, giảm so với năm {year - 1}", 19, "right"),
    ]
    rows = []
    for row in report.rows:
        ind = row.indicator
        shown = ind.name in ALWAYS_SHOWN or row.target is not None or (ind.group != "age" and row.result)
        if not shown or (ind.name == "units_commune" and not counts_communes):
            continue
        rows.append(
            TableRow(
                [
                    str(len(rows) + 1),
                    str(ind.label),
                    fmt.unit_label(ind),
                    fmt.value(ind, row.last_year),
                    fmt.value(ind, row.target),
                    fmt.value(ind, row.result),
                    fmt.number(row.done, 1) if row.done is not None else fmt.DASH,
                    fmt.change(ind, row.change),
                ]
            )
        )
    return Table(columns, rows)


def next_year_targets_table(report: UnitReport) -> Table | None:
    """The targets set (or handed down) for next year, beside this year's result."""
    if not report.next_year_targets:
        return None
    year = report.period.year
    columns = [
        Column("TT", 9),
        Column("Chỉ tiêu", 66, "left"),
        Column("Đơn vị tính", 16),
        Column(f"Thực hiện năm {year}", 24, "right"),
        Column(f"Chỉ tiêu năm {year + 1}", 24, "right"),
        Column("Ghi chú", 26, "left"),
    ]
    rows = []
    for ind in registry.indicators():
        target = report.next_year_targets.get(ind.name)
        if target is None:
            continue
        note = target.note
        if target.is_handed_down:
            note = f"{target.set_by.name} giao" + (f"; {note}" if note else "")
        rows.append(
            TableRow(
                [
                    str(len(rows) + 1),
                    str(ind.label),
                    fmt.unit_label(ind),
                    fmt.value(ind, report.figures.total[ind.name]),
                    fmt.value(ind, target.value),
                    fmt.clean(note),
                ]
            )
        )
    return Table(columns, rows)


def _appendix_names(
    rows: list[dict[str, Number]], groups: list[tuple[str, list[str]]]
) -> list[tuple[str, list[str]]]:
    """The table's groups and columns, without "unknown age" when nobody lacks a birth year."""
    kept_groups = []
    for label, names in groups:
        kept = [
            n for n in names
            if _indicator(n) is not None and (n != "age_unknown" or any(r.get(n) for r in rows))
        ]  # fmt: skip
        if kept:
            kept_groups.append((label, kept))
    return kept_groups


def figures_table(
    rows: list[tuple[str, str, dict[str, Number], bool]],
    *,
    first_label: str = "Đơn vị",
    groups: list[tuple[str, list[str]]] = APPENDIX_GROUPS,
    width: float = LANDSCAPE_WIDTH_MM,
) -> Table:
    """One line per (number, name, values, is_bold), the main indicators in columns under group
    headings: the data appendix (on a landscape page) and the joint report's summary."""
    kept = _appendix_names([values for _n, _name, values, _b in rows], groups)
    names = [n for _label, ns in kept for n in ns]
    figure_width = min(15.0, (width - 9 - 42) / len(names))
    name_width = width - 9 - figure_width * len(names)
    columns = [Column("TT", 9), Column(first_label, name_width, "left")]
    columns += [
        Column(APPENDIX_SHORT_LABELS.get(n, str(_indicator(n).label)), figure_width, "right") for n in names
    ]  # type: ignore[union-attr]
    header_groups: list[tuple[str, int]] = [("", 1), ("", 1)]
    for label, ns in kept:
        if label:
            header_groups.append((label, len(ns)))
        else:
            header_groups.extend(("", 1) for _n in ns)
    table_rows = []
    for number, name, values, is_bold in rows:
        cells = [number, name]
        for n in names:
            ind = _indicator(n)
            cells.append(fmt.value(ind, values.get(n)) if ind is not None else fmt.DASH)  # type: ignore[arg-type]
        table_rows.append(TableRow(cells, is_bold=is_bold))
    has_groups = any(label for label, _span in header_groups)
    return Table(columns, table_rows, groups=header_groups if has_groups else None)


def unit_appendix_rows(report: UnitReport) -> list[tuple[str, str, dict[str, Number], bool]]:
    """The unit's total, each child, and the members kept directly at the unit (when any), so
    the lines add up to the total."""
    figures = report.figures
    rows: list[tuple[str, str, dict[str, Number], bool]] = [
        ("", f"Toàn {report.unit.name}", figures.total.values, True)
    ]
    for index, child in enumerate(figures.children, start=1):
        rows.append((str(index), child.unit.name, child.values, False))
    if figures.has_direct_row:
        direct = {k: v for k, v in figures.direct.items()}
        rows.append(("", f"Sinh hoạt trực tiếp tại {report.unit.name}", direct, False))
    return rows


# ---------- the document ----------


def _signature(saved: YearReport | None) -> Signature:
    def entered(value: str) -> str:
        return fmt.clean(value).strip()

    authority = entered(saved.signer_authority) if saved else ""
    title = entered(saved.signer_title) if saved else ""
    return Signature(
        authority=(authority or DEFAULT_AUTHORITY).upper(),
        title=(title or DEFAULT_SIGNER_TITLE).upper(),
        name=entered(saved.signer_name) if saved else "",
    )


def _recipients(saved: YearReport | None) -> list[str]:
    lines = fmt.paragraphs(saved.recipients) if saved is not None else []
    if not lines:
        return list(DEFAULT_RECIPIENTS)
    return [line if line.startswith(("-", "–", "+")) else f"- {line}" for line in lines]


def _unit_part_blocks(report: UnitReport, saved: YearReport | None) -> dict[str, list[Block]]:
    """The contents of one unit's sections, by name (the caller numbers the headings)."""
    year = report.period.year
    results: list[Block] = [
        Paragraph("a) Xây dựng tổ chức Hội, phát triển hội viên", SUBSECTION),
        *(Paragraph(s) for s in organisation_sentences(report)),
        results_table(report),
        Paragraph(f"Số liệu tính đến ngày {fmt.day_month_year(report.period.as_of)}.", NOTE),
        Paragraph("b) Kết quả các mặt công tác khác", SUBSECTION),
        *_narrative(saved, "achievements", "Kết quả đạt được"),
    ]
    assessment: list[Block] = [
        Paragraph("a) Tồn tại, hạn chế", SUBSECTION),
        *_narrative(saved, "shortcomings", "Tồn tại, hạn chế"),
        Paragraph("b) Nguyên nhân", SUBSECTION),
        *_narrative(saved, "causes", "Nguyên nhân"),
        Paragraph("c) Bài học kinh nghiệm", SUBSECTION),
        *_narrative(saved, "lessons", "Bài học kinh nghiệm"),
    ]
    targets = next_year_targets_table(report)
    targets_blocks: list[Block] = (
        [targets] if targets is not None
        else [Paragraph(f"(Chưa đặt chỉ tiêu cho năm {year + 1}.)", PLACEHOLDER)]
    )  # fmt: skip
    return {
        "situation": [
            *_narrative(saved, "situation", "Đặc điểm tình hình"),
            Paragraph(situation_sentence(report)),
        ],
        "results": results,
        "assessment": assessment,
        "directions": _narrative(saved, "directions", "Phương hướng, nhiệm vụ"),
        "targets": targets_blocks,
        "proposals": _narrative(saved, "proposals", "Đề xuất, kiến nghị"),
    }


def _section(number: int, title: str) -> Paragraph:
    return Paragraph(f"{number}. {title}", SECTION)


def _header_fields(unit: OrgUnit, saved: YearReport | None, today: date) -> dict[str, str]:
    lines = letterhead_lines(unit=unit)
    place = saved.place.strip() if saved and saved.place.strip() else lines.place
    issued_on = saved.issued_on if saved and saved.issued_on else today
    return {
        "parent_body": fmt.clean(lines.parent_body).upper(),
        "issuer": fmt.clean(lines.issuer).upper(),
        "number": fmt.document_number(
            fmt.clean(saved.number) if saved else "", fmt.clean(lines.issuer_abbreviation)
        ),
        "place_date": fmt.place_and_date(fmt.clean(place), issued_on),
    }


def _closing(text: str) -> Paragraph:
    """The body ends with "./." (ND30)."""
    return Paragraph(text.rstrip(".") + "./.")


def unit_document(*, unit: OrgUnit, year: int, today: date | None = None) -> ReportDocument:
    """The year-end report of ``unit``: letterhead, parts I–III with the figures and the
    narrative, signature, recipients and the data appendix. Runs inside the unit's scope."""
    today = today or timezone.localdate()
    report = unit_report(unit=unit, year=year, today=today)
    saved = year_report_for(unit=unit, year=year)
    parts = _unit_part_blocks(report, saved)
    preamble = fmt.paragraphs(saved.preamble) if saved else []
    if not preamble:
        preamble = [
            f"Thực hiện chương trình công tác năm {year}, Ban Chấp hành {unit.name} báo cáo tổng kết công tác "
            f"Hội năm {year} và phương hướng, nhiệm vụ năm {year + 1} như sau:"
        ]
    body: list[Block] = [
        *(Paragraph(line) for line in preamble),
        Paragraph(f"PHẦN I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM {year}", PART),
        _section(1, "Đặc điểm tình hình"),
        *parts["situation"],
        _section(2, "Kết quả thực hiện nhiệm vụ"),
        *parts["results"],
        _section(3, "Đánh giá chung"),
        *parts["assessment"],
        Paragraph(f"PHẦN II. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {year + 1}", PART),
        _section(1, "Phương hướng, nhiệm vụ"),
        *parts["directions"],
        _section(2, f"Các chỉ tiêu chủ yếu năm {year + 1}"),
        *parts["targets"],
        Paragraph("PHẦN III. ĐỀ XUẤT, KIẾN NGHỊ", PART),
        *parts["proposals"],
        _closing(
            f"Trên đây là báo cáo tổng kết công tác Hội năm {year} và phương hướng, nhiệm vụ năm {year + 1} "
            f"của {unit.name}"
        ),
    ]
    header = _header_fields(unit, saved, today)
    return ReportDocument(
        year=year,
        cut_off=report.period.as_of,
        subject=f"Tổng kết công tác Hội năm {year} và phương hướng, nhiệm vụ năm {year + 1}",
        body=body,
        signature=_signature(saved),
        recipients=_recipients(saved),
        appendix=[figures_table(unit_appendix_rows(report))],
        appendix_notes=[
            f"(Kèm theo Báo cáo tổng kết công tác Hội năm {year} của {unit.name})",
            f"Số liệu tính đến ngày {fmt.day_month_year(report.period.as_of)}",
        ],
        **header,
    )


def joint_document(
    *, unit: OrgUnit, units: list[OrgUnit], year: int, today: date | None = None
) -> ReportDocument:
    """The joint report of the associations of one area (khối hội đặc thù, DOMAIN.md §7.3): one
    part per association with its figures and narrative, issued under ``unit``'s letterhead.
    Runs inside a scope covering every unit of ``units`` (all in ``unit``'s area)."""
    today = today or timezone.localdate()
    issuer_saved = year_report_for(unit=unit, year=year)
    cut_off = issuer_saved.cut_off if issuer_saved is not None else None
    area = unit.area
    area_name = area.name if area is not None else unit.name
    # One day for every association: the issuer's.
    day = report_day(unit=unit, year=year, today=today)
    reports = [(u, unit_report(unit=u, year=year, as_of=day, today=today)) for u in units]
    as_of = day

    summary = (
        f"Trên địa bàn {area_name} có {len(reports)} hội đặc thù với tổng số "
        f"{fmt.number(sum((r.figures.total['members'] or 0) for _u, r in reports))} hội viên"
    )
    if area is not None and cut_off is None:
        period, _columns, people = area_report(area=area, year=year, today=today)
        if period.as_of == as_of:
            summary += f" ({fmt.number(people)} người; một người có thể là hội viên của nhiều hội)"
    body: list[Block] = [
        Paragraph(
            f"Thực hiện chương trình công tác năm {year}, các hội đặc thù {area_name} báo cáo tổng kết "
            f"công tác năm {year} và phương hướng, nhiệm vụ năm {year + 1} như sau:"
        ),
        Paragraph(summary + f", tính đến ngày {fmt.day_month_year(as_of)}."),
        figures_table(
            [(str(i), u.name, r.figures.total.values, False) for i, (u, r) in enumerate(reports, start=1)],
            first_label="Hội",
            groups=SUMMARY_GROUPS,
            width=PORTRAIT_WIDTH_MM,
        ),
    ]
    for index, (member_unit, report) in enumerate(reports, start=1):
        saved = year_report_for(unit=member_unit, year=year)
        parts = _unit_part_blocks(report, saved)
        body += [
            Paragraph(f"{fmt.roman(index)}. {member_unit.name.upper()}", PART),
            _section(1, "Đặc điểm tình hình"),
            *parts["situation"],
            _section(2, f"Kết quả thực hiện nhiệm vụ năm {year}"),
            *parts["results"],
            _section(3, "Đánh giá chung"),
            *parts["assessment"],
            _section(4, f"Phương hướng, nhiệm vụ năm {year + 1}"),
            *parts["directions"],
            *parts["targets"],
            _section(5, "Đề xuất, kiến nghị"),
            *parts["proposals"],
        ]
    body.append(
        _closing(
            f"Trên đây là báo cáo tổng kết công tác năm {year} và phương hướng, nhiệm vụ năm {year + 1} "
            f"của các hội đặc thù {area_name}"
        )
    )
    header = _header_fields(unit, issuer_saved, today)
    appendix: list[Block] = [
        figures_table(
            [(str(i), u.name, r.figures.total.values, False) for i, (u, r) in enumerate(reports, start=1)],
            first_label="Hội",
        )
    ]
    for member_unit, report in reports:
        appendix += [Paragraph(member_unit.name, SECTION), figures_table(unit_appendix_rows(report))]
    return ReportDocument(
        year=year,
        cut_off=as_of,
        subject=(
            f"Tổng kết công tác các hội đặc thù {area_name} năm {year} "
            f"và phương hướng, nhiệm vụ năm {year + 1}"
        ),
        body=body,
        signature=_signature(issuer_saved),
        recipients=_recipients(issuer_saved),
        appendix=appendix,
        appendix_notes=[
            f"(Kèm theo Báo cáo tổng kết công tác các hội đặc thù {area_name} năm {year})",
            f"Số liệu tính đến ngày {fmt.day_month_year(as_of)}",
        ],
        **header,
    )
