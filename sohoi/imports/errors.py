"""Errors of the import layer: a file that cannot be read as a member list.

They are DomainErrors (translated message, stable code), so a view shows them with
sohoi.web.forms.base.add_domain_error and the API maps them to its error shape.
"""

from __future__ import annotations

from sohoi.core.errors import DomainError


class SpreadsheetError(DomainError):
    """The file cannot be read: broken, empty, too large, password-protected, not a spreadsheet."""

    code = "spreadsheet_unreadable"


class HeaderError(SpreadsheetError):
    """No header row with a name column: the sheet does not look like a member list."""

    code = "not_a_member_list"


class MappingError(SpreadsheetError):
    """A column mapping chosen by the user is not usable (a column twice, no name column …)."""

    code = "invalid_column_mapping"
