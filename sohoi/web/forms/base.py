"""Form helpers shared by the pages."""

from __future__ import annotations

from django import forms

from sohoi.core.errors import DomainError
from sohoi.core.text import nfc


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: on its field when the form has it, else on top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class NFCCharField(forms.CharField):
    """A text field stored in Unicode NFC with spaces collapsed (input may come NFD from a Mac)."""

    def to_python(self, value: object) -> str:
        return nfc(super().to_python(value))
