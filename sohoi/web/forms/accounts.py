"""Forms of the account pages: login, password, API tokens, users and grants of a unit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from sohoi.accounts.models import Role
from sohoi.accounts.selectors import grantable_units
from sohoi.core.text import nfc
from sohoi.orgunits.models import OrgUnit

from .base import NFCCharField

# Long enough for any passphrase, short enough that hashing a hostile value costs nothing.
PASSWORD_MAX_LENGTH = 256


def _password_field(
    label: str, *, autocomplete: str = "new-password", help_text: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form in Vietnamese; user names are stored NFC lower-case, so read them so."""

    # An explicit max_length: AuthenticationForm only sets the widget's, and an over-long name
    # reaching authenticate() would overflow django-axes' varchar(255) on PostgreSQL.
    username = auth_forms.UsernameField(
        label=_("Tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Xin kiểm tra lại (chú ý chữ hoa, chữ thường)."
        ),
        "inactive": _("Tài khoản này đã bị khoá. Xin liên hệ quản trị viên."),
    }

    def clean_username(self) -> str:
        return nfc(self.cleaned_data["username"]).lower()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # After a failed attempt the user name is kept: put the cursor where the retyping starts.
        if self.is_bound and self.data.get("username"):
            self.fields["username"].widget.attrs.pop("autofocus", None)
            self.fields["password"].widget.attrs["autofocus"] = True


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change, with Vietnamese labels and bounded lengths."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "old_password": _("Mật khẩu hiện tại"),
            "new_password1": _("Mật khẩu mới"),
            "new_password2": _("Nhập lại mật khẩu mới"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
            self.fields[name].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
        self.fields["new_password1"].help_text = _(
            "Ít nhất 8 ký tự, không toàn chữ số, không quá giống tên của bạn."
        )
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": _("Mật khẩu hiện tại không đúng. Xin nhập lại."),
            "password_mismatch": _("Hai lần nhập mật khẩu mới không giống nhau."),
        }


class TokenCreateForm(forms.Form):
    name = NFCCharField(
        label=_("Tên gợi nhớ"),
        max_length=80,
        help_text=_("Ví dụ: “Bảng tính báo cáo quý”. Giúp bạn nhận ra mã này về sau."),
    )


class UnitChoiceField(forms.ModelChoiceField):
    """A unit of the active subtree, indented by depth so the tree shows in a plain <select>."""

    def __init__(self, *args: Any, base_depth: int = 1, **kwargs: Any) -> None:
        self.base_depth = base_depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: OrgUnit) -> str:
        return "\u00a0\u00a0" * max(obj.depth - self.base_depth, 0) + obj.name


class _GrantFields(forms.Form):
    """Unit (from the scoped subtree), role and export right: the parts of a grant."""

    # Public codes, not ids, in the HTML (sequential ids are never shown).
    unit = UnitChoiceField(label=_("Đơn vị"), queryset=None, empty_label=None, to_field_name="code")
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices, initial=Role.VIEWER)
    can_export = forms.BooleanField(
        label=_("Được xuất dữ liệu cá nhân (Excel, PDF)"),
        required=False,
        help_text=_("Chỉ cấp khi thật cần; bạn phải có quyền này mới cấp được."),
    )

    def __init__(self, *args: Any, unit: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices come from the scoped selector: a unit outside the subtree is an invalid choice.
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)
        field.queryset = grantable_units()
        field.base_depth = unit.depth
        field.initial = unit.code


class GrantCreateForm(_GrantFields):
    pass


class UserCreateForm(_GrantFields):
    username = NFCCharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        help_text=_("Viết liền, không dấu cách, ví dụ: nguyenvanan. Không đổi được về sau."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = NFCCharField(label=_("Họ và tên"), max_length=120)
    phone = NFCCharField(label=_("Số điện thoại"), max_length=20, required=False)
    password = _password_field(
        _("Mật khẩu ban đầu"),
        help_text=_("Ít nhất 8 ký tự. Hãy báo cho người dùng đổi mật khẩu sau khi đăng nhập."),
    )

    field_order = ["full_name", "username", "phone", "password", "unit", "role", "can_export"]


class PasswordResetForm(forms.Form):
    """An administrator sets a new password for a user of their subtree."""

    password = _password_field(_("Mật khẩu mới"), help_text=_("Ít nhất 8 ký tự."))


class SetActiveForm(forms.Form):
    is_active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")
