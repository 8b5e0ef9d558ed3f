"""Pages of the member register: the list (search, filters, keyset pages), a member's page
(data, memberships, timeline, history with restore, consent), add and edit, the lifecycle
actions (transfer, leave, death, re-join, honorary), and duplicates with merge.

Every page lives under /u/<unit_code>/hoi-vien/: the middleware has loaded ``request.unit``,
checked the permission and activated the scope of the unit's subtree, so a member code from
elsewhere is simply not found. Reads go through sohoi.members.selectors, writes through
sohoi.members.services; a refusal comes back on the form, never as a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from sohoi.core.errors import DomainError, NotFoundError
from sohoi.core.http import UnitRequest, requires
from sohoi.members import selectors
from sohoi.members import services as member_services
from sohoi.members.models import Consent, Membership, MembershipStatus, Person
from sohoi.members.person_data import PersonInput
from sohoi.members.services import ConflictError, MembershipInput, WarningsNotConfirmed
from sohoi.orgunits import selectors as unit_selectors
from sohoi.orgunits.models import Area, OrgUnit
from sohoi.web.forms.base import add_domain_error
from sohoi.web.forms.members import (
    ALL_STATUSES,
    ActionForm,
    ConsentForm,
    DeathForm,
    HonoraryForm,
    LeaveForm,
    MemberFilterForm,
    MemberForm,
    MergeConfirmForm,
    RejoinForm,
    RestoreForm,
    TransferForm,
    WithdrawForm,
    member_initial,
)
from sohoi.web.views.units import _trail

CURSOR_PARAM = "sau"
VIEW_IDS = "members.view_ids"
# Filters carried over to the export and card pages (same names as the list's GET form).
FILTER_PARAMS = ("q", "status", "gender", "age", "birth_year", "join_year", "area")


def optional_url(name: str, *args: Any, query: str = "") -> str | None:
    """The URL of a page another part of the app provides, or None while it does not exist."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def _member_or_404(code: str) -> Membership:
    try:
        return selectors.member_get(code=code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


# ---------- Display of personal numbers ----------


def id_shown(value: str, perms: frozenset[str]) -> str:
    if not value:
        return ""
    return value if VIEW_IDS in perms else selectors.mask_digits(value)


def phone_shown(value: str, perms: frozenset[str]) -> str:
    if not value:
        return ""
    if VIEW_IDS in perms:
        return selectors.phone_display(value)
    return selectors.mask_digits(selectors.phone_national(value), keep_start=4, keep_end=2)


@dataclass
class Row:
    index: int
    membership: Membership
    id_number: str
    phone: str


# ---------- List ----------


def _list_areas(unit: OrgUnit) -> list[Area]:
    return unit_selectors.area_choices_for_unit(parent=unit) if unit.area_id else []


def _filters(form: MemberFilterForm) -> selectors.MemberFilters:
    status = form.value("status")
    return selectors.MemberFilters(
        q=form.value("q") or "",
        status="" if status == ALL_STATUSES else (status or MembershipStatus.ACTIVE),
        gender=form.value("gender") or "",
        age_band=form.value("age") or "",
        birth_year=form.value("birth_year"),
        join_year=form.value("join_year"),
        area_id=area.pk if (area := form.value("area")) else None,
    )


def _count_label(count: int, exact: bool) -> str:
    shown = f"{count:,}".replace(",", ".")  # 10.000, the Vietnamese way
    if exact:
        return _("%(count)s hội viên") % {"count": shown}
    return _("Hơn %(count)s hội viên") % {"count": shown}


@requires("members.view")
def member_list(request: UnitRequest, unit_code: str) -> HttpResponse:
    unit = request.unit
    form = MemberFilterForm(request.GET, areas=_list_areas(unit))
    form.is_valid()
    filters = _filters(form)
    cursor = request.GET.get(CURSOR_PARAM)
    page = selectors.member_page(unit=unit, filters=filters, after=cursor)
    count, exact = selectors.member_count(unit=unit, filters=filters)
    query = request.GET.copy()
    query.pop(CURSOR_PARAM, None)
    rows = [
        Row(i, m, id_shown(m.person.id_number, request.perms), phone_shown(m.person.phone, request.perms))
        for i, m in enumerate(page.rows, start=1)
    ]
    kept = QueryDict(mutable=True)
    for key in FILTER_PARAMS:
        if query.get(key):
            kept[key] = query[key]
    filter_query = kept.urlencode()
    next_query = query.copy()
    if page.next_cursor:
        next_query[CURSOR_PARAM] = page.next_cursor
    context = {
        "unit": unit,
        "form": form,
        "rows": rows,
        "page": page,
        "count_label": _count_label(count, exact),
        "next_url": f"?{next_query.urlencode()}" if page.next_cursor else None,
        "first_url": f"?{query.urlencode()}" if query else request.path,
        "import_url": optional_url("imports:upload", unit.code) or f"/u/{unit.code}/nhap-hoi-vien/",
        "export_url": optional_url("member_files:export", unit.code, query=filter_query),
        "cards_url": optional_url("member_files:cards", unit.code, query=filter_query),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "members/_rows.html", context)
    else:
        response = render(request, "members/list.html", {**context, **_trail(request)})
    patch_vary_headers(response, ["HX-Request"])
    return response


# ---------- One member ----------

HISTORY_HIDDEN = {"created_at", "updated_at", "version", "sort_key", "search_name", "name_key"}
ID_FIELDS = {"id_number"}
PHONE_FIELDS = {"phone"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Version:
    record: Any
    is_person: bool
    kind: str
    changes: list[Change]
    can_restore: bool


def _field_value(
    model: type, name: str, value: Any, perms: frozenset[str], names: dict[tuple[str, Any], str]
) -> str:
    if value in (None, ""):
        return "—"
    if name in ID_FIELDS:
        return id_shown(str(value), perms)
    if name in PHONE_FIELDS:
        return phone_shown(str(value), perms)
    if name in Person.SENSITIVE_FIELDS and "members.view_ids" not in perms:
        return _("(đã ghi, không hiển thị)")  # sensitive data (DOMAIN.md §6.2): not for viewers
    field = model._meta.get_field(name)
    if field.is_relation:
        return names.get((field.related_model._meta.label, value), "—")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return str(value)


def _versions(records: list, perms: frozenset[str]) -> list[Version]:
    """The kept versions, newest first, each with what changed from the version before it of
    the same record (compared in memory: no query per version)."""
    previous: dict[int, Any] = {}
    deltas: dict[int, list] = {}
    for record in sorted(records, key=lambda r: r.history_date):
        key = record.instance_type is Person
        before = previous.get(key)
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=HISTORY_HIDDEN)
            deltas[record.history_id * 2 + key] = delta.changes
        previous[key] = record
    unit_ids, area_ids = set(), set()
    for changes in deltas.values():
        for change in changes:
            if change.field in ("org_unit", "number_issuer"):
                unit_ids |= {change.old, change.new}
            if change.field in ("area", "hamlet"):
                area_ids |= {change.old, change.new}
    names: dict[tuple[str, Any], str] = {}
    if unit_ids - {None}:
        names |= {
            ("orgunits.OrgUnit", pk): n
            for pk, n in OrgUnit.objects.filter(pk__in=unit_ids - {None}).values_list("pk", "name")
        }
    if area_ids - {None}:
        names |= {
            ("orgunits.Area", pk): n
            for pk, n in Area.objects.filter(pk__in=area_ids - {None}).values_list("pk", "name")
        }
    newest_person = max((r.history_id for r in records if r.instance_type is Person), default=None)
    kinds = {"+": _("Tạo mới"), "~": _("Sửa"), "-": _("Xoá")}
    versions = []
    for record in records:
        is_person = record.instance_type is Person
        model = Person if is_person else Membership
        changes = [
            Change(
                str(model._meta.get_field(c.field).verbose_name).capitalize(),
                _field_value(model, c.field, c.old, perms, names),
                _field_value(model, c.field, c.new, perms, names),
            )
            for c in deltas.get(record.history_id * 2 + is_person, [])
        ]
        if record.history_type == "~" and not changes:
            continue  # saved without a visible change (a version bump): noise in the list
        can_restore = is_person and record.history_id != newest_person and record.history_type != "-"
        versions.append(Version(record, is_person, kinds.get(record.history_type, ""), changes, can_restore))
    return versions


def _consents(person: Person) -> list[Consent]:
    return list(Consent.objects.filter(person=person).select_related("actor"))


@requires("members.view")
def member_detail(request: UnitRequest, unit_code: str, code: str) -> HttpResponse:
    membership = _member_or_404(code)
    person = membership.person
    consents = _consents(person)
    context = {
        "unit": request.unit,
        "membership": membership,
        "person": person,
        "id_number": id_shown(person.id_number, request.perms),
        "phone": phone_shown(person.phone, request.perms),
        "memberships": selectors.person_memberships(person=person),
        "timeline": selectors.member_timeline(membership=membership),
        "versions": _versions(selectors.person_history(person=person, membership=membership), request.perms),
        "consents": consents,
        "has_consent": any(c.is_active for c in consents),
        "can_change": "members.change" in request.perms,
        **_trail(request),
    }
    return render(request, "members/detail.html", context)


# ---------- Add and edit ----------


def _units(request: UnitRequest) -> list[OrgUnit]:
    return list(unit_selectors.units_in_scope(unit=request.unit).units)


def _form_areas(unit: OrgUnit, person: Person | None = None) -> list[Area]:
    areas = _list_areas(unit)
    if person is not None:
        known = {a.pk for a in areas}
        for current in (person.area, person.hamlet):
            if current is not None and current.pk not in known:
                areas.insert(0, current)
    return areas


def _person_input(data: dict[str, Any]) -> PersonInput:
    given = data.get("given_name") or None
    return PersonInput(
        full_name=data["full_name"],
        birth=data.get("birth"),
        gender=data.get("gender") or "",
        id_number=data.get("id_number") or "",
        phone=data.get("phone") or "",
        phone_note=data.get("phone_note") or "",
        address=data.get("address") or "",
        ethnicity=data.get("ethnicity") or "",
        note=data.get("note") or "",
        area_id=data["area"].pk if data.get("area") else None,
        hamlet_id=data["hamlet"].pk if data.get("hamlet") else None,
        family_name=data.get("family_name") if given else None,
        middle_name=data.get("middle_name") if given else None,
        given_name=given,
        # Absent from the form (no consent in view): None keeps what is stored.
        religion=(data.get("religion") or "") if "religion" in data else None,
        health_note=(data.get("health_note") or "") if "health_note" in data else None,
        policy_status=(data.get("policy_status") or "") if "policy_status" in data else None,
    )


def _membership_input(data: dict[str, Any]) -> MembershipInput:
    return MembershipInput(
        joined=data["joined"],
        member_number=data.get("member_number") or "",
        card_number=data.get("card_number") or "",
        card_issued_on=data.get("card_issued_on"),
    )


def _show_error(form: MemberForm, error: DomainError) -> None:
    if isinstance(error, WarningsNotConfirmed):
        form.show_confirm = True
        form.warnings = error.extra.get("warnings") or [error.message]
        return
    if error.code == "age_below_rule":
        form.show_confirm = True
    add_domain_error(form, error)


@requires("members.change")
def member_create(request: UnitRequest, unit_code: str) -> HttpResponse:
    unit = request.unit
    units = _units(request)
    form = MemberForm(
        request.POST if request.method == "POST" else None,
        areas=_form_areas(unit), units=units, base_depth=unit.depth, initial={"unit": unit.code},
    )  # fmt: skip
    form.warnings = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            membership, _warnings = member_services.member_admit(
                unit=data["unit"],
                person=_person_input(data),
                membership=_membership_input(data),
                actor=request.user,
                confirmed_warnings=data["confirm"],
                exception_reason=data.get("exception_reason") or "",
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("Đã thêm hội viên “%(name)s”.") % {"name": membership.person.full_name}
            )
            return redirect("members:detail", unit_code=unit.code, code=membership.code)
    context = {"unit": unit, "form": form, "is_edit": False, **_trail(request)}
    return render(request, "members/form.html", context)


@requires("members.change")
def member_edit(request: UnitRequest, unit_code: str, code: str) -> HttpResponse:
    membership = _member_or_404(code)
    person = membership.person
    with_sensitive = any(c.is_active for c in _consents(person))
    form = MemberForm(
        request.POST if request.method == "POST" else None,
        areas=_form_areas(request.unit, person), with_sensitive=with_sensitive, is_edit=True,
        initial=member_initial(membership),
    )  # fmt: skip
    form.warnings = []
    conflict = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            member_services.member_update(
                membership=membership,
                person_data=_person_input(data),
                membership_data=_membership_input(data),
                expected_version=data.get("version"),
                actor=request.user,
                confirmed_warnings=data["confirm"],
            )
        except ConflictError as error:
            conflict = True
            form.add_error(None, error.message)
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Đã lưu hồ sơ hội viên."))
            return redirect("members:detail", unit_code=request.unit.code, code=membership.code)
    context = {
        "unit": request.unit,
        "form": form,
        "membership": membership,
        "is_edit": True,
        "conflict": conflict,
        **_trail(request),
    }
    return render(request, "members/form.html", context)


# ---------- Lifecycle actions ----------


def _action(
    request: UnitRequest,
    membership: Membership,
    *,
    form_class: type[ActionForm],
    title: str,
    done: str,
    run: Any,
    form_kwargs: dict[str, Any] | None = None,
    allowed: bool = True,
) -> HttpResponse:
    """A lifecycle action: GET shows its small form, POST calls the service with the version the
    page was opened at, then goes back to the member's page."""
    form_kwargs = form_kwargs or {}
    form = form_class(
        request.POST if request.method == "POST" else None,
        initial={"version": membership.version},
        **form_kwargs,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            run(membership, data, data.get("version"))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, done % {"name": membership.person.full_name})
            return redirect("members:detail", unit_code=request.unit.code, code=membership.code)
    context = {
        "unit": request.unit,
        "membership": membership,
        "form": form,
        "title": title,
        "allowed": allowed,
        **_trail(request),
    }
    return render(request, "members/action.html", context)


def _other_units(request: UnitRequest, membership: Membership) -> list[OrgUnit]:
    return [u for u in _units(request) if u.association_id == membership.association_id]


@requires("members.change")
def member_transfer(request: UnitRequest, unit_code: str, code: str) -> HttpResponse:
    membership = _member_or_404(code)
    units = [u for u in _other_units(request, membership) if u.pk != membership.org_unit_id]
    return _action(
        request, membership, form_class=TransferForm, title=_("Chuyển sinh hoạt"),
        done=_("Đã chuyển sinh hoạt cho “%(name)s”."),
        form_kwargs={"units": units, "base_depth": request.unit.depth},
        allowed=membership.is_active,
        run=lambda m, d, v: member_services.member_transfer(
            membership=m, to_unit=d["to_unit"], on=d["on"], reason=d.get("reason") or "",
            actor=request.user, expected_version=v,
        ),
    )  # fmt: skip


@requires("members.change")
def member_leave(request: UnitRequest, unit_code: str, code: str) -> HttpResponse:
    membership = _member_or_404(code)
    return _action(
        request, membership, form_class=LeaveForm, title=_("Thôi sinh hoạt"),
        done=_("Đã ghi nhận “%(name)s” thôi sinh hoạt."), allowed=membership.is_active,
        run=lambda m, d, v: member_services.member_leave(
            membership=m, on=d["on"], reason=d["reason"], actor=request.user, expected_version=v
        ),
    )  # fmt: skip


@requires("members.change")
def member_death(request: UnitRequest, unit_code: str, code: str) -> HttpResponse:
    membership = _member_or_404(code)
    return _action(
        request, membership, form_class=DeathForm, title=_("Ghi nhận từ trần"),
        done=_("Đã ghi nhận “%(name)s” từ trần."), allowed=membership.person.died_on is None,
        run=lambda m, d, v: member_services.member_record_death(
            membership=m, on=d["on"], note=d.get("note") or "", actor=request.user, expected_version=v
        ),
    )  # fmt: skip


@requires("members.change")
def member_rejoin(request: UnitRequest, unit_code: str, code: str) -> HttpResponse:
    membership = _member_or_404(code)
    return _action(
        request, membership, form_class=RejoinForm, title=_("Vào lại hội"),
        done=_("Đã ghi nhận “%(name)s” vào lại hội."),
        form_kwargs={"units": _other_units(request, membership), "base_depth": request.unit.depth},
        allowed=membership.status == MembershipStatus.LEFT,
        run=lambda m, d, v: member_services.member_rejoin(
            membership=m, on=d["on"], unit=d.get("unit"), reason=d.get("reason") or "",
            actor=request.user, expected_version=v,
        ),
    )  # fmt: skip


@requires("members.change")
def member_honorary(request: UnitRequest, unit_code: str, code: str) -> HttpResponse:
    membership = _member_or_404(code)
    return _action(
        request, membership, form_class=HonoraryForm, title=_("Công nhận hội viên danh dự"),
        done=_("Đã công nhận “%(name)s” là hội viên danh dự."),
        allowed=membership.is_active and not membership.is_honorary,
        run=lambda m, d, v: member_services.member_make_honorary(
            membership=m, on=d["on"], reason=d.get("reason") or "", actor=request.user, expected_version=v
        ),
    )  # fmt: skip


# ---------- History restore and consent ----------


@requires("members.change")
def member_restore(request: UnitRequest, unit_code: str, code: str, history_id: int) -> HttpResponse:
    membership = _member_or_404(code)
    person = membership.person
    record = person.history.filter(history_id=history_id).first()
    if record is None:
        raise Http404(_("Không tìm thấy phiên bản này của hồ sơ."))
    form = RestoreForm(
        request.POST if request.method == "POST" else None, initial={"version": membership.version}
    )
    if form.is_bound and form.is_valid():
        try:
            member_services.person_restore(
                membership=membership, history_id=history_id, actor=request.user,
                expected_version=form.cleaned_data.get("version"),
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã khôi phục hồ sơ về phiên bản đã chọn."))
            return redirect("members:detail", unit_code=request.unit.code, code=membership.code)
    changes = [
        Change(str(Person._meta.get_field(name).verbose_name).capitalize(),
               _field_value(Person, name, getattr(person, name), request.perms, {}),
               _field_value(Person, name, getattr(record, name), request.perms, {}))
        for name in ("full_name", "birth_date", "birth_year", "gender", "id_number", "phone", "phone_note",
                     "address", "ethnicity", "note")
        if getattr(person, name) != getattr(record, name)
    ]  # fmt: skip
    context = {
        "unit": request.unit,
        "membership": membership,
        "record": record,
        "changes": changes,
        "form": form,
        **_trail(request),
    }
    return render(request, "members/restore.html", context)


@requires("members.change")
def consent_add(request: UnitRequest, unit_code: str, code: str) -> HttpResponse:
    membership = _member_or_404(code)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            member_services.consent_record(membership=membership, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã ghi nhận sự đồng ý."))
            return redirect("members:detail", unit_code=request.unit.code, code=membership.code)
    context = {
        "unit": request.unit,
        "membership": membership,
        "form": form,
        "title": _("Ghi nhận đồng ý xử lý dữ liệu nhạy cảm"),
        "allowed": True,
        **_trail(request),
    }
    return render(request, "members/action.html", context)


@requires("members.change")
def consent_withdraw(request: UnitRequest, unit_code: str, code: str, consent_id: int) -> HttpResponse:
    membership = _member_or_404(code)
    consent = Consent.objects.filter(person=membership.person, pk=consent_id).first()
    if consent is None:
        raise Http404(_("Không tìm thấy bản đồng ý này."))
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            member_services.consent_withdraw(
                consent=consent, on=form.cleaned_data["on"], actor=request.user, person=membership.person
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã ghi nhận rút lại sự đồng ý; thông tin nhạy cảm đã được xoá."))
            return redirect("members:detail", unit_code=request.unit.code, code=membership.code)
    context = {
        "unit": request.unit,
        "membership": membership,
        "form": form,
        "title": _("Rút lại sự đồng ý"),
        "allowed": consent.is_active,
        "consent": consent,
        **_trail(request),
    }
    return render(request, "members/action.html", context)


# ---------- Duplicates ----------


@requires("members.change")
def duplicates(request: UnitRequest, unit_code: str) -> HttpResponse:
    groups = selectors.duplicate_groups(unit=request.unit)
    reasons = {
        "id_number": _("Trùng số CCCD/CMND"),
        "name_birth_area": _("Trùng họ tên, năm sinh và địa bàn"),
    }
    context = {
        "unit": request.unit,
        "groups": [
            (
                reasons.get(g.reason, g.reason),
                [
                    Row(
                        i,
                        m,
                        id_shown(m.person.id_number, request.perms),
                        phone_shown(m.person.phone, request.perms),
                    )
                    for i, m in enumerate(g.memberships, start=1)
                ],
            )
            for g in groups
        ],  # fmt: skip
        **_trail(request),
    }
    return render(request, "members/duplicates.html", context)


COMPARED = ("full_name", "birth_year", "gender", "id_number", "phone", "address", "ethnicity", "area",
            "hamlet", "died_on")  # fmt: skip


@requires("members.change")
def merge(request: UnitRequest, unit_code: str) -> HttpResponse:
    """Side by side, then a confirmed POST: the person of ``bo`` is merged into that of ``giu``."""
    keep_code, drop_code = request.GET.get("giu"), request.GET.get("bo")
    if not keep_code or not drop_code:
        messages.info(request, _("Hãy chọn hai hồ sơ cần gộp trong danh sách hồ sơ trùng."))
        return redirect("members:duplicates", unit_code=request.unit.code)
    keep, drop = _member_or_404(keep_code), _member_or_404(drop_code)
    form = MergeConfirmForm(request.POST if request.method == "POST" else None)
    same_person = keep.person_id == drop.person_id
    if not same_person and form.is_bound and form.is_valid():
        try:
            member_services.person_merge(keep=keep, drop=drop, actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã gộp hai hồ sơ vào “%(name)s”.") % {"name": keep.person.full_name})
            return redirect("members:detail", unit_code=request.unit.code, code=keep.code)
    names: dict[tuple[str, Any], str] = {}
    for p in (keep.person, drop.person):
        for area in (p.area, p.hamlet):
            if area is not None:
                names[("orgunits.Area", area.pk)] = area.name
    compared = []
    for name in COMPARED:
        field = Person._meta.get_field(name)
        attname = field.attname
        left = _field_value(Person, name, getattr(keep.person, attname), request.perms, names)
        right = _field_value(Person, name, getattr(drop.person, attname), request.perms, names)
        compared.append((str(field.verbose_name).capitalize(), left, right, left != right))
    context = {
        "unit": request.unit,
        "keep": keep,
        "drop": drop,
        "compared": compared,
        "form": form,
        "swap_url": f"?giu={drop.code}&bo={keep.code}",
        "same_person": same_person,
        **_trail(request),
    }
    return render(request, "members/merge.html", context)
