"""Routes of the member register: list, member page, forms, lifecycle actions, duplicates."""

from __future__ import annotations

from django.urls import path, register_converter

from .views import members


class MemberCode:
    """A membership's public code (core.models.new_code: 10 letters and digits), so the word
    routes beside it (xuat/, the/, them/) never read as a member."""

    regex = "[a-hjkmnp-z2-9]{10}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MemberCode, "member_code")

app_name = "members"

BASE = "u/<str:unit_code>/hoi-vien/"
MEMBER = BASE + "<member_code:code>/"

urlpatterns = [
    path(BASE, members.member_list, name="list"),
    path(BASE + "them/", members.member_create, name="create"),
    path(BASE + "trung/", members.duplicates, name="duplicates"),
    path(BASE + "trung/gop/", members.merge, name="merge"),
    path(MEMBER, members.member_detail, name="detail"),
    path(MEMBER + "sua/", members.member_edit, name="edit"),
    path(MEMBER + "chuyen/", members.member_transfer, name="transfer"),
    path(MEMBER + "thoi/", members.member_leave, name="leave"),
    path(MEMBER + "tu-tran/", members.member_death, name="death"),
    path(MEMBER + "vao-lai/", members.member_rejoin, name="rejoin"),
    path(MEMBER + "danh-du/", members.member_honorary, name="honorary"),
    path(MEMBER + "khoi-phuc/<int:history_id>/", members.member_restore, name="restore"),
    path(MEMBER + "dong-y/them/", members.consent_add, name="consent_add"),
    path(MEMBER + "dong-y/<int:consent_id>/rut/", members.consent_withdraw, name="consent_withdraw"),
]
