"""Forms of the unit tree pages: create, edit, move, merge, split.

Unit and area choices come from scoped selectors (passed in by the view), so a unit outside
the active subtree is an "invalid choice", never a write. Dates are entered the Vietnamese way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from sohoi.orgunits.models import LEVEL_ORDER, Area, OrgUnit, UnitLevel

from .base import NFCCharField

NAME_MAX_LENGTH = 200
DECISION_MAX_LENGTH = 120
NOTE_MAX_LENGTH = 2000
SPLIT_MIN_ROWS = 2
SPLIT_MAX_ROWS = 20

# Levels from the top; a unit's children sit strictly below it.
# The usual level of a new child. Districts were abolished on 1 July 2025 (DOMAIN.md §2.1),
# so a province's new units are communes; a district level can still be chosen for old data.
NEXT_LEVEL = {
    UnitLevel.CENTRAL: UnitLevel.PROVINCE,
    UnitLevel.PROVINCE: UnitLevel.COMMUNE,
    UnitLevel.DISTRICT: UnitLevel.COMMUNE,
    UnitLevel.COMMUNE: UnitLevel.BRANCH,
    UnitLevel.BRANCH: UnitLevel.GROUP,
    UnitLevel.GROUP: UnitLevel.GROUP,
}

INDENT = "\u00a0\u00a0\u00a0"  # no-break spaces survive inside <option>


# ---------- Fields ----------


class VietnameseDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (also yyyy-mm-dd), refused in Vietnamese when wrong."""

    input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
    default_error_messages = {
        "invalid": _("Ngày không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 01/07/2025."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y",
                attrs={"placeholder": _("ngày/tháng/năm"), "autocomplete": "off", "size": 12},
            ),
        )
        kwargs.setdefault("help_text", _("Ví dụ: 01/07/2025"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        result = super().to_python(value)
        if result is not None and not 1900 <= result.year <= 2100:
            raise forms.ValidationError(_("Năm phải nằm trong khoảng 1900–2100."), code="invalid")
        return result


def unit_name_field(label: str = _("Tên đơn vị"), *, required: bool = True) -> NFCCharField:
    return NFCCharField(
        label=label,
        required=required,
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": _("Hãy nhập tên đơn vị."),
            "max_length": _("Tên đơn vị dài quá %(limit_value)d ký tự (hiện có %(show_value)d)."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def decision_ref_field(*, required: bool = False, required_message: str = "") -> NFCCharField:
    return NFCCharField(
        label=_("Số quyết định"),
        required=required,
        max_length=DECISION_MAX_LENGTH,
        error_messages={
            "required": required_message or _("Hãy nhập số quyết định."),
            "max_length": _("Số quyết định dài quá %(limit_value)d ký tự."),
        },
        help_text=_("Ví dụ: 15/QĐ-NCT"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def note_field() -> forms.CharField:
    return forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        error_messages={"max_length": _("Ghi chú dài quá %(limit_value)d ký tự.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def unit_label(unit: OrgUnit, base_depth: int) -> str:
    return INDENT * max(unit.depth - base_depth, 0) + unit.name


class UnitChoiceField(forms.ChoiceField):
    """A choice among given units (from a scoped selector), by public code; cleans to the unit."""

    def __init__(self, *, units: Sequence[OrgUnit] = (), base_depth: int = 1, **kwargs: Any) -> None:
        self.units_by_code = {u.code: u for u in units}
        choices = [("", "———")] + [(u.code, unit_label(u, base_depth)) for u in units]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value: Any) -> OrgUnit | None:
        code = super().clean(value)
        return self.units_by_code.get(code) if code else None


class UnitMultipleChoiceField(forms.MultipleChoiceField):
    """Several units among given ones, by public code; cleans to a list of units in tree order."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, units: Sequence[OrgUnit] = (), base_depth: int = 1, **kwargs: Any) -> None:
        self.units_by_code = {u.code: u for u in units}
        choices = [(u.code, unit_label(u, base_depth)) for u in units]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value: Any) -> list[OrgUnit]:
        codes = set(super().clean(value))
        return [u for code, u in self.units_by_code.items() if code in codes]


def area_key(area: Area) -> str:
    # Official codes are public (no sequential id in the page); hamlet codes are unique per scheme too.
    return f"{area.scheme}:{area.code}"


class AreaChoiceField(forms.ChoiceField):
    """An optional area among given ones (the parent's area and its children); cleans to the area."""

    def __init__(self, *, areas: Sequence[Area] = (), **kwargs: Any) -> None:
        self.areas_by_key = {area_key(a): a for a in areas}
        base_depth = min((a.depth for a in areas), default=1)
        choices = [("", _("(chưa chọn)"))] + [
            (area_key(a), INDENT * (a.depth - base_depth) + a.name) for a in areas
        ]
        kwargs.setdefault("label", _("Địa bàn"))
        kwargs.setdefault("required", False)
        super().__init__(choices=choices, **kwargs)

    def clean(self, value: Any) -> Area | None:
        key = super().clean(value)
        return self.areas_by_key.get(key) if key else None


def level_choices_below(level: str) -> list[tuple[str, str]]:
    rank = LEVEL_ORDER.index(UnitLevel(level))
    below = LEVEL_ORDER[rank + 1 :] or [UnitLevel.GROUP]
    return [(lv.value, lv.label) for lv in below]


def initial_from_data(form_class: type[forms.Form], data: QueryDict, **kwargs: Any) -> dict[str, Any]:
    """Posted values as ``initial`` (to show them again without errors: "add a row", "go back")."""
    probe = form_class(**kwargs)
    return {
        name: data.getlist(name) if isinstance(field, forms.MultipleChoiceField) else data.get(name)
        for name, field in probe.fields.items()
        if name in data
    }


# ---------- Create / edit ----------


class UnitCreateForm(forms.Form):
    name = unit_name_field()
    level = forms.ChoiceField(label=_("Cấp"))
    area = AreaChoiceField()
    opened_on = VietnameseDateField(label=_("Ngày thành lập"), required=False)
    decision_ref = decision_ref_field()

    def __init__(self, *args: Any, parent: OrgUnit, areas: Sequence[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices_below(parent.level)
        self.fields["level"].initial = NEXT_LEVEL[UnitLevel(parent.level)].value
        self.fields["area"] = AreaChoiceField(
            areas=areas,
            help_text=_("Thôn, tổ dân phố hoặc xã, phường nơi đơn vị hoạt động."),
        )
        if parent.area_id is not None:
            self.fields["area"].initial = area_key(parent.area)


class UnitEditForm(forms.Form):
    name = unit_name_field()
    area = AreaChoiceField()
    effective_on = VietnameseDateField(label=_("Có hiệu lực từ ngày"), required=False)
    decision_ref = decision_ref_field()

    def __init__(self, *args: Any, unit: OrgUnit, areas: Sequence[Area], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"name": unit.name, "area": area_key(unit.area) if unit.area else ""})
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaChoiceField(areas=areas)
        self.fields["effective_on"].help_text = _("Ngày đổi tên theo quyết định; để trống là hôm nay.")


# ---------- Move ----------


class UnitMoveForm(forms.Form):
    """Move any open unit below the page's unit under any other open unit of its subtree."""

    unit = UnitChoiceField(label=_("Đơn vị cần chuyển"))
    new_parent = UnitChoiceField(label=_("Chuyển về trực thuộc"))
    effective_on = VietnameseDateField(label=_("Có hiệu lực từ ngày"), required=False)
    decision_ref = decision_ref_field()

    def __init__(self, *args: Any, scope_unit: OrgUnit, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below = [u for u in units if u.pk != scope_unit.pk]
        self.fields["unit"] = UnitChoiceField(
            units=below, base_depth=scope_unit.depth + 1, label=_("Đơn vị cần chuyển"),
            help_text=_("Đơn vị được chuyển cùng toàn bộ đơn vị trực thuộc của nó."),
        )  # fmt: skip
        self.fields["new_parent"] = UnitChoiceField(
            units=units, base_depth=scope_unit.depth, label=_("Chuyển về trực thuộc")
        )


# ---------- Merge ----------


class SuccessorMode:
    EXISTING = "existing"
    NEW = "new"


class MergeForm(forms.Form):
    sources = UnitMultipleChoiceField(label=_("Các đơn vị sáp nhập"))
    mode = forms.ChoiceField(
        label=_("Đơn vị nhận"),
        choices=[
            (SuccessorMode.NEW, _("Thành lập một đơn vị mới")),
            (SuccessorMode.EXISTING, _("Sáp nhập vào một đơn vị đang có")),
        ],
        initial=SuccessorMode.NEW,
        widget=forms.RadioSelect,
    )
    successor = UnitChoiceField(label=_("Đơn vị đang có nhận sáp nhập"), required=False)
    new_name = unit_name_field(_("Tên đơn vị mới"), required=False)
    new_level = forms.ChoiceField(label=_("Cấp của đơn vị mới"), required=False)
    new_parent = UnitChoiceField(label=_("Đơn vị mới trực thuộc"), required=False)
    new_area = AreaChoiceField(label=_("Địa bàn của đơn vị mới"))
    effective_on = VietnameseDateField(label=_("Có hiệu lực từ ngày"))
    decision_ref = decision_ref_field(required=True, required_message=_("Cần ghi số quyết định sáp nhập."))
    decision_on = VietnameseDateField(label=_("Ngày ký quyết định"), required=False)
    note = note_field()

    def __init__(
        self, *args: Any, scope_unit: OrgUnit, units: Sequence[OrgUnit], areas: Sequence[Area], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        below = [u for u in units if u.pk != scope_unit.pk]
        self.fields["sources"] = UnitMultipleChoiceField(
            units=below, base_depth=scope_unit.depth + 1, label=_("Các đơn vị sáp nhập"),
            help_text=_("Chọn từ hai đơn vị trở lên. Các đơn vị này sẽ đóng (không bị xoá)."),
            error_messages={"required": _("Hãy chọn các đơn vị sáp nhập.")},
        )  # fmt: skip
        self.fields["successor"] = UnitChoiceField(
            units=units, base_depth=scope_unit.depth, required=False, label=_("Đơn vị đang có nhận sáp nhập")
        )
        self.fields["new_parent"] = UnitChoiceField(
            units=units, base_depth=scope_unit.depth, required=False, label=_("Đơn vị mới trực thuộc")
        )
        self.fields["new_parent"].initial = scope_unit.code
        self.fields["new_area"] = AreaChoiceField(areas=areas, label=_("Địa bàn của đơn vị mới"))
        next_level = NEXT_LEVEL[UnitLevel(scope_unit.level)]
        self.fields["new_level"].choices = level_choices_below(scope_unit.level)
        self.fields["new_level"].initial = next_level.value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("mode") == SuccessorMode.EXISTING:
            if not data.get("successor"):
                self.add_error("successor", _("Hãy chọn đơn vị nhận sáp nhập."))
        elif data.get("mode") == SuccessorMode.NEW:
            if not data.get("new_name"):
                self.add_error(
                    "new_name", _("Hãy nhập tên đơn vị mới (hoặc chọn “Sáp nhập vào một đơn vị đang có”).")
                )
            if not data.get("new_parent"):
                self.add_error("new_parent", _("Hãy chọn đơn vị cấp trên của đơn vị mới."))
            if not data.get("new_level"):
                self.add_error("new_level", _("Hãy chọn cấp của đơn vị mới."))
        if self.errors:
            return data
        # The cheap rules of orgunit_merge, checked before the confirmation page (the service
        # checks them again, with the rest, when the merge is committed).
        sources = self.sources_without_successor()
        anchor = data["successor"] if self.is_existing else data["new_parent"]
        if len(sources) + (1 if self.is_existing else 0) < 2:
            self.add_error("sources", _("Cần chọn ít nhất hai đơn vị để sáp nhập."))
        elif any(a.pk != b.pk and b.path.startswith(a.path) for a in sources for b in sources):
            self.add_error("sources", _("Không chọn cùng lúc một đơn vị và đơn vị cấp dưới của nó."))
        elif any(anchor.path.startswith(s.path) for s in sources):
            field = "successor" if self.is_existing else "new_parent"
            self.add_error(field, _("Đơn vị nhận không thể nằm bên dưới một đơn vị bị sáp nhập."))
        return data

    def sources_without_successor(self) -> list[OrgUnit]:
        """The units to close: a successor ticked among the sources too is the receiver, not a source."""
        successor = self.cleaned_data.get("successor") if self.is_existing else None
        return [u for u in self.cleaned_data["sources"] if successor is None or u.pk != successor.pk]

    @property
    def is_existing(self) -> bool:
        return self.cleaned_data.get("mode") == SuccessorMode.EXISTING


# ---------- Split ----------


class SplitSourceForm(forms.Form):
    """Step one of a split: which unit (GET, so the page can list its children)."""

    nguon = UnitChoiceField(label=_("Đơn vị cần chia tách"))

    def __init__(self, *args: Any, scope_unit: OrgUnit, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        below = [u for u in units if u.pk != scope_unit.pk]
        self.fields["nguon"] = UnitChoiceField(
            units=below, base_depth=scope_unit.depth + 1, label=_("Đơn vị cần chia tách")
        )


class SplitForm(forms.Form):
    """The new units (N name rows), where each open child of the source goes, the decision."""

    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=SPLIT_MIN_ROWS, max_value=SPLIT_MAX_ROWS)
    data_to = forms.ChoiceField(
        label=_("Hội viên sinh hoạt trực tiếp ở đơn vị cũ chuyển về"), widget=forms.RadioSelect
    )
    effective_on = VietnameseDateField(label=_("Có hiệu lực từ ngày"))
    decision_ref = decision_ref_field(required=True, required_message=_("Cần ghi số quyết định chia tách."))
    decision_on = VietnameseDateField(label=_("Ngày ký quyết định"), required=False)
    note = note_field()

    def __init__(
        self,
        *args: Any,
        source: OrgUnit,
        children: Iterable[OrgUnit],
        areas: Sequence[Area],
        row_count: int = SPLIT_MIN_ROWS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.children = list(children)
        self.row_count = min(max(row_count, SPLIT_MIN_ROWS), SPLIT_MAX_ROWS)
        self.fields["rows"].initial = self.row_count
        typed = self.data if self.is_bound else self.initial
        row_labels = []
        for i in range(self.row_count):
            number = i + 1
            self.fields[f"name_{i}"] = unit_name_field(
                _("Tên đơn vị mới %(n)d") % {"n": number}, required=i < 2
            )
            self.fields[f"area_{i}"] = AreaChoiceField(
                areas=areas, label=_("Địa bàn của đơn vị mới %(n)d") % {"n": number}
            )
            name = (typed.get(f"name_{i}") or "").strip()
            row_labels.append((str(i), _("Đơn vị mới %(n)d") % {"n": number} + (f": {name}" if name else "")))
        self.fields["data_to"].choices = row_labels
        self.fields["data_to"].initial = "0"
        for child in self.children:
            self.fields[f"child_{child.code}"] = forms.ChoiceField(
                label=child.name,
                choices=[("", "———"), *row_labels],
                error_messages={
                    "required": _("Hãy chọn đơn vị mới cho “%(name)s”.") % {"name": child.name},
                },
            )

    def name_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"name_{i}"], self[f"area_{i}"]) for i in range(self.row_count)]

    def child_fields(self) -> list[forms.BoundField]:
        return [self[f"child_{c.code}"] for c in self.children]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        names = [data.get(f"name_{i}") for i in range(self.row_count)]
        used = [i for i, name in enumerate(names) if name]
        # Rows left empty are dropped; a choice pointing at an empty row is an error.
        pointing = [(f"child_{c.code}", data.get(f"child_{c.code}")) for c in self.children]
        pointing.append(("data_to", data.get("data_to")))
        for field, value in pointing:
            if value not in (None, "") and int(value) not in used:
                self.add_error(field, _("Đơn vị mới này chưa có tên."))
        return data

    def plan(self) -> tuple[list[tuple[str, Area | None]], dict[str, int], int]:
        """(new units as (name, area), child code → index among them, index receiving the data)."""
        data = self.cleaned_data
        used = [i for i in range(self.row_count) if data.get(f"name_{i}")]
        position = {row: index for index, row in enumerate(used)}
        new_units = [(data[f"name_{i}"], data.get(f"area_{i}")) for i in used]
        children_to = {
            c.code: position[int(data[f"child_{c.code}"])]
            for c in self.children
            if data.get(f"child_{c.code}") not in (None, "")
        }
        return new_units, children_to, position.get(int(data.get("data_to") or 0), 0)
