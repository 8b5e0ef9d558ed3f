"""The documents of the year-end report (issue 4): the statistical tables as .xlsx, the summary
report as .docx and PDF in the layout of Nghị định 30/2020 (DOMAIN.md §7), for one unit or, as a
joint report, for the associations of one area.

``write_document`` is the one entry point (the background job and ``sohoi report`` call it); it
runs inside the scope of the unit(s) it reports on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from os import PathLike
from typing import IO

from django.utils import timezone, translation

from sohoi.orgunits.models import OrgUnit

from ..selectors import letterhead_lines, report_day, unit_report
from . import formatting as fmt


class Format(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    XLSX = "xlsx"


CONTENT_TYPES = {
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.PDF: "application/pdf",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


FIGURES_READY = 60  # percent of the work done once the figures are read


def _tell(progress: Callable[[int], None] | None, percent: int) -> None:
    if progress is not None:
        progress(percent)


def document_filename(*, unit: OrgUnit, year: int, fmt_: Format, joint: bool = False) -> str:
    """ "bao-cao-tong-ket-2024-hoi-nct-phuong-chanh-lo.docx", "bieu-so-lieu-2024-….xlsx"; a joint
    report is named after the area ("…-cac-hoi-phuong-chanh-lo…")."""
    kind = "bieu-so-lieu" if fmt_ == Format.XLSX else "bao-cao-tong-ket"
    subject = f"cac-hoi-{fmt.slug(unit.area.name)}" if joint and unit.area_id else fmt.slug(unit.name)
    return f"{kind}-{year}-{subject}.{fmt_.value}"


def write_document(
    *,
    fmt_: Format,
    unit: OrgUnit,
    year: int,
    path: str | PathLike[str] | IO[bytes],
    joint_units: list[OrgUnit] | None = None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write ``unit``'s report of ``year`` (or, with ``joint_units``, the joint report of those
    associations of ``unit``'s area, ``unit`` among them) in ``fmt_`` to ``path``.

    An administrative document is in Vietnamese whatever the reader's interface language.
    ``progress(percent)`` is told when the figures are ready (the rest is writing the file)."""
    from .content import joint_document, unit_document

    today = today or timezone.localdate()
    with translation.override("vi"):
        if fmt_ == Format.XLSX:
            from .spreadsheet import write_joint_xlsx, write_unit_xlsx

            lines = letterhead_lines(unit=unit)
            if joint_units:
                # One day for every association: the issuer's.
                day = report_day(unit=unit, year=year, today=today)
                reports = [unit_report(unit=u, year=year, as_of=day, today=today) for u in joint_units]
                _tell(progress, FIGURES_READY)
                area_name = unit.area.name if unit.area_id else unit.name
                write_joint_xlsx(reports=reports, letterhead=lines, area_name=area_name, path=path)
            else:
                report = unit_report(unit=unit, year=year, today=today)
                _tell(progress, FIGURES_READY)
                write_unit_xlsx(report=report, letterhead=lines, path=path)
            return
        if joint_units:
            document = joint_document(unit=unit, units=joint_units, year=year, today=today)
        else:
            document = unit_document(unit=unit, year=year, today=today)
        _tell(progress, FIGURES_READY)
        if fmt_ == Format.DOCX:
            from .word import write_docx

            write_docx(document, path)
        else:
            from .pdf import write_pdf

            write_pdf(document, path)
