"""Member lists out to Excel, in the classic Vietnamese form the importer reads back.

The sheet has the title rows of a paper list (association, unit, "DANH SÁCH HỘI VIÊN", date),
a two-row header with the birth date under "Năm sinh" split into "Nam" | "Nữ" (the column
holding it gives the sex), and one row per member, streamed from ``member_iter`` into
xlsxwriter's constant_memory mode: 100,000 members never sit in memory.

Every heading is one that ``sohoi.imports.headers.map_heading`` maps back to the same field,
so an export re-imported into the same register changes nothing. The hamlet (an Area) is not
a column: the importer keeps a "Thôn/Tổ" cell as part of the address, so writing it would change
every address on re-import. Sensitive fields
(religion, health, policy status: DOMAIN.md §6.2) are never written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import date
from os import PathLike
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoi.core.audit import audit
from sohoi.core.text import fold
from sohoi.imports.values import PartialDate
from sohoi.orgunits.models import Area, OrgUnit

from .models import DatePrecision, FileJob, Gender, JobKind, JobStatus, MembershipStatus
from .person_data import partial_date
from .selectors import AGE_BANDS, MemberFilters, member_count, member_iter, phone_national

if TYPE_CHECKING:
    from sohoi.accounts.models import User

EXPORT_PERMISSION = "members.export"
# Up to this many rows the file is built in the request; above it a background job does it.
DIRECT_EXPORT_LIMIT = 2000
PROGRESS_EVERY = 500

# (heading, width): the headings are the importer's (checked by a test against map_heading).
COLUMNS: tuple[tuple[str, float], ...] = (
    ("STT", 5),
    ("Họ và tên", 26),
    ("Nam", 11),  # under the merged "Năm sinh"
    ("Nữ", 11),
    ("Số CCCD/CMND", 15),
    ("Số điện thoại", 13),
    ("Địa chỉ", 28),
    ("Dân tộc", 9),
    ("Ngày vào Hội", 12),
    ("Số thẻ", 11),
    ("Mã hội viên", 12),
    ("Chi hội", 22),
    ("Ghi chú", 20),
)
BIRTH_GROUP = "Năm sinh"
MALE_COLUMN, FEMALE_COLUMN = 2, 3
TITLE_ROWS = 5  # association, unit, "DANH SÁCH HỘI VIÊN", the date, a blank row
HEADER_TOP, HEADER_SUB = TITLE_ROWS, TITLE_ROWS + 1
FIRST_DATA_ROW = TITLE_ROWS + 2

Progress = Callable[[int], None]


# ---------- Filters from a query string (the member list's, shared) ----------

_YEAR = re.compile(r"\d{4}")
QUERY_KEYS = ("q", "status", "gender", "age_band", "birth_year", "join_year", "area")
ALL_STATUSES = "all"


def _year(value: str) -> int | None:
    value = value.strip()
    return int(value) if _YEAR.fullmatch(value) and 1850 <= int(value) <= 2200 else None


def filters_from_querydict(query: Mapping[str, str] | QueryDict) -> MemberFilters:
    """The member list's filters from its query string, with the list's own names: q, status
    (absent = active members; "tat-ca"/"all"/empty = every status), gender, age (or age_band),
    birth_year, join_year, area ("<scheme>:<code>" as the list writes it, or an internal id).
    Values that make no sense are ignored rather than refused: a hand-edited link still works,
    and the export never holds more people than the list showed for the same link."""
    get = query.get
    status_value = (get("status") or "").strip() if "status" in query else MembershipStatus.ACTIVE
    status = status_value if status_value in MembershipStatus.values else ""
    gender = (get("gender") or "").strip()
    age_band = (get("age") or get("age_band") or "").strip()
    return MemberFilters(
        q=(get("q") or "").strip()[:100],
        status=status,
        gender=gender if gender in Gender.values else "",
        age_band=age_band if age_band in AGE_BANDS else "",
        birth_year=_year(get("birth_year") or ""),
        join_year=_year(get("join_year") or ""),
        area_id=_area_id((get("area") or "").strip()),
    )


def _area_id(value: str) -> int | None:
    if value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    scheme, _sep, code = value.partition(":")
    if not code or len(value) > 40:
        return None
    return Area.objects.filter(scheme=scheme, code=code).values_list("pk", flat=True).first()


def filters_as_query(filters: MemberFilters) -> dict[str, str]:
    """The inverse of filters_from_querydict, for links and job parameters."""
    query = {
        "q": filters.q,
        "status": filters.status or ALL_STATUSES,
        "gender": filters.gender,
        "age_band": filters.age_band,
        "birth_year": str(filters.birth_year or ""),
        "join_year": str(filters.join_year or ""),
        "area": str(filters.area_id or ""),
    }
    return {key: value for key, value in query.items() if value and (key, value) != ("status", "active")}


def _audit_filters(filters: MemberFilters) -> dict[str, Any]:
    return {key: value for key, value in asdict(filters).items() if value not in ("", None, [])}


# ---------- The workbook ----------


def _partial_text(day: date | None, precision: str) -> str:
    if day is None:
        return ""
    return str(partial_date(day, precision) if precision else PartialDate.from_date(day))


def export_filename(unit: OrgUnit, *, today: date | None = None) -> str:
    """An ASCII file name ("danh-sach-hoi-vien-hoi-nct-xa-an-phu-2026-11-22.xlsx"): Vietnamese
    letters survive neither every browser's download bar nor Zalo's file sharing."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(unit.name)).strip("-")[:60] or "don-vi"
    return f"danh-sach-hoi-vien-{slug}-{(today or timezone.localdate()).isoformat()}.xlsx"


def export_members_xlsx(
    *,
    unit: OrgUnit,
    filters: MemberFilters,
    path: str | PathLike[str] | IO[bytes],
    title: str | None = None,
    progress: Progress | None = None,
    full_ids: bool = True,
) -> int:
    """Write the members of ``unit``'s subtree matching ``filters`` to ``path`` (a file name or
    a binary file object); returns the number of member rows. Runs inside the unit's scope.

    ``full_ids=False`` writes the citizen ID and phone masked, as the lists show them to
    someone without ``members.view_ids`` (such a file does not import back).
    """
    import xlsxwriter

    from .selectors import mask_digits

    target = str(path) if isinstance(path, (str, PathLike)) else path
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(_("Hội viên")[:31])
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
    title_format = book.add_format({**base, "bold": True, "align": "center", "font_size": 13})
    big_title = book.add_format({**base, "bold": True, "align": "center", "font_size": 15})
    date_format = book.add_format({**base, "italic": True, "align": "center"})
    heading = book.add_format(
        {**base, "bold": True, "align": "center", "text_wrap": True, "border": 1, "bg_color": "#EEEEEE"}
    )
    text = book.add_format({**base, "num_format": "@", "border": 1, "text_wrap": True})
    centred = book.add_format({**base, "num_format": "@", "border": 1, "align": "center"})
    number = book.add_format({**base, "border": 1, "align": "center"})

    last = len(COLUMNS) - 1
    for index, (_heading, width) in enumerate(COLUMNS):
        sheet.set_column(index, index, width)
    today = timezone.localdate()
    association = unit.association.name if unit.association_id else ""
    sheet.merge_range(0, 0, 0, last, association.upper(), title_format)
    sheet.merge_range(1, 0, 1, last, unit.name, title_format)
    sheet.merge_range(2, 0, 2, last, (title or _("DANH SÁCH HỘI VIÊN")).upper(), big_title)
    sheet.merge_range(
        3, 0, 3, last,
        _("Ngày %(day)s tháng %(month)s năm %(year)s")
        % {"day": f"{today.day:02d}", "month": f"{today.month:02d}", "year": today.year},
        date_format,
    )  # fmt: skip
    sheet.set_row(HEADER_TOP, 22)
    sheet.set_row(HEADER_SUB, 22)
    # constant_memory writes row by row: both header rows are written in full first, then the
    # merges are declared (their own writes to the finished top row are dropped, as intended).
    for index, (name, _width) in enumerate(COLUMNS):
        top = BIRTH_GROUP if index == MALE_COLUMN else "" if index == FEMALE_COLUMN else name
        sheet.write(HEADER_TOP, index, top, heading)
    for index, (name, _width) in enumerate(COLUMNS):
        sheet.write(HEADER_SUB, index, name if index in (MALE_COLUMN, FEMALE_COLUMN) else "", heading)
    sheet.merge_range(HEADER_TOP, MALE_COLUMN, HEADER_TOP, FEMALE_COLUMN, BIRTH_GROUP, heading)
    for index, (name, _width) in enumerate(COLUMNS):
        if index not in (MALE_COLUMN, FEMALE_COLUMN):
            sheet.merge_range(HEADER_TOP, index, HEADER_SUB, index, name, heading)

    written = 0
    row_index = FIRST_DATA_ROW
    for membership in member_iter(unit=unit, filters=filters):
        person = membership.person
        written += 1
        id_number = person.id_number if full_ids else mask_digits(person.id_number)
        phone = phone_national(person.phone) if person.phone else ""
        if phone and not full_ids:
            phone = mask_digits(phone, keep_start=3, keep_end=3)
        birth = _partial_text(person.birth_date, person.birth_precision) or (
            str(person.birth_year) if person.birth_year else ""
        )
        cells = [
            person.full_name,
            birth if person.gender == Gender.MALE else "",
            birth if person.gender == Gender.FEMALE else "",
            id_number,
            phone,
            person.address,
            person.ethnicity,
            _partial_text(membership.joined_on, membership.joined_precision or DatePrecision.DAY),
            membership.card_number,
            membership.member_number,
            membership.org_unit.name,
            person.note,
        ]
        sheet.write_number(row_index, 0, written, number)
        for column, value in enumerate(cells, start=1):
            # Everything as text: Excel drops the leading 0 of a CCCD or phone written as a number.
            style = centred if column in (MALE_COLUMN, FEMALE_COLUMN, 4, 5, 8, 9, 10) else text
            if value:
                sheet.write_string(row_index, column, value, style)
            else:
                sheet.write_blank(row_index, column, None, style)
        row_index += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)

    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.repeat_rows(HEADER_TOP, HEADER_SUB)
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_footer("&C" + _("Trang &P/&N"))
    book.close()
    if progress is not None:
        progress(written)
    return written


# ---------- Recording and background jobs ----------


def export_recorded(*, unit: OrgUnit, actor: User | None, count: int, filters: MemberFilters) -> None:
    """The audit event of an export of personal data (DOMAIN.md §6.4.3): who, where, how many, which filter."""
    audit(action="member.exported", actor=actor, unit=unit, count=count, filters=_audit_filters(filters))


def export_to_file(
    *, unit: OrgUnit, filters: MemberFilters, path: str | PathLike[str] | IO[bytes], actor: User | None,
    full_ids: bool = True,
) -> int:  # fmt: skip
    """Export and record it. The caller has checked ``members.export`` and holds the unit's scope."""
    count = export_members_xlsx(unit=unit, filters=filters, path=path, full_ids=full_ids)
    export_recorded(unit=unit, actor=actor, count=count, filters=filters)
    return count


def job_directory(job: FileJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / job.code


def export_job_start(
    *, unit: OrgUnit, actor: User | None, filters: MemberFilters, total: int, full_ids: bool = True
) -> FileJob:
    """Queue the export of a large list; the task runs after the commit."""
    from .tasks_export import run_export_job

    job = FileJob.objects.create(
        kind=JobKind.EXPORT,
        org_unit=unit,
        actor=actor,
        total=total,
        params={"query": filters_as_query(filters), "full_ids": full_ids},
        input_name=export_filename(unit),
    )
    transaction.on_commit(lambda: run_export_job.enqueue(job.code))
    return job


def export_job_run(job: FileJob) -> FileJob:
    """Build a queued export's file (inside the job unit's scope), updating its progress."""
    unit = OrgUnit.objects.select_related("association").get(pk=job.org_unit_id)
    filters = filters_from_querydict(job.params.get("query", {}))
    FileJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    directory = job_directory(job)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / (job.input_name or export_filename(unit))

    def progress(done: int) -> None:
        FileJob.objects.filter(pk=job.pk).update(progress=done)

    try:
        count = export_members_xlsx(
            unit=unit,
            filters=filters,
            path=target,
            progress=progress,
            full_ids=job.params.get("full_ids", True),
        )
    except Exception:
        FileJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            message=_("Không tạo được tệp. Hãy thử lại sau."),
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        FileJob.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE,
            progress=count,
            total=count,
            output_path=str(target.relative_to(Path(settings.MEDIA_ROOT))),
            result={"count": count},
            finished_at=timezone.now(),
        )
        export_recorded(unit=unit, actor=job.actor, count=count, filters=filters)
    job.refresh_from_db()
    return job


def job_file(job: FileJob) -> Path | None:
    """The finished file of a job, or None (not done, or the file was cleaned away)."""
    if job.status != JobStatus.DONE or not job.output_path:
        return None
    path = Path(settings.MEDIA_ROOT) / job.output_path
    return path if path.is_file() else None


def export_job_get(*, code: str) -> FileJob | None:
    """An export job of the active scope (another unit's job does not exist here)."""
    if not code.isalnum() or len(code) > 16:
        return None
    return FileJob.objects.filter(code=code, kind=JobKind.EXPORT).select_related("org_unit").first()


def members_to_export(*, unit: OrgUnit, filters: MemberFilters) -> tuple[int, bool]:
    return member_count(unit=unit, filters=filters, limit=DIRECT_EXPORT_LIMIT)


def export_job_downloaded(*, job: FileJob, actor: Any) -> None:
    """Each download of a prepared file is a disclosure of personal data: logged."""
    audit(action="member.export_downloaded", actor=actor, unit=job.org_unit, target=job,
          count=job.progress)  # fmt: skip
