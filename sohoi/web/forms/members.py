"""Forms of the member register: the list's filters, a member's data, lifecycle actions,
consent, merge.

They only read and shape what was typed: every rule of the register is checked again by the
services (sohoi.members.services), whose refusals come back on the matching field. Dates are
typed the Vietnamese way; a birth or a joining may be known only to the month or the year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sohoi.imports.values import PartialDate, parse_date
from sohoi.members.models import ConsentMethod, Gender, MembershipStatus
from sohoi.members.selectors import AGE_BANDS
from sohoi.orgunits.models import Area, AreaLevel, OrgUnit

from .base import NFCCharField
from .units import AreaChoiceField, UnitChoiceField, VietnameseDateField, area_key

ALL_STATUSES = "tat-ca"
SEARCH_MAX_LENGTH = 100


def _text(label: str, *, max_length: int, required: bool = False, **kwargs: Any) -> NFCCharField:
    messages = {"max_length": _("Dài quá %(limit_value)d ký tự (hiện có %(show_value)d)."),
                **kwargs.pop("error_messages", {})}  # fmt: skip
    return NFCCharField(
        label=label, required=required, max_length=max_length, error_messages=messages, **kwargs
    )


class PartialDateField(forms.CharField):
    """A date typed as "12/03/1945", "3/1950" or "1950"; cleans to a PartialDate."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("Ví dụ: 12/03/1945, hoặc 3/1950, hoặc chỉ năm 1950"))
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 12})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> PartialDate | None:
        text = super().clean(value)
        if not text:
            return None
        parsed, problem = parse_date(text, today=timezone.localdate())
        if parsed is None:
            raise forms.ValidationError(problem.message if problem else _("Ngày không hợp lệ."))
        return parsed


def _age_band_label(key: str) -> str:
    low, high = AGE_BANDS[key]
    if high is None:
        return _("Từ %(low)s tuổi") % {"low": low}
    if low == 0:
        return _("Dưới %(high)s tuổi") % {"high": high + 1}
    return _("%(low)s–%(high)s tuổi") % {"low": low, "high": high}


def _year_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1880,
        max_value=2100,
        error_messages={"invalid": _("Hãy nhập năm bằng bốn chữ số, ví dụ 1950.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def split_areas(areas: Sequence[Area]) -> tuple[list[Area], list[Area]]:
    """(communes or larger, hamlets) of a list of areas."""
    hamlets = [a for a in areas if a.level == AreaLevel.HAMLET]
    return [a for a in areas if a.level != AreaLevel.HAMLET], hamlets


class MemberFilterForm(forms.Form):
    """The list's search box and filters (GET). A bad value is reported and ignored."""

    q = NFCCharField(
        label=_("Tìm hội viên"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Họ tên, số hội viên, số điện thoại hoặc số CCCD"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[*MembershipStatus.choices, (ALL_STATUSES, _("Tất cả"))],
    )
    gender = forms.ChoiceField(
        label=_("Giới tính"), required=False, choices=[("", _("Tất cả")), *Gender.choices]
    )
    age = forms.ChoiceField(label=_("Độ tuổi"), required=False)
    birth_year = _year_field(_("Năm sinh"))
    join_year = _year_field(_("Năm vào hội"))
    area = AreaChoiceField(label=_("Địa bàn"))

    def __init__(self, *args: Any, areas: Sequence[Area] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["age"].choices = [("", _("Tất cả")), *((key, _age_band_label(key)) for key in AGE_BANDS)]
        self.fields["area"] = AreaChoiceField(areas=areas, label=_("Địa bàn (xã/phường, thôn/tổ)"))

    def value(self, name: str) -> Any:
        """The cleaned value of a valid field, None for a missing or refused one."""
        return self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None


STALE_PAGE = _(
    "Trang này đã cũ (thiếu thông tin phiên bản). Hãy tải lại trang rồi làm lại; chưa có gì được lưu."
)


class VersionedForm(forms.Form):
    """A form that changes a record states the version it was opened at: a save without it
    could overwrite someone else's newer save, so it is refused (never a silent overwrite)."""

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    version_required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.version_required and cleaned.get("version") is None:
            raise forms.ValidationError(STALE_PAGE, code="stale")
        return cleaned


class MemberForm(VersionedForm):
    """A person's data and their membership's details, in one form (add and edit)."""

    full_name = _text(_("Họ và tên"), max_length=120, required=True)
    family_name = _text(_("Họ"), max_length=60)
    middle_name = _text(_("Tên đệm"), max_length=60)
    given_name = _text(_("Tên"), max_length=60)
    birth = PartialDateField(label=_("Ngày sinh"), required=False)
    gender = forms.ChoiceField(
        label=_("Giới tính"), required=False, choices=Gender.choices, widget=forms.RadioSelect
    )
    id_number = _text(
        _("Số CCCD/CMND"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = _text(_("Số điện thoại"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"}))
    phone_note = _text(_("Ghi chú số điện thoại"), max_length=80, help_text=_("Ví dụ: số của con trai"))
    address = _text(_("Địa chỉ"), max_length=255)
    area = AreaChoiceField(label=_("Xã/phường"))
    hamlet = AreaChoiceField(label=_("Thôn/tổ dân phố"))
    ethnicity = _text(_("Dân tộc"), max_length=50)
    religion = _text(_("Tôn giáo"), max_length=50)
    health_note = _text(_("Tình trạng sức khỏe"), max_length=255)
    policy_status = _text(_("Diện chính sách"), max_length=255, help_text=_("Ví dụ: thương binh, hộ nghèo"))
    unit = UnitChoiceField(label=_("Sinh hoạt tại"))
    joined = PartialDateField(
        label=_("Ngày vào hội"), required=True, error_messages={"required": _("Cần nhập ngày vào hội.")}
    )
    member_number = _text(
        _("Số hội viên"), max_length=30, help_text=_("Để trống để cấp số tự động (nếu hội có quy định).")
    )
    card_number = _text(_("Số thẻ"), max_length=30)
    card_issued_on = VietnameseDateField(label=_("Ngày cấp thẻ"), required=False)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    exception_reason = _text(
        _("Lý do kết nạp theo ngoại lệ"),
        max_length=255,
        help_text=_("Chỉ cần khi người này chưa đủ tuổi theo quy định của hội."),
    )
    confirm = forms.BooleanField(label=_("Tôi đã kiểm tra, vẫn lưu"), required=False, label_suffix="")

    SENSITIVE = ("religion", "health_note", "policy_status")

    def __init__(
        self,
        *args: Any,
        areas: Sequence[Area] = (),
        units: Sequence[OrgUnit] | None = None,
        base_depth: int = 1,
        with_sensitive: bool = False,
        is_edit: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        communes, hamlets = split_areas(areas)
        self.fields["area"] = AreaChoiceField(areas=communes, label=_("Xã/phường"))
        self.fields["hamlet"] = AreaChoiceField(areas=hamlets, label=_("Thôn/tổ dân phố"))
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"] = UnitChoiceField(
                units=units, base_depth=base_depth, label=_("Sinh hoạt tại"),
                error_messages={"required": _("Hãy chọn đơn vị sinh hoạt.")},
            )  # fmt: skip
        if not with_sensitive:
            for name in self.SENSITIVE:
                del self.fields[name]
        self.version_required = is_edit
        if is_edit:
            del self.fields["exception_reason"]
        else:
            del self.fields["version"]
        self.show_confirm = False

    def person_fields(self) -> list[forms.BoundField]:
        names = ("full_name", "birth", "gender", "id_number", "phone", "phone_note", "address", "area",
                 "hamlet", "ethnicity", *self.SENSITIVE, "note")  # fmt: skip
        # An area select with nothing to choose (the unit has no area on record) is left out.
        empty = {n for n in ("area", "hamlet") if len(self.fields[n].choices) <= 1}
        return [self[n] for n in names if n in self.fields and n not in empty]

    def name_parts(self) -> list[forms.BoundField]:
        return [self[n] for n in ("family_name", "middle_name", "given_name")]

    def membership_fields(self) -> list[forms.BoundField]:
        names = ("unit", "joined", "member_number", "card_number", "card_issued_on", "exception_reason")
        return [self[n] for n in names if n in self.fields]


def member_initial(membership: Any) -> dict[str, Any]:
    """The edit form's starting values from a membership and its person."""
    from sohoi.members.person_data import partial_date

    person = membership.person
    birth = partial_date(person.birth_date, person.birth_precision) if person.birth_precision else None
    joined = partial_date(membership.joined_on, membership.joined_precision)
    from sohoi.members.selectors import phone_national

    return {
        "full_name": person.full_name,
        "family_name": person.family_name,
        "middle_name": person.middle_name,
        "given_name": person.given_name,
        "birth": str(birth) if birth else (str(person.birth_year) if person.birth_year else ""),
        "gender": person.gender,
        "id_number": person.id_number,
        "phone": phone_national(person.phone) if person.phone else "",
        "phone_note": person.phone_note,
        "address": person.address,
        "area": area_key(person.area) if person.area_id else "",
        "hamlet": area_key(person.hamlet) if person.hamlet_id else "",
        "ethnicity": person.ethnicity,
        "religion": person.religion,
        "health_note": person.health_note,
        "policy_status": person.policy_status,
        "note": person.note,
        "joined": str(joined) if joined else "",
        "member_number": membership.member_number,
        "card_number": membership.card_number,
        "card_issued_on": membership.card_issued_on,
        "version": membership.version,
    }


# ---------- Lifecycle actions ----------


def _on_field(label: str = _("Ngày")) -> VietnameseDateField:
    return VietnameseDateField(label=label, error_messages={"required": _("Hãy nhập ngày (ngày/tháng/năm).")})


def _reason_field(label: str = _("Lý do"), *, required: bool = False) -> NFCCharField:
    return _text(label, max_length=255, required=required)


class ActionForm(VersionedForm):
    """Base of the lifecycle forms: a day (today unless changed) and the version the page showed."""

    on = _on_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class TransferForm(ActionForm):
    to_unit = UnitChoiceField(label=_("Chuyển đến đơn vị"))
    on = _on_field(_("Ngày chuyển"))
    reason = _reason_field()
    field_order = ["to_unit", "on", "reason"]

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), base_depth: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"] = UnitChoiceField(
            units=units, base_depth=base_depth, label=_("Chuyển đến đơn vị"),
            error_messages={"required": _("Hãy chọn đơn vị chuyển đến.")},
        )  # fmt: skip
        self.order_fields(self.field_order)


class LeaveForm(ActionForm):
    on = _on_field(_("Ngày thôi sinh hoạt"))
    reason = _text(_("Lý do thôi sinh hoạt"), max_length=255, required=True,
                   error_messages={"required": _("Cần ghi lý do thôi sinh hoạt.")})  # fmt: skip


class DeathForm(ActionForm):
    on = _on_field(_("Ngày mất"))
    note = _reason_field(_("Ghi chú"))


class RejoinForm(ActionForm):
    on = _on_field(_("Ngày vào lại"))
    unit = UnitChoiceField(label=_("Sinh hoạt tại"))
    reason = _reason_field()

    def __init__(self, *args: Any, units: Sequence[OrgUnit] = (), base_depth: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            units=units, base_depth=base_depth, required=False, label=_("Sinh hoạt tại"),
            help_text=_("Để trống: đơn vị cũ."),
        )  # fmt: skip


class HonoraryForm(ActionForm):
    on = _on_field(_("Từ ngày"))
    reason = _reason_field()


class RestoreForm(VersionedForm):
    pass


# ---------- Consent ----------


class ConsentForm(forms.Form):
    purposes = _text(_("Mục đích được đồng ý"), max_length=255, required=True,
                     help_text=_("Ví dụ: chăm sóc sức khỏe, thăm hỏi, hỗ trợ chính sách"),
                     error_messages={"required": _("Cần ghi mục đích được đồng ý.")})  # fmt: skip
    method = forms.ChoiceField(
        label=_("Hình thức"), choices=ConsentMethod.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn hình thức đồng ý.")},
    )  # fmt: skip
    given_on = VietnameseDateField(label=_("Ngày đồng ý"))
    notice_version = _text(_("Phiên bản thông báo"), max_length=40)
    representative = _text(
        _("Người đại diện ký"), max_length=120, help_text=_("Chỉ khi người đại diện ký thay.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class WithdrawForm(forms.Form):
    on = _on_field(_("Ngày rút lại"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class MergeConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label_suffix="",
        label=_("Tôi đã so sánh và chắc chắn hai hồ sơ là cùng một người"),
        error_messages={"required": _("Hãy đánh dấu xác nhận trước khi gộp.")},
    )
