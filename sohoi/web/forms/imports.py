"""Forms of the member-list import: the upload, and the preview's choices (the unit of each
sheet, the field of each column)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoi.imports.headers import FIELD_LABELS, FIELDS
from sohoi.members.tasks_import import ALLOWED_SUFFIXES, import_max_bytes
from sohoi.orgunits.models import OrgUnit

ACCEPT = ",".join(ALLOWED_SUFFIXES)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh sách hội viên"),
        help_text=gettext_lazy("Tệp Excel (.xlsx, .xls), LibreOffice (.ods) hoặc .csv."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": gettext_lazy("Hãy chọn tệp danh sách.")},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx, .xls, .ods hoặc .csv."))
        limit = import_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("Tệp lớn quá (%(size)s MB): tối đa %(max)s MB. Hãy chia danh sách thành nhiều tệp.")
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                    "max": limit // (1024 * 1024),
                }
            )
        return upload


def column_choices() -> list[tuple[str, str]]:
    choices = [("", _("— Bỏ qua cột này —"))]
    choices += [(name, str(FIELD_LABELS[name])) for name in FIELDS]
    choices += [("male", _("Năm sinh (cột Nam)")), ("female", _("Năm sinh (cột Nữ)"))]
    return choices


class ImportChoicesForm(forms.Form):
    """One unit select per sheet (``unit-<n>``) and one field select per column (``col-<n>-<index>``),
    built from the preview's sheets."""

    def __init__(self, *args: Any, sheets: list[dict[str, Any]], units: list[OrgUnit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sheets = sheets
        unit_choices = [(unit.code, unit.name) for unit in units]
        fields_ = column_choices()
        for number, sheet in enumerate(sheets):
            if sheet.get("error") or "columns" not in sheet:
                continue
            self.fields[f"unit-{number}"] = forms.ChoiceField(
                label=_("Ghi vào đơn vị"), choices=unit_choices, initial=sheet.get("unit")
            )
            for column in sheet["columns"]:
                self.fields[f"col-{number}-{column['index']}"] = forms.ChoiceField(
                    label=f"{column['letter']}: {column['heading']}",
                    choices=fields_,
                    required=False,
                    initial=column["field"],
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for number, sheet in enumerate(self.sheets):
            if f"unit-{number}" not in self.fields:
                continue
            chosen = [cleaned.get(f"col-{number}-{c['index']}") for c in sheet["columns"]]
            chosen = [name for name in chosen if name]
            if "full_name" not in chosen:
                self.add_error(
                    None, _("Trang “%(sheet)s”: phải chọn cột Họ và tên.") % {"sheet": sheet["name"]}
                )
            twice = sorted({name for name in chosen if chosen.count(name) > 1})
            if twice:
                labels = dict(column_choices())
                self.add_error(
                    None,
                    _("Trang “%(sheet)s”: mỗi mục chỉ chọn cho một cột (%(fields)s).")
                    % {"sheet": sheet["name"], "fields": ", ".join(labels[name] for name in twice)},
                )
        return cleaned

    def sheet_units(self) -> dict[str, str]:
        return {
            sheet["name"]: self.cleaned_data[f"unit-{number}"]
            for number, sheet in enumerate(self.sheets)
            if f"unit-{number}" in self.fields
        }

    def columns(self) -> dict[str, dict[int, str]]:
        return {
            sheet["name"]: {
                c["index"]: self.cleaned_data.get(f"col-{number}-{c['index']}") or ""
                for c in sheet["columns"]
            }
            for number, sheet in enumerate(self.sheets)
            if f"unit-{number}" in self.fields
        }

    def rows(self) -> list[dict[str, Any]]:
        """The sheets with their bound fields, for the template."""
        result = []
        for number, sheet in enumerate(self.sheets):
            if f"unit-{number}" not in self.fields:
                result.append({"sheet": sheet, "unit": None, "columns": []})
                continue
            result.append(
                {
                    "sheet": sheet,
                    "unit": self[f"unit-{number}"],
                    "columns": [self[f"col-{number}-{c['index']}"] for c in sheet["columns"]],
                }
            )
        return result
