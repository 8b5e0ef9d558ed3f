from __future__ import annotations

from django.urls import path

from .views import accounts

app_name = "accounts"

urlpatterns = [
    path("tai-khoan/dang-nhap/", accounts.LoginView.as_view(), name="login"),
    path("tai-khoan/dang-xuat/", accounts.LogoutView.as_view(), name="logout"),
    path("tai-khoan/doi-mat-khau/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "tai-khoan/doi-mat-khau/xong/", accounts.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("tai-khoan/chu-lon/", accounts.large_text, name="large_text"),
    path("tai-khoan/ma-api/", accounts.token_list, name="tokens"),
    path("tai-khoan/ma-api/da-tao/", accounts.token_created, name="token_created"),
    path("tai-khoan/ma-api/<str:token_code>/thu-hoi/", accounts.token_revoke, name="token_revoke"),
    path("tai-khoan/nhat-ky-dang-nhap/", accounts.login_log, name="login_log"),
    path("u/<str:unit_code>/nguoi-dung/", accounts.user_list, name="users"),
    path("u/<str:unit_code>/nguoi-dung/them/", accounts.user_create, name="user_create"),
    path("u/<str:unit_code>/nguoi-dung/<str:user_code>/", accounts.user_detail, name="user_detail"),
    path(
        "u/<str:unit_code>/nguoi-dung/<str:user_code>/mat-khau/",
        accounts.user_reset_password,
        name="user_reset_password",
    ),
    path(
        "u/<str:unit_code>/nguoi-dung/<str:user_code>/trang-thai/",
        accounts.user_set_active,
        name="user_set_active",
    ),
    path(
        "u/<str:unit_code>/nguoi-dung/<str:user_code>/quyen/<str:grant_code>/thu-hoi/",
        accounts.grant_revoke,
        name="grant_revoke",
    ),
    path("u/<str:unit_code>/nhat-ky/", accounts.audit_log, name="audit"),
]
