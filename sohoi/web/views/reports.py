"""Pages of the reports: a unit's report for a year (indicator table, children side by side,
dashboard charts), the forms of what people enter (the narrative of the year-end report,
targets and their hand-down to the children, the area's population, the letterhead), and the
associations of an area side by side.

Unit pages live under /u/<unit_code>/bao-cao/: the middleware has loaded ``request.unit``,
checked the permission and activated the scope of the unit's subtree. The area page lives beside
the area catalogue (/dia-ban/…/bao-cao/<year>/) and runs in the scope of every unit the user may
see, so a People's Committee with an area grant sees all the associations of its ward and
anyone else only their own. Reads go through sohoi.reports.selectors, writes through
sohoi.reports.services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sohoi.accounts.permissions import visible_unit_paths
from sohoi.core.errors import DomainError, NotFoundError
from sohoi.core.http import AuthenticatedRequest, UnitRequest, requires
from sohoi.core.scoping import unit_scope
from sohoi.orgunits import selectors as unit_selectors
from sohoi.orgunits.models import Area, OrgUnit
from sohoi.reports import indicators as registry
from sohoi.reports import selectors, services
from sohoi.web.forms.base import add_domain_error
from sohoi.web.forms.reports import (
    AsOfForm,
    HandDownForm,
    IndicatorPickerForm,
    LetterheadForm,
    PopulationForm,
    TargetLine,
    TargetsForm,
    YearPickerForm,
    YearReportForm,
    target_input_text,
    year_problem,
    year_report_initial,
)
from sohoi.web.views.members import optional_url
from sohoi.web.views.units import _trail

from . import report_display as display
from . import report_tables as tables

HISTORY_YEARS = 6  # the chart of members over the years


def _this_year() -> int:
    return timezone.localdate().year


# ---------- The report of a unit ----------


@requires("reports.view")
def report_index(request: UnitRequest, unit_code: str) -> HttpResponse:
    """The report of the current year, or of the year asked for with ?nam= (the year picker)."""
    year = _this_year()
    if "nam" in request.GET:
        picker = YearPickerForm(request.GET)
        if picker.is_valid():
            year = picker.cleaned_data["nam"]
        else:
            messages.error(request, picker.errors["nam"][0])
    return redirect("reports:year", request.unit.code, year)


REBASE_PARAM = "quy-doi"


@requires("reports.view")
def report_year(request: UnitRequest, unit_code: str, year: int) -> HttpResponse:
    unit = request.unit
    if problem := year_problem(year):
        messages.error(request, problem)
        return redirect("reports:index", unit.code)
    if year > _this_year():
        # Next year's targets have their own page; figures of a year to come do not exist.
        messages.error(request, _("Năm %(year)s chưa đến: chưa có số liệu để làm báo cáo.") % {"year": year})
        return redirect("reports:index", unit.code)
    saved = selectors.year_report_for(unit=unit, year=year)
    day_form = AsOfForm(request.GET if "ngay" in request.GET else None, year=year)
    asked = day_form.cleaned_data["ngay"] if day_form.is_bound and day_form.is_valid() else None
    # Year over year across the 2025 merger: last year's figures on today's units.
    rebase = request.GET.get(REBASE_PARAM) == "1"
    # Without a day asked for, the report's own cut-off day (or the end of the year).
    report = selectors.unit_report(unit=unit, year=year, as_of=asked, rebase=rebase)
    if not day_form.is_bound:
        day_form = AsOfForm(initial={"ngay": report.period.as_of}, year=year)
    history = selectors.history(unit=unit, years=list(range(year - HISTORY_YEARS + 1, year)))
    columns = tables.main_indicators()
    query = f"ngay={asked.isoformat()}" if asked is not None else ""  # the children's links keep it
    context = {
        "unit": unit,
        "year": year,
        "report": report,
        "period": report.period,
        "saved": saved,
        "day_form": day_form,
        "year_form": YearPickerForm(initial={"nam": year}),
        "year_choices": _year_choices(year),
        "groups": tables.indicator_groups(report.rows),
        "column_heads": tables.column_heads(columns),
        "children_rows": tables.children_rows(report, columns, query=query),
        "charts": tables.charts(report, history),
        "next_targets": tables.next_targets(report),
        "documents_url": optional_url("report_files:documents", unit.code, year),
        "area_url": _area_url(unit.area, year) if unit.area_id else None,
        "can_change": "reports.change" in request.perms,
        "rebase": rebase,
        "rebase_param": REBASE_PARAM,
        **_trail(request),
    }
    return render(request, "reports/report.html", context)


def _area_url(area: Area, year: int) -> str:
    return reverse("reports:area", args=[area.scheme, area.code, year])


def _year_choices(year: int) -> list[int]:
    """Links to the years around the one shown (the picker also takes any year typed)."""
    this_year = _this_year()
    last = max(this_year, year)
    return [y for y in range(last, max(services.YEAR_MIN, last - 6) - 1, -1)]


# ---------- The narrative of the year ----------


@dataclass
class Difference:
    """A part of the report someone else saved meanwhile, differently from what was typed."""

    label: str
    theirs: str


def _differences(form: YearReportForm, latest: Any) -> list[Difference]:
    if latest is None:
        return []
    found = []
    for name, bound in form.fields.items():
        if name == "version":
            continue
        mine, theirs = form.cleaned_data.get(name), getattr(latest, name, None)
        if (mine or None) != (theirs or None):
            shown = theirs.strftime("%d/%m/%Y") if isinstance(theirs, date) else (theirs or _("(để trống)"))
            found.append(Difference(str(bound.label), str(shown)))
    return found


@requires("reports.change")
def narrative(request: UnitRequest, unit_code: str, year: int) -> HttpResponse:
    """Every written part of the year-end report. Saved with the version the form was opened at:
    when someone else saved meanwhile, what was typed stays on the page beside their text, and a
    second save (now knowingly) replaces it."""
    unit = request.unit
    differences: list[Difference] = []
    conflict = False
    if request.method == "POST":
        form = YearReportForm(request.POST, year=year)
        if form.is_valid():
            try:
                services.year_report_save(
                    unit=unit, year=year, data=form.report_input(), version=form.cleaned_data["version"],
                    actor=request.user,
                )  # fmt: skip
            except DomainError as error:
                if error.code != "conflict":
                    add_domain_error(form, error)
                else:
                    conflict = True
                    latest = selectors.year_report_for(unit=unit, year=year)
                    differences = _differences(form, latest)
                    data = request.POST.copy()
                    data["version"] = str(latest.version if latest else 0)
                    form = YearReportForm(data, year=year)
                    form.is_valid()
            else:
                messages.success(request, _("Đã lưu nội dung báo cáo năm %(year)s.") % {"year": year})
                return redirect("reports:year", unit.code, year)
    else:
        saved = selectors.year_report_for(unit=unit, year=year) if not year_problem(year) else None
        form = YearReportForm(initial=year_report_initial(saved), year=year)
    context = {
        "unit": unit,
        "year": year,
        "form": form,
        "conflict": conflict,
        "differences": differences,
        "year_problem": year_problem(year),
        **_trail(request),
    }
    return render(request, "reports/narrative.html", context)


# ---------- Targets ----------


@dataclass
class TargetSection:
    label: str
    lines: list[TargetLine] = field(default_factory=list)


def _target_sections(form: TargetsForm, held: dict[str, Any]) -> list[TargetSection]:
    sections: dict[str, TargetSection] = {}
    for ind in registry.indicators():
        section = sections.setdefault(ind.group, TargetSection(str(registry.group_label(ind.group))))
        target = held.get(ind.name)
        if ind.name in form.locked and target is not None:
            section.lines.append(
                TargetLine(ind, None, target.set_by.name, display.vi_value(target.value, ind.unit))
            )
        else:
            section.lines.append(TargetLine(ind, form[ind.name]))
    return list(sections.values())


@requires("reports.change")
def targets(request: UnitRequest, unit_code: str, year: int) -> HttpResponse:
    """One input per indicator for the unit's own targets; those handed down from a level above
    are shown with who set them and cannot be changed here."""
    unit = request.unit
    held = selectors.targets_for(unit=unit, year=year) if not year_problem(year) else {}
    locked = [name for name, target in held.items() if target.is_handed_down]
    current = {name: target.value for name, target in held.items() if not target.is_handed_down}
    form = TargetsForm(
        request.POST if request.method == "POST" else None, year=year, current=current, locked=locked
    )
    if form.is_bound and form.is_valid():
        try:
            changed = services.targets_set(
                unit=unit, setter=unit, year=year, values=form.values(), actor=request.user
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Đã lưu chỉ tiêu năm %(year)s (%(n)s thay đổi).") % {"year": year, "n": changed}
            )
            return redirect(reverse("reports:year", args=[unit.code, year]) + "#chi-tieu")
    has_children = unit.numchild > 0  # closed children too: the hand-down page says when none is open
    context = {
        "unit": unit,
        "year": year,
        "form": form,
        "sections": _target_sections(form, held),
        "has_children": has_children,
        "year_problem": year_problem(year),
        **_trail(request),
    }
    return render(request, "reports/targets.html", context)


@dataclass
class HandDownLine:
    child: OrgUnit
    field: Any  # a BoundField, or None when a level above this unit set the child's target
    own_value: str = ""  # a target the child set itself (handing one down replaces it)
    locked_by: str = ""
    locked_value: str = ""


def _child_field(child: OrgUnit) -> str:
    return f"don-vi-{child.code}"


def _open_children(unit: OrgUnit) -> list[OrgUnit]:
    """Targets are handed to the children that work today (a closed one has no year ahead)."""
    return [child for child in unit_selectors.unit_children(unit=unit) if child.is_open]


@requires("reports.change")
def hand_down(request: UnitRequest, unit_code: str, year: int) -> HttpResponse:
    """The unit gives each of its children a target of one indicator (?chi-tieu=<name>)."""
    unit = request.unit
    name = request.GET.get("chi-tieu", "")
    ind = registry.indicator(name) if name else None
    if ind is None:
        picker = IndicatorPickerForm(request.GET if name else None)
        if picker.is_bound:
            picker.is_valid()
        context = {"unit": unit, "year": year, "picker": picker, **_trail(request)}
        return render(request, "reports/hand_down.html", context)

    children = _open_children(unit)
    held = selectors.child_targets(unit=unit, year=year, indicator=ind.name) if not year_problem(year) else {}
    editable: list[tuple[str, str, str]] = []
    lines: list[HandDownLine] = []
    for child in children:
        target = held.get(child.pk)
        if target is not None and target.set_by_id not in (unit.pk, child.pk):
            # Handed down by a level above this unit: only that level changes it.
            lines.append(HandDownLine(child, None, locked_by=target.set_by.name,
                                      locked_value=display.vi_value(target.value, ind.unit)))  # fmt: skip
            continue
        mine = target is not None and target.set_by_id == unit.pk
        editable.append((_child_field(child), child.name, target_input_text(target.value) if mine else ""))
        own = display.vi_value(target.value, ind.unit) if target is not None and not mine else ""
        lines.append(HandDownLine(child, _child_field(child), own_value=own))
    form = HandDownForm(
        request.POST if request.method == "POST" else None, year=year, indicator=ind, children=editable
    )
    if form.is_bound and form.is_valid():
        values = {}
        for child in children:
            key = _child_field(child)
            if key not in form.fields:
                continue
            value = form.cleaned_data.get(key)
            target = held.get(child.pk)
            handed_by_us = target is not None and target.set_by_id == unit.pk
            # An empty input leaves a child's own target alone; it removes only one we gave.
            if value is not None or handed_by_us:
                values[child] = "" if value is None else str(value)
        try:
            services.targets_hand_down(
                parent=unit, year=year, indicator=ind.name, values=values, actor=request.user
            )
        except DomainError as error:
            by_pk = {f"unit-{child.pk}": _child_field(child) for child in children}
            error.field = by_pk.get(error.field or "", error.field)
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã giao chỉ tiêu “%(name)s” năm %(year)s cho các đơn vị trực thuộc.")
                             % {"name": ind.label, "year": year})  # fmt: skip
            return redirect(reverse("reports:hand_down", args=[unit.code, year]) + f"?chi-tieu={ind.name}")
    for line in lines:
        if line.field is not None:
            line.field = form[line.field]
    own_target = selectors.targets_for(unit=unit, year=year).get(ind.name) if not year_problem(year) else None
    given = [t.value for t in held.values() if t.set_by_id == unit.pk]
    context = {
        "unit": unit,
        "year": year,
        "indicator": ind,
        "form": form,
        "lines": lines,
        "own_target": display.vi_value(own_target.value, ind.unit) if own_target else "",
        "given_total": display.vi_value(sum(given, Decimal(0)), ind.unit) if given and ind.additive else "",
        "year_problem": year_problem(year),
        **_trail(request),
    }
    return render(request, "reports/hand_down.html", context)


# ---------- Population of the area ----------


@requires("reports.change")
def population(request: UnitRequest, unit_code: str, year: int) -> HttpResponse:
    """People aged 60+ (and all people) in the unit's area: the denominator of the gathering
    rate, shared by every association of the area."""
    unit = request.unit
    context: dict[str, Any] = {
        "unit": unit,
        "year": year,
        "year_problem": year_problem(year),
        **_trail(request),
    }
    if unit.area_id is None:
        context["no_area"] = True
        return render(request, "reports/population.html", context)
    saved = selectors.population_for(area=unit.area, year=year) if not year_problem(year) else None
    context["saved"] = saved  # who entered it last: the figure is shared by the area's associations
    initial = {}
    if saved is not None:
        initial = {
            "aged_60_plus": display.vi_number(saved.aged_60_plus, places=0),
            "total": display.vi_number(saved.total, places=0) if saved.total is not None else "",
            "source": saved.source,
        }
    form = PopulationForm(request.POST if request.method == "POST" else None, initial=initial, year=year)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.population_set(
                unit=unit, year=year, aged_60_plus=data["aged_60_plus"], total=data["total"],
                source=data["source"], actor=request.user,
            )  # fmt: skip
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Đã lưu dân số năm %(year)s của %(area)s.") % {"year": year, "area": unit.area.name},
            )
            return redirect("reports:year", unit.code, year)
    context.update({"form": form, "area": unit.area, "saved": saved})
    return render(request, "reports/population.html", context)


# ---------- Letterhead ----------


@requires("reports.change")
def letterhead(request: UnitRequest, unit_code: str) -> HttpResponse:
    """The heading lines of the unit's documents; an empty line takes the name from the tree."""
    unit = request.unit
    saved = selectors.letterhead_for(unit=unit)
    lines = selectors.letterhead_lines(unit=unit)
    names = ("parent_body", "issuer", "issuer_abbreviation", "place")
    # Where nothing is saved, the lines are the defaults derived from the tree.
    defaults = {name: getattr(lines, name) for name in names if not (saved and getattr(saved, name))}
    initial = {name: getattr(saved, name) for name in names} if saved else {}
    form = LetterheadForm(
        request.POST if request.method == "POST" else None, initial=initial, defaults=defaults
    )
    if form.is_bound and form.is_valid():
        try:
            services.letterhead_save(unit=unit, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã lưu tiêu đề văn bản."))
            return redirect("reports:letterhead", unit.code)
    context = {
        "unit": unit,
        "form": form,
        "lines": lines,
        "this_year": _this_year(),
        "today": timezone.localdate(),
        **_trail(request),
    }
    return render(request, "reports/letterhead.html", context)


# ---------- The associations of an area side by side ----------


def _area_or_404(scheme: str, code: str) -> Area:
    try:
        return unit_selectors.area_get(scheme=scheme, code=code)
    except NotFoundError as error:
        raise Http404(error.message) from error


@login_required
def area_index(request: AuthenticatedRequest, scheme: str, code: str) -> HttpResponse:
    area = _area_or_404(scheme, code)
    year = _this_year()
    if "nam" in request.GET:
        picker = YearPickerForm(request.GET)
        if picker.is_valid():
            year = picker.cleaned_data["nam"]
        else:
            messages.error(request, picker.errors["nam"][0])
    return redirect("reports:area", area.scheme, area.code, year)


@dataclass
class AreaLine:
    indicator: registry.Indicator
    cells: list[str]


def _area_lines(columns: Iterable[selectors.AreaColumn], shown: list[registry.Indicator]) -> list[AreaLine]:
    columns = list(columns)
    return [
        AreaLine(ind, [display.vi_value(column.figures[ind.name], ind.unit) for column in columns])
        for ind in shown
    ]


@login_required
def area_report(request: AuthenticatedRequest, scheme: str, code: str, year: int) -> HttpResponse:
    """Each association of the area the user may see, side by side, and the distinct people who
    are members of any of them (one person may belong to several)."""
    area = _area_or_404(scheme, code)
    if problem := year_problem(year):
        messages.error(request, problem)
        return redirect("reports:area_index", area.scheme, area.code)
    # The scope is every unit the user may see: an area grant covers all the associations of the
    # ward, a unit grant only that unit's subtree. Units outside it are simply not found.
    with unit_scope(visible_unit_paths(request.user)):
        period, columns, people = selectors.area_report(area=area, year=year)
        shown = [*tables.main_indicators()]
        if (population := registry.indicator("population_60_plus")) is not None:
            shown.insert(len(shown) - 1, population)
        context = {
            "area": area,
            "ancestors": unit_selectors.area_ancestors(area=area),
            "year": year,
            "period": period,
            "columns": [(column.unit, tables.report_url(column.unit, year)) for column in columns],
            "lines": _area_lines(columns, shown),
            "people": display.vi_number(people, places=0),
            "member_sum": display.vi_number(sum(int(c.figures["members"] or 0) for c in columns), places=0),
            "year_form": YearPickerForm(initial={"nam": year}),
            "year_choices": _year_choices(year),
        }
        return render(request, "reports/area.html", context)
