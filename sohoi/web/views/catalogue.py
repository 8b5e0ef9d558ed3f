"""Catalogue pages: the associations, and the administrative areas with their thôn / tổ dân phố.

Both are reference data shared by every unit, so they live outside /u/<unit_code>/ and need
only a login; adding an association is for superusers, adding a hamlet for whoever
``can_manage_area`` allows. Anyone else gets the same 404 as for a missing page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from sohoi.accounts.permissions import can_manage_area
from sohoi.core.errors import DomainError, NotFoundError
from sohoi.core.http import AuthenticatedRequest
from sohoi.orgunits import selectors, services
from sohoi.orgunits.models import Area, AreaLevel, AreaScheme
from sohoi.web.forms.base import add_domain_error
from sohoi.web.forms.catalogue import AssociationCreateForm, HamletCreateForm

SCHEME_PARAM = "he"


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def membership_rule_text(rule: dict[str, Any]) -> list[str]:
    """The membership rule of an association in words (it is data, DOMAIN.md §1.4)."""
    lines = []
    min_age = _as_int(rule.get("min_age"))
    exception_age = _as_int(rule.get("exception_min_age"))
    if min_age:
        lines.append(_("Công dân từ đủ %(age)d tuổi.") % {"age": min_age})
        if exception_age and exception_age < min_age:
            lines.append(
                _("Trường hợp đặc biệt: từ %(low)d đến dưới %(age)d tuổi có thể được kết nạp.")
                % {"low": exception_age, "age": min_age}
            )
    else:
        lines.append(_("Không quy định tuổi tối thiểu."))
    if pattern := str(rule.get("member_number_pattern") or "").strip():
        try:
            sample = pattern.format(seq=1, year=2025)
        except (KeyError, IndexError, ValueError):
            sample = pattern
        lines.append(
            _("Số hội viên tự cấp theo mẫu %(pattern)s (ví dụ %(sample)s).")
            % {"pattern": pattern, "sample": sample}
        )
    if note := str(rule.get("note") or "").strip():
        lines.append(note)
    return lines


# ---------- Associations ----------


@login_required
def associations(request: AuthenticatedRequest) -> HttpResponse:
    rows = [(a, membership_rule_text(a.membership_rule or {})) for a in selectors.association_list()]
    return render(request, "catalogue/associations.html", {"rows": rows})


@login_required
def association_create(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise Http404
    form = AssociationCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            association = services.association_create(
                name=data["name"],
                short_name=data["short_name"],
                abbreviation=data["abbreviation"],
                code=data["code"],
                membership_rule=form.membership_rule(),
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã thêm “%(name)s” vào danh mục.") % {"name": association.name})
            return redirect("catalogue:associations")
    return render(request, "catalogue/association_create.html", {"form": form})


# ---------- Areas ----------


def _scheme(value: str | None) -> str:
    return value if value in AreaScheme.values else AreaScheme.FROM_2025


def _area_or_404(scheme: str, code: str) -> Area:
    try:
        return selectors.area_get(scheme=scheme, code=code)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _area_children_context(area: Area | None, scheme: str) -> dict[str, Any]:
    return {
        "areas": selectors.area_children(area=area, scheme=scheme, with_successions=True),
        "scheme": scheme,
    }


@login_required
def areas(request: AuthenticatedRequest) -> HttpResponse:
    scheme = _scheme(request.GET.get(SCHEME_PARAM))
    context = {**_area_children_context(None, scheme), "schemes": AreaScheme.choices}
    return render(request, "catalogue/areas.html", context)


def _can_add_hamlet(request: AuthenticatedRequest, area: Area) -> bool:
    return area.level == AreaLevel.COMMUNE and can_manage_area(request.user, area)


@login_required
def area(request: AuthenticatedRequest, scheme: str, code: str) -> HttpResponse:
    current = _area_or_404(scheme, code)
    context = {
        "area": current,
        "ancestors": selectors.area_ancestors(area=current),
        "lineage": selectors.area_lineage(area=current),
        "can_add_hamlet": _can_add_hamlet(request, current),
        **_area_children_context(current, current.scheme),
    }
    return render(request, "catalogue/area.html", context)


@login_required
def area_children(request: AuthenticatedRequest, scheme: str, code: str) -> HttpResponse:
    """The children of an area: a partial for the tree's htmx toggle, else a page of its own."""
    current = _area_or_404(scheme, code)
    context = {"area": current, **_area_children_context(current, current.scheme)}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "catalogue/_area_children.html", context)
    else:
        context["ancestors"] = selectors.area_ancestors(area=current)
        response = render(request, "catalogue/area_children.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def hamlet_create(request: AuthenticatedRequest, scheme: str, code: str) -> HttpResponse:
    commune = _area_or_404(scheme, code)
    if not can_manage_area(request.user, commune):
        raise Http404
    form = HamletCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            hamlet = services.hamlet_create(commune=commune, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã thêm “%(name)s”.") % {"name": hamlet.name})
            return redirect("catalogue:area", scheme=commune.scheme, code=commune.code)
    context = {"area": commune, "form": form, "ancestors": selectors.area_ancestors(area=commune)}
    return render(request, "catalogue/hamlet_create.html", context)
