"""Pages of the unit tree: browse (children on demand), create, edit, move, merge, split, history.

Every page lives under /u/<unit_code>/, so the middleware has loaded ``request.unit``, checked
the permission and activated the scope of that unit's subtree. Changes that involve *other*
units (move, merge, split) are made from a unit above them: the page's unit is the scope
inside which units are rearranged, and every choice comes from that subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from sohoi.accounts.permissions import reach_from
from sohoi.core.errors import DomainError
from sohoi.core.http import UnitRequest, requires
from sohoi.members.selectors import MemberFilters, member_count
from sohoi.orgunits import selectors, services
from sohoi.orgunits.models import OrgUnit
from sohoi.orgunits.services import NewUnitSpec
from sohoi.web.forms.base import add_domain_error
from sohoi.web.forms.units import (
    SPLIT_MAX_ROWS,
    SPLIT_MIN_ROWS,
    MergeForm,
    SplitForm,
    SplitSourceForm,
    UnitCreateForm,
    UnitEditForm,
    UnitMoveForm,
    initial_from_data,
)

SHOW_CLOSED_PARAM = "dong"


# ---------- Breadcrumbs and the permissions above the page's unit ----------


@dataclass(frozen=True)
class Crumb:
    unit: OrgUnit
    can_open: bool


def _trail(request: UnitRequest) -> dict[str, Any]:
    """Breadcrumbs of the page's unit and what the user may do above it (two queries)."""
    ancestors = selectors.unit_ancestors(unit=request.unit)
    reach = reach_from(request.user, request.unit, ancestors)
    parent = ancestors[-1] if ancestors else None
    return {
        "crumbs": [Crumb(unit=a, can_open=reach.can_open(a)) for a in ancestors],
        "parent": parent,
        "parent_perms": reach.perms_on(parent) if parent else frozenset(),
        "reach": reach,
    }


# ---------- Browse ----------


def _children_context(request: UnitRequest, unit: OrgUnit) -> dict[str, Any]:
    show_closed = request.GET.get(SHOW_CLOSED_PARAM) == "1"
    children = selectors.unit_children(unit=unit)
    shown = children if show_closed else [c for c in children if c.is_open]
    return {
        "children": shown,
        "show_closed": show_closed,
        "hidden_closed_count": len(children) - len(shown),
        "closed_count": sum(1 for c in children if not c.is_open),
    }


@requires("units.view")
def detail(request: UnitRequest, unit_code: str) -> HttpResponse:
    unit = request.unit
    trail = _trail(request)
    lineage = selectors.unit_lineage(unit=unit)
    partners = [p for entry in [*lineage.closed_by, *lineage.formed_from] for p in entry.partners]
    context = {
        "unit": unit,
        **trail,
        **_children_context(request, unit),
        "lineage": lineage,
        "openable": trail["reach"].openable(partners),
    }
    if "members.view" in request.perms:
        # Capped: a province's page never counts every member (BASELINES.md §4).
        context["member_count"], context["member_count_exact"] = member_count(
            unit=unit, filters=MemberFilters()
        )
    return render(request, "units/detail.html", context)


@requires("units.view")
def children(request: UnitRequest, unit_code: str) -> HttpResponse:
    """The children of a unit: a partial for the tree's htmx toggle, else a page of its own."""
    context = {"unit": request.unit, **_children_context(request, request.unit)}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "units/_children.html", context)
    else:
        response = render(request, "units/children.html", {**context, **_trail(request)})
    patch_vary_headers(response, ["HX-Request"])
    return response


@requires("units.view")
def history(request: UnitRequest, unit_code: str) -> HttpResponse:
    trail = _trail(request)
    events = selectors.unit_events(unit=request.unit)
    partners = [link.org_unit for event in events for link in event.links.all()]
    context = {
        "unit": request.unit,
        **trail,
        "events": events,
        "openable": trail["reach"].openable(partners),
    }
    return render(request, "units/history.html", context)


# ---------- Create, edit ----------


@requires("units.manage")
def create(request: UnitRequest, unit_code: str) -> HttpResponse:
    parent = request.unit
    areas = selectors.area_choices_for_unit(parent=parent)
    form = UnitCreateForm(request.POST if request.method == "POST" else None, parent=parent, areas=areas)
    if form.is_bound and form.is_valid():
        try:
            unit = services.orgunit_create(parent=parent, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã thành lập “%(name)s”.") % {"name": unit.name})
            return redirect("units:detail", unit_code=unit.code)
    return render(request, "units/create.html", {"unit": parent, "form": form, **_trail(request)})


@requires("units.manage")
def edit(request: UnitRequest, unit_code: str) -> HttpResponse:
    unit = request.unit
    areas = selectors.area_choices_for_unit(parent=unit.parent, current=unit.area)
    form = UnitEditForm(request.POST if request.method == "POST" else None, unit=unit, areas=areas)
    if form.is_bound and form.is_valid():
        try:
            services.orgunit_update(unit=unit, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã lưu thông tin đơn vị."))
            return redirect("units:detail", unit_code=unit.code)
    return render(request, "units/edit.html", {"unit": unit, "form": form, **_trail(request)})


# ---------- Move ----------


@requires("units.manage")
def move(request: UnitRequest, unit_code: str) -> HttpResponse:
    """Rearrange the page's subtree: any open unit below it goes under any other open unit of it.

    A unit's own page links here from its parent (``?don-vi=<code>`` preselects it), so a commune
    admin rearranges inside the commune, and a move between two districts is made from the
    province, by someone whose scope holds both.
    """
    scope_unit = request.unit
    picker = selectors.units_in_scope(unit=scope_unit)
    initial = {"unit": request.GET.get("don-vi", "")}
    form = UnitMoveForm(
        request.POST if request.method == "POST" else None, scope_unit=scope_unit, units=picker.units,
        initial=initial,
    )  # fmt: skip
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.orgunit_move(
                unit=data["unit"],
                new_parent=data["new_parent"],
                actor=request.user,
                effective_on=data["effective_on"],
                decision_ref=data["decision_ref"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Đã chuyển “%(name)s” về trực thuộc “%(parent)s”.")
                % {"name": moved.name, "parent": data["new_parent"].name},
            )
            return redirect("units:detail", unit_code=moved.code)
    context = {"unit": scope_unit, "form": form, "truncated": picker.truncated, **_trail(request)}
    return render(request, "units/move.html", context)


# ---------- Merge ----------


def _merge_kwargs(form: MergeForm) -> dict[str, Any]:
    data = form.cleaned_data
    into: OrgUnit | NewUnitSpec
    if form.is_existing:
        into = data["successor"]
    else:
        into = NewUnitSpec(name=data["new_name"], parent=data["new_parent"], level=data["new_level"],
                           area=data["new_area"])  # fmt: skip
    return {
        "sources": form.sources_without_successor(),
        "into": into,
        "effective_on": data["effective_on"],
        "decision_ref": data["decision_ref"],
        "decision_on": data["decision_on"],
        "note": data["note"],
    }


@requires("units.manage")
def merge(request: UnitRequest, unit_code: str) -> HttpResponse:
    """Merge units below the page's unit: form → confirmation (what closes, what moves) → commit."""
    scope_unit = request.unit
    picker = selectors.units_in_scope(unit=scope_unit)
    areas = selectors.area_choices_for_unit(parent=scope_unit)
    options = {"scope_unit": scope_unit, "units": picker.units, "areas": areas}
    action = request.POST.get("action", "preview")
    if request.method != "POST":
        form = MergeForm(initial={"sources": request.GET.getlist("nguon")}, **options)
    elif action == "edit":
        form = MergeForm(initial=initial_from_data(MergeForm, request.POST, **options), **options)
    else:
        form = MergeForm(request.POST, **options)
    context: dict[str, Any] = {"unit": scope_unit, "form": form, "truncated": picker.truncated}
    if form.is_bound and form.is_valid():
        kwargs = _merge_kwargs(form)
        if action == "commit":
            try:
                target, _event = services.orgunit_merge(actor=request.user, **kwargs)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("Đã sáp nhập %(sources)s vào “%(target)s”.")
                    % {"sources": ", ".join(f"“{s.name}”" for s in kwargs["sources"]), "target": target.name},
                )
                return redirect("units:detail", unit_code=target.code)
        else:
            moving = selectors.units_open_children(units=kwargs["sources"])
            context["plan"] = {
                **kwargs,
                "sources": [(s, moving[s.pk]) for s in kwargs["sources"]],
                "is_new": isinstance(kwargs["into"], NewUnitSpec),
            }
            return render(request, "units/merge_confirm.html", {**context, **_trail(request)})
    return render(request, "units/merge.html", {**context, **_trail(request)})


# ---------- Split ----------


def _row_count(request: UnitRequest) -> int:
    try:
        rows = int(request.POST.get("rows") or SPLIT_MIN_ROWS)
    except ValueError:
        rows = SPLIT_MIN_ROWS
    if request.POST.get("action") == "add_row":
        rows += 1
    return min(max(rows, SPLIT_MIN_ROWS), SPLIT_MAX_ROWS)


@requires("units.manage")
def split(request: UnitRequest, unit_code: str) -> HttpResponse:
    """Split a unit below the page's unit: choose it (GET ?nguon=), then the new units, where each
    of its open children goes, the decision → confirmation → commit."""
    scope_unit = request.unit
    picker = selectors.units_in_scope(unit=scope_unit)
    context: dict[str, Any] = {"unit": scope_unit, "truncated": picker.truncated, **_trail(request)}
    code = request.POST.get("nguon") or request.GET.get("nguon")
    source_form = SplitSourceForm(
        {"nguon": code} if code else None, scope_unit=scope_unit, units=picker.units
    )
    context["source_form"] = source_form
    if not (source_form.is_bound and source_form.is_valid()):
        return render(request, "units/split_source.html", context)

    source = source_form.cleaned_data["nguon"]
    parent = next((u for u in picker.units if u.pk == source.parent_id), None)
    if parent is None:  # only a closed parent: nothing can be created under it
        source_form.add_error("nguon", _("Đơn vị cấp trên của đơn vị này đã đóng."))
        return render(request, "units/split_source.html", context)
    children = selectors.units_open_children(units=[source])[source.pk]
    areas = selectors.area_choices_for_unit(parent=parent)
    options = {"source": source, "children": children, "areas": areas, "row_count": _row_count(request)}
    action = request.POST.get("action", "preview")
    if request.method != "POST":
        form = SplitForm(**options)
    elif action in ("edit", "add_row"):
        form = SplitForm(initial=initial_from_data(SplitForm, request.POST, **options), **options)
    else:
        form = SplitForm(request.POST, **options)
    context.update({"form": form, "source": source, "parent": parent})
    if form.is_bound and form.is_valid():
        new_units, children_to, data_to = form.plan()
        data = form.cleaned_data
        kwargs = {
            "source": source,
            "into": [
                NewUnitSpec(name=name, parent=parent, level=source.level, area=area)
                for name, area in new_units
            ],
            "children_to": children_to,
            "data_to": data_to,
            "effective_on": data["effective_on"],
            "decision_ref": data["decision_ref"],
            "decision_on": data["decision_on"],
            "note": data["note"],
        }
        if action == "commit":
            try:
                targets, _event = services.orgunit_split(actor=request.user, **kwargs)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("Đã chia tách “%(source)s” thành %(targets)s.")
                    % {"source": source.name, "targets": ", ".join(f"“{t.name}”" for t in targets)},
                )
                return redirect("units:detail", unit_code=scope_unit.code)
        else:
            by_index = {
                i: [c for c in children if children_to.get(c.code) == i] for i in range(len(new_units))
            }
            context["plan"] = {
                **kwargs,
                "rows": [(spec, by_index[i], i == data_to) for i, spec in enumerate(kwargs["into"])],
            }
            return render(request, "units/split_confirm.html", context)
    return render(request, "units/split.html", context)
