"""Forms of the catalogue pages: associations and thôn / tổ dân phố."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import NFCCharField

# The names residential units go by across the country (DOMAIN.md §1.2, §2.1).
HAMLET_TYPES = [
    "Thôn",
    "Tổ dân phố",
    "Ấp",
    "Bản",
    "Buôn",
    "Làng",
    "Xóm",
    "Khu phố",
    "Khóm",
    "Khu dân cư",
    "Tổ",
]


def _text(label: str, max_length: int, *, required: bool = True, help_text: str = "") -> NFCCharField:
    return NFCCharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages={
            "required": _("Mục này không được để trống."),
            "max_length": _("Dài quá %(limit_value)d ký tự (hiện có %(show_value)d)."),
        },
    )


class AssociationCreateForm(forms.Form):
    name = _text(_("Tên hội"), 200, help_text=_("Ví dụ: Hội Cựu giáo chức"))
    short_name = _text(_("Tên ngắn"), 80, required=False, help_text=_("Để trống thì dùng tên hội."))
    abbreviation = _text(_("Chữ viết tắt"), 20, help_text=_("Dùng trong số văn bản, ví dụ CGC."))
    code = forms.SlugField(
        label=_("Mã"),
        max_length=32,
        help_text=_("Chữ thường không dấu, số và dấu gạch nối, ví dụ cuu-giao-chuc. Không đổi được về sau."),
        error_messages={
            "invalid": _("Mã chỉ gồm chữ thường không dấu, số và dấu gạch nối."),
            "required": _("Mục này không được để trống."),
            "max_length": _("Dài quá %(limit_value)d ký tự (hiện có %(show_value)d)."),
        },
    )
    min_age = forms.IntegerField(
        label=_("Tuổi tối thiểu của hội viên"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("Để trống nếu Điều lệ không quy định."),
        error_messages={
            "invalid": _("Hãy nhập một số tuổi."),
            "min_value": _("Tuổi không thể âm."),
            "max_value": _("Tuổi không quá %(limit_value)s."),
        },
    )
    exception_min_age = forms.IntegerField(
        label=_("Tuổi tối thiểu theo ngoại lệ"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_(
            "Ví dụ Hội NCT: 55 (người từ 55 đến dưới 60 tuổi tích cực tham gia). Để trống nếu không có."
        ),
        error_messages={
            "invalid": _("Hãy nhập một số tuổi."),
            "min_value": _("Tuổi không thể âm."),
            "max_value": _("Tuổi không quá %(limit_value)s."),
        },
    )
    member_number_pattern = forms.CharField(
        label=_("Mẫu số hội viên tự cấp"),
        required=False,
        max_length=40,
        help_text=_(
            "Để trống thì nhập số tay. {seq} là số thứ tự trong Hội cơ sở, {year} là năm vào hội; "
            "ví dụ {year}-{seq:04d} cho 2025-0001."
        ),
    )
    note = forms.CharField(
        label=_("Điều kiện hội viên (ghi chú)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Dài quá %(limit_value)d ký tự (hiện có %(show_value)d).")},
    )

    def clean_member_number_pattern(self) -> str:
        pattern = (self.cleaned_data.get("member_number_pattern") or "").strip()
        if not pattern:
            return ""
        try:
            sample = pattern.format(seq=1, year=2025)
        except (KeyError, IndexError, ValueError):
            raise forms.ValidationError(_("Mẫu chỉ được dùng {seq} (có thể {seq:04d}) và {year}.")) from None
        if "{seq" not in pattern or len(sample) > 30:
            raise forms.ValidationError(_("Mẫu phải có {seq} và cho số không quá 30 ký tự."))
        return pattern

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, age = cleaned.get("exception_min_age"), cleaned.get("min_age")
        if low is not None and (age is None or low >= age):
            self.add_error("exception_min_age", _("Tuổi theo ngoại lệ phải nhỏ hơn tuổi tối thiểu."))
        return cleaned

    def membership_rule(self) -> dict[str, Any]:
        rule: dict[str, Any] = {}
        if self.cleaned_data.get("min_age") is not None:
            rule["min_age"] = self.cleaned_data["min_age"]
        if self.cleaned_data.get("exception_min_age") is not None:
            rule["exception_min_age"] = self.cleaned_data["exception_min_age"]
        if pattern := self.cleaned_data.get("member_number_pattern"):
            rule["member_number_pattern"] = pattern
        if note := (self.cleaned_data.get("note") or "").strip():
            rule["note"] = note
        return rule


class HamletCreateForm(forms.Form):
    division_type = forms.ChoiceField(
        label=_("Loại"), choices=[(t, t) for t in HAMLET_TYPES], initial=HAMLET_TYPES[0]
    )
    name = _text(_("Tên"), 120, help_text=_("Tên đầy đủ, ví dụ: Thôn Đông Hải, Tổ dân phố số 5."))
