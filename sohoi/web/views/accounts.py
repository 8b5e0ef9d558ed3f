"""Account pages: login, logout, password, large text, API tokens, users and grants, audit logs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sohoi.accounts import selectors, services
from sohoi.accounts.models import Role
from sohoi.core.errors import DomainError
from sohoi.core.http import AuthenticatedRequest, UnitRequest, requires
from sohoi.web.forms.accounts import (
    GrantCreateForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetActiveForm,
    TokenCreateForm,
    UserCreateForm,
)
from sohoi.web.forms.base import add_domain_error

LARGE_TEXT_COOKIE = "sohoi_large_text"
NEW_TOKEN_SESSION_KEY = "sohoi_new_token"
AUDIT_PAGE_SIZE = 50

ACTION_LABELS: dict[str, Any] = {
    "auth.login": gettext_lazy("Đăng nhập"),
    "auth.login_failed": gettext_lazy("Đăng nhập sai"),
    "auth.logout": gettext_lazy("Đăng xuất"),
    "user.created": gettext_lazy("Tạo người dùng"),
    "user.activated": gettext_lazy("Mở lại tài khoản"),
    "user.deactivated": gettext_lazy("Khoá tài khoản"),
    "user.password_reset": gettext_lazy("Đặt lại mật khẩu"),
    "grant.created": gettext_lazy("Cấp quyền"),
    "grant.revoked": gettext_lazy("Thu hồi quyền"),
    "token.created": gettext_lazy("Tạo mã API"),
    "token.revoked": gettext_lazy("Thu hồi mã API"),
    "unit.created": gettext_lazy("Thành lập đơn vị"),
    "unit.updated": gettext_lazy("Sửa thông tin đơn vị"),
    "unit.moved": gettext_lazy("Chuyển đơn vị sang cấp trên khác"),
    "unit.merged": gettext_lazy("Sáp nhập đơn vị"),
    "unit.merge_received": gettext_lazy("Nhận đơn vị sáp nhập"),
    "unit.split": gettext_lazy("Chia tách đơn vị"),
    "unit.closed": gettext_lazy("Giải thể đơn vị"),
    "area.hamlet_created": gettext_lazy("Thêm thôn, tổ dân phố"),
    "association.created": gettext_lazy("Tạo hội"),
}


def action_label(action: str) -> str:
    """The Vietnamese label of an audit action; an unknown action shows its code rather than nothing."""
    return str(ACTION_LABELS.get(action, action))


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# ---------- Login, logout, password ----------


class LoginView(auth_views.LoginView):
    """Django's login view; django-axes counts failures and answers a lockout with locked_out.html."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logout by POST only (Django's rule); the audit entry comes from the user_logged_out signal."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("Bạn đã đăng xuất."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@require_POST
def large_text(request: HttpRequest) -> HttpResponse:
    """Switch large text on or off with a cookie (works before login and without JavaScript)."""
    response = HttpResponseRedirect(_safe_next(request, reverse("web:home")))
    if request.POST.get("large_text") == "1":
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response


# ---------- Personal API tokens ----------


@login_required
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = services.token_create(user=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # The key is shown once, on the next page, then forgotten.
            request.session[NEW_TOKEN_SESSION_KEY] = {"code": token.code, "key": key}
            return redirect("accounts:token_created")
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": selectors.token_list(user=request.user)}
    )


@never_cache
@login_required
def token_created(request: AuthenticatedRequest) -> HttpResponse:
    shown = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    token = selectors.token_get(user=request.user, code=shown["code"]) if isinstance(shown, dict) else None
    if token is None:
        return redirect("accounts:tokens")
    return render(request, "accounts/token_created.html", {"token": token, "key": shown["key"]})


@require_POST
@login_required
def token_revoke(request: AuthenticatedRequest, token_code: str) -> HttpResponse:
    token = selectors.token_get(user=request.user, code=token_code)
    if token is None:
        raise Http404
    services.token_revoke(token=token, actor=request.user)
    messages.success(
        request, _("Đã thu hồi mã “%(name)s”. Mã này không dùng được nữa.") % {"name": token.name}
    )
    return redirect("accounts:tokens")


# ---------- Users and grants of a unit ----------


@requires("users.manage")
def user_list(request: UnitRequest, unit_code: str) -> HttpResponse:
    return render(
        request, "accounts/users.html", {"unit": request.unit, "rows": selectors.users_with_grants()}
    )


@requires("users.manage")
def user_create(request: UnitRequest, unit_code: str) -> HttpResponse:
    form = UserCreateForm(request.POST or None, unit=request.unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                password=data["password"],
                unit=data["unit"],
                role=data["role"],
                can_export=data["can_export"],
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã tạo người dùng “%(name)s”.") % {"name": user.get_full_name()})
            return redirect("accounts:user_detail", unit_code=request.unit.code, user_code=user.code)
    return render(request, "accounts/user_create.html", {"unit": request.unit, "form": form})


def _user_in_scope(code: str) -> selectors.UserGrants:
    row = selectors.user_grants_get(code=code)
    if row is None:
        raise Http404
    return row


def _render_user_detail(
    request: UnitRequest,
    row: selectors.UserGrants,
    *,
    grant_form: GrantCreateForm | None = None,
    password_form: PasswordResetForm | None = None,
    active_error: str = "",
) -> HttpResponse:
    return render(
        request,
        "accounts/user_detail.html",
        {
            "unit": request.unit,
            "person": row.user,
            "grants": row.grants,
            "grant_form": grant_form or GrantCreateForm(unit=request.unit),
            "password_form": password_form or PasswordResetForm(),
            "active_error": active_error,
            "is_self": row.user.pk == request.user.pk,
        },
    )


@requires("users.manage")
def user_detail(request: UnitRequest, unit_code: str, user_code: str) -> HttpResponse:
    """A user's grants in the subtree; POST adds a grant."""
    row = _user_in_scope(user_code)
    if request.method != "POST":
        return _render_user_detail(request, row)
    form = GrantCreateForm(request.POST, unit=request.unit)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_create(
                user=row.user,
                unit=data["unit"],
                role=data["role"],
                can_export=data["can_export"],
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã cấp quyền."))
            return redirect("accounts:user_detail", unit_code=request.unit.code, user_code=row.user.code)
    return _render_user_detail(request, row, grant_form=form)


@require_POST
@requires("users.manage")
def grant_revoke(request: UnitRequest, unit_code: str, user_code: str, grant_code: str) -> HttpResponse:
    row = _user_in_scope(user_code)
    grant = selectors.grant_get(code=grant_code, user=row.user)
    if grant is None:
        raise Http404
    try:
        services.grant_revoke(grant=grant, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã thu hồi quyền."))
    if selectors.user_grants_get(code=user_code) is None:
        # No grant left in this subtree: the user is no longer ours to show.
        return redirect("accounts:users", unit_code=request.unit.code)
    return redirect("accounts:user_detail", unit_code=request.unit.code, user_code=user_code)


@require_POST
@requires("users.manage")
def user_reset_password(request: UnitRequest, unit_code: str, user_code: str) -> HttpResponse:
    row = _user_in_scope(user_code)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.user_reset_password(
                user=row.user, password=form.cleaned_data["password"], actor=request.user, unit=request.unit
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Đã đặt mật khẩu mới. Hãy báo cho người dùng."))
            return redirect("accounts:user_detail", unit_code=request.unit.code, user_code=row.user.code)
    return _render_user_detail(request, row, password_form=form)


@require_POST
@requires("users.manage")
def user_set_active(request: UnitRequest, unit_code: str, user_code: str) -> HttpResponse:
    row = _user_in_scope(user_code)
    form = SetActiveForm(request.POST)
    if not form.is_valid():
        return _render_user_detail(request, row, active_error=_("Yêu cầu không hợp lệ."))
    is_active = form.cleaned_data["is_active"]
    try:
        services.user_set_active(user=row.user, is_active=is_active, actor=request.user, unit=request.unit)
    except DomainError as error:
        return _render_user_detail(request, row, active_error=error.message)
    if is_active:
        messages.success(request, _("Đã mở lại tài khoản."))
    else:
        messages.success(request, _("Đã khoá tài khoản. Người này không đăng nhập được nữa."))
    return redirect("accounts:user_detail", unit_code=request.unit.code, user_code=row.user.code)


# ---------- Audit logs ----------


def _labelled(page: selectors.AuditPage) -> selectors.AuditPage:
    for event in page.events:
        event.label = action_label(event.action)  # type: ignore[attr-defined]
        event.role_label = Role(event.data["role"]).label if event.data.get("role") in Role.values else ""  # type: ignore[attr-defined]
    return page


@requires("audit.view")
def audit_log(request: UnitRequest, unit_code: str) -> HttpResponse:
    after = selectors.AuditCursor.decode(request.GET.get("sau"))
    page = _labelled(selectors.audit_events(after=after, size=AUDIT_PAGE_SIZE))
    return render(
        request, "accounts/audit.html", {"unit": request.unit, "page": page, "is_first_page": after is None}
    )


@login_required
def login_log(request: AuthenticatedRequest) -> HttpResponse:
    """Site-wide logins and failed logins, for superusers; others get the same 404 as a missing page."""
    if not request.user.is_superuser:
        raise Http404
    after = selectors.AuditCursor.decode(request.GET.get("sau"))
    page = _labelled(selectors.login_events_unscoped(after=after, size=AUDIT_PAGE_SIZE))
    return render(request, "accounts/login_log.html", {"page": page, "is_first_page": after is None})
