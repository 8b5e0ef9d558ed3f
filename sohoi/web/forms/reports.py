"""Forms of the report pages: the year and day pickers, the narrative of the year-end report,
targets (the unit's own and those handed down to its children), the area's population and the
letterhead.

They shape and check what was typed, the Vietnamese way (1.200 people, 90,5 %), so every wrong
field is reported at once; the services (sohoi.reports.services) check it all again, and their
refusals come back on the matching field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sohoi.reports import indicators as registry
from sohoi.reports.models import Letterhead, YearReport
from sohoi.reports.services import TARGET_MAX, YEAR_MAX, YEAR_MIN, YearReportInput, cut_off_problem

from .base import NFCCharField
from .members import VersionedForm
from .units import VietnameseDateField

TEXT_MAX_LENGTH = 30_000  # a section of a report: several pages, never a whole book
_GROUPED = re.compile(r"^\d{1,3}(?:[. ]\d{3})+$")  # 1.200 or 1 200: thousands, the Vietnamese way
_DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$")


def year_error() -> str:
    return gettext("Năm phải từ %(low)s đến %(high)s.") % {"low": YEAR_MIN, "high": YEAR_MAX}


def year_problem(year: Any) -> str | None:
    """The Vietnamese message for a year a report cannot have, None for a good one."""
    try:
        value = int(year)
    except (TypeError, ValueError):
        return year_error()
    return None if YEAR_MIN <= value <= YEAR_MAX else year_error()


def check_cut_off(day: date | None, year: int) -> None:
    if problem := cut_off_problem(year, day):
        raise forms.ValidationError(problem)


# ---------- Numbers typed the Vietnamese way ----------


def parse_whole(text: str) -> int:
    """A count: "1200", "1.200" or "1 200". Refused with a message that says what is wrong."""
    value = text.strip()
    if value.startswith(("-", "−")):
        raise forms.ValidationError(_("Không được nhập số âm."), code="negative")
    if _GROUPED.match(value):
        value = value.replace(".", "").replace(" ", "")
    if value.isdecimal() and value.isascii():
        if len(value) > 12:
            raise forms.ValidationError(_("Số quá lớn."), code="too_big")
        return int(value)
    if _DECIMAL.match(value):
        raise forms.ValidationError(_("Hãy nhập số nguyên (không có phần lẻ)."), code="whole")
    raise forms.ValidationError(
        _("“%(value)s” không phải là một số. Hãy nhập chữ số, ví dụ 1.200.") % {"value": value[:40]},
        code="not_a_number",
    )


def parse_rate(text: str) -> Decimal:
    """A percentage: "90", "90,5" or "90.5" (a trailing % is allowed), at most 100."""
    value = text.strip().removesuffix("%").strip()
    if value.startswith(("-", "−")):
        raise forms.ValidationError(_("Không được nhập số âm."), code="negative")
    if not _DECIMAL.match(value):
        raise forms.ValidationError(
            _("“%(value)s” không phải là một tỷ lệ. Hãy nhập chữ số, ví dụ 90,5.") % {"value": value[:40]},
            code="not_a_number",
        )
    try:
        rate = Decimal(value.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        raise forms.ValidationError(_("Không phải là một số."), code="not_a_number") from None
    if rate > 100:
        raise forms.ValidationError(_("Tỷ lệ không được quá 100 %."), code="over_100")
    return rate.quantize(Decimal("0.01"))


class TargetField(forms.CharField):
    """One indicator's target: a whole count, or a percentage for rates. Empty means none."""

    def __init__(self, *, indicator: registry.Indicator, **kwargs: Any) -> None:
        self.indicator = indicator
        is_rate = indicator.unit == registry.Unit.PERCENT
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "decimal" if is_rate else "numeric", "autocomplete": "off", "size": 10}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        if self.indicator.unit == registry.Unit.PERCENT:
            return parse_rate(text)
        amount = Decimal(parse_whole(text))
        if amount > TARGET_MAX:
            raise forms.ValidationError(_("Số quá lớn."), code="too_big")
        return amount


class WholeNumberField(forms.CharField):
    """A count of people, typed "12.345" or "12345"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 12})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        number = parse_whole(text)
        if number > 999_999_999:
            raise forms.ValidationError(_("Số quá lớn."), code="too_big")
        return number


class ReportTextField(forms.CharField):
    """A section of the narrative: NFC like every stored text, but its lines and paragraphs kept."""

    def __init__(self, *, rows: int = 8, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", TEXT_MAX_LENGTH)
        kwargs.setdefault("strip", True)
        kwargs.setdefault(
            "error_messages", {"max_length": _("Dài quá %(limit_value)d ký tự (hiện có %(show_value)d).")}
        )
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        text = unicodedata.normalize("NFC", text).replace("\u00d0", "Đ").replace("\u00f0", "đ")
        return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _line(label: Any, *, max_length: int, help_text: Any = "") -> NFCCharField:
    return NFCCharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        error_messages={"max_length": _("Dài quá %(limit_value)d ký tự (hiện có %(show_value)d).")},
    )


# ---------- Pickers (GET) ----------


class YearPickerForm(forms.Form):
    nam = forms.CharField(
        label=_("Năm báo cáo"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "autocomplete": "off"}),
    )

    def clean_nam(self) -> int:
        text = self.cleaned_data["nam"].strip()
        if problem := year_problem(text):
            raise forms.ValidationError(problem, code="year")
        return int(text)


class AsOfForm(forms.Form):
    """The day the figures are counted on (?ngay=): the year's end or today by default."""

    ngay = VietnameseDateField(label=_("Số liệu tính đến ngày"), required=False, help_text="")

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_ngay(self) -> date | None:
        day = self.cleaned_data.get("ngay")
        check_cut_off(day, self.year)
        return day


# ---------- The narrative of the year ----------

# The order of the report (DOMAIN.md §7.3), with the hint shown under each section.
NARRATIVE_SECTIONS: list[tuple[str, Any]] = [
    ("preamble", _("Các văn bản, kế hoạch làm căn cứ của báo cáo.")),
    ("situation", _("Dân số, người cao tuổi, hội viên; thuận lợi và khó khăn.")),
    (
        "achievements",
        _("Kết quả từng mặt công tác: tuyên truyền, xây dựng tổ chức, chăm sóc, phát huy vai trò…"),
    ),
    ("shortcomings", ""),
    ("causes", _("Nguyên nhân của những tồn tại, hạn chế.")),
    ("lessons", ""),
    ("directions", _("Mục tiêu, nhiệm vụ và giải pháp của năm sau (các chỉ tiêu số được điền tự động).")),
    ("proposals", _("Kiến nghị với cấp ủy, chính quyền, Mặt trận và Hội cấp trên.")),
]
HEADING_FIELDS = ["number", "place", "issued_on", "cut_off"]
SIGNATURE_FIELDS = ["recipients", "signer_authority", "signer_title", "signer_name"]


def _label(name: str) -> Any:
    return capfirst(YearReport._meta.get_field(name).verbose_name)


class YearReportForm(VersionedForm):
    """Every written part of the year-end report, saved with the version it was opened at."""

    number = _line(_label("number"), max_length=40, help_text=_("Ví dụ: 15/BC-NCT"))
    place = _line(_label("place"), max_length=80, help_text=_("Ví dụ: Chánh Lộ"))
    issued_on = VietnameseDateField(label=_label("issued_on"), required=False)
    cut_off = VietnameseDateField(
        label=_label("cut_off"),
        required=False,
        help_text=_("Để trống nếu tính đến hết năm. Ví dụ: 30/09/2026"),
    )
    preamble = ReportTextField(label=_label("preamble"), rows=4)
    situation = ReportTextField(label=_label("situation"))
    achievements = ReportTextField(label=_label("achievements"), rows=14)
    shortcomings = ReportTextField(label=_label("shortcomings"))
    causes = ReportTextField(label=_label("causes"), rows=6)
    lessons = ReportTextField(label=_label("lessons"), rows=6)
    directions = ReportTextField(label=_label("directions"), rows=10)
    proposals = ReportTextField(label=_label("proposals"), rows=6)
    recipients = ReportTextField(
        label=_label("recipients"), rows=6, help_text=_("Mỗi dòng một nơi nhận, ví dụ: - Hội NCT tỉnh;")
    )
    signer_authority = _line(
        _label("signer_authority"), max_length=60, help_text=_("Ví dụ: TM. BAN CHẤP HÀNH")
    )
    signer_title = _line(_label("signer_title"), max_length=60, help_text=_("Ví dụ: CHỦ TỊCH"))
    signer_name = _line(_label("signer_name"), max_length=120)

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        for name, hint in NARRATIVE_SECTIONS:
            if hint:
                self.fields[name].help_text = hint

    def clean_cut_off(self) -> date | None:
        day = self.cleaned_data.get("cut_off")
        check_cut_off(day, self.year)
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if problem := year_problem(self.year):
            raise forms.ValidationError(problem, code="year")
        return cleaned

    def heading_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in HEADING_FIELDS]

    def section_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _hint in NARRATIVE_SECTIONS]

    def signature_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SIGNATURE_FIELDS]

    def report_input(self) -> YearReportInput:
        data = self.cleaned_data
        return YearReportInput(**{name: data.get(name) or (None if name in ("issued_on", "cut_off") else "")
                                  for name in YearReportInput.__dataclass_fields__})  # fmt: skip


def year_report_initial(report: YearReport | None) -> dict[str, Any]:
    if report is None:
        return {"version": 0}
    names = YearReportInput.__dataclass_fields__
    return {"version": report.version, **{name: getattr(report, name) for name in names}}


# ---------- Targets ----------


@dataclass
class TargetLine:
    """One indicator on the targets form: an input, or a target handed down (read only)."""

    indicator: registry.Indicator
    field: forms.BoundField | None
    handed_down_by: str = ""
    handed_down_value: Decimal | None = None


class TargetsForm(forms.Form):
    """One input per indicator; those handed down by a level above are shown, not editable."""

    def __init__(
        self, *args: Any, year: int, current: dict[str, Decimal], locked: Iterable[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.locked = set(locked)
        for ind in registry.indicators():
            if ind.name in self.locked:
                continue
            self.fields[ind.name] = TargetField(
                indicator=ind, label=ind.label, initial=target_input_text(current.get(ind.name))
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if problem := year_problem(self.year):
            raise forms.ValidationError(problem, code="year")
        return cleaned

    def values(self) -> dict[str, Any]:
        """What to give targets_set: every editable indicator, empty for "no target"."""
        return {name: ("" if value is None else str(value)) for name, value in self.cleaned_data.items()}


def target_input_text(value: Decimal | None) -> str:
    """A stored target as the input shows it (90,5 / 1200): no trailing zeros."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


class HandDownForm(forms.Form):
    """The level above gives each child its target of one indicator (an input per child)."""

    def __init__(
        self, *args: Any, year: int, indicator: registry.Indicator, children: list[tuple[str, str, str]],
        **kwargs: Any,
    ) -> None:  # fmt: skip
        """``children``: (field name, label, current value shown) of each child that may be given one."""
        super().__init__(*args, **kwargs)
        self.year = year
        for name, label, shown in children:
            self.fields[name] = TargetField(indicator=indicator, label=label, initial=shown)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if problem := year_problem(self.year):
            raise forms.ValidationError(problem, code="year")
        return cleaned


class IndicatorPickerForm(forms.Form):
    """Which indicator to hand down (?chi-tieu=)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chi-tieu"] = forms.ChoiceField(
            label=_("Chỉ tiêu cần giao"),
            choices=[(i.name, i.label) for i in registry.indicators()],
            error_messages={"invalid_choice": _("Không có chỉ tiêu này. Hãy chọn trong danh sách.")},
        )


# ---------- Population of the area ----------


class PopulationForm(forms.Form):
    aged_60_plus = WholeNumberField(
        label=_("Số người từ 60 tuổi trở lên trên địa bàn"),
        required=True,
        error_messages={"required": _("Hãy nhập số người từ 60 tuổi trở lên.")},
        help_text=_("Mẫu số của tỷ lệ tập hợp. Ví dụ: 2.345"),
    )
    total = WholeNumberField(
        label=_("Tổng dân số trên địa bàn"), required=False, help_text=_("Không bắt buộc.")
    )
    source = _line(
        _("Nguồn số liệu"), max_length=255, help_text=_("Ví dụ: Số liệu của UBND phường, tháng 12/2026")
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if problem := year_problem(self.year):
            raise forms.ValidationError(problem, code="year")
        elderly, everyone = cleaned.get("aged_60_plus"), cleaned.get("total")
        if elderly is not None and everyone is not None and everyone < elderly:
            self.add_error("total", _("Tổng dân số không thể nhỏ hơn số người từ 60 tuổi."))
        return cleaned


# ---------- Letterhead ----------


def _letterhead_label(name: str) -> Any:
    return capfirst(Letterhead._meta.get_field(name).verbose_name)


class LetterheadForm(forms.Form):
    parent_body = _line(_letterhead_label("parent_body"), max_length=160)
    issuer = _line(_letterhead_label("issuer"), max_length=160)
    issuer_abbreviation = _line(_letterhead_label("issuer_abbreviation"), max_length=20)
    place = _line(_letterhead_label("place"), max_length=80)

    def __init__(self, *args: Any, defaults: dict[str, str], **kwargs: Any) -> None:
        """``defaults``: what the documents print for a field left empty (from the unit tree)."""
        super().__init__(*args, **kwargs)
        for name, value in defaults.items():
            if value:
                self.fields[name].help_text = _("Để trống thì dùng: %(value)s") % {"value": value}
