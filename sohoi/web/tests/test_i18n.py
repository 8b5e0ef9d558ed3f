"""The interface in English: msgids are Vietnamese, sohoi/locale/en holds the English catalogue.

The page tests pick the language the three ways a browser does (Accept-Language, the language
cookie, the /i18n/setlang/ switch) and check a set of labels on each page. The catalogue tests
read the committed .po and .mo without polib: every message is translated, placeholders survive,
and the compiled .mo says exactly what the .po says (so `compilemessages` was not forgotten).
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
# Letters only Vietnamese uses (English text and the ASCII of URLs never contain them).
VIETNAMESE_LETTERS = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
    "ÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ]"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def body_of(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def assert_english(html: str, present: list[str], absent: list[str]) -> None:
    assert '<html lang="en"' in html
    for text in present:
        assert text in html, f"missing English text: {text!r}"
    for text in absent:
        assert text not in html, f"Vietnamese label left in the English page: {text!r}"


# ---------- Pages ----------


def test_login_page_is_vietnamese_by_default(client):
    html = body_of(client.get(LOGIN))
    assert '<html lang="vi"' in html
    assert "Nhập tên đăng nhập và mật khẩu do quản trị viên cấp cho bạn." in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html
    assert "Enter the username and password" not in html


def test_login_page_is_english_with_the_language_cookie(client):
    html = body_of(english(client).get(LOGIN))
    assert_english(
        html,
        present=[
            "<title>Log in – SổHội</title>",
            "Enter the username and password your administrator gave you.",
            "Username",
            "Password",
            "Skip to main content",
            "Larger text",
        ],
        absent=[
            "Đăng nhập",
            "Tên đăng nhập",
            "Mật khẩu",
            "Quên mật khẩu",
            "Bỏ qua, đến nội dung chính",
            "Chữ to hơn",
        ],
    )
    # Nothing on the login page is data, so no Vietnamese letter may be left in its content.
    assert not VIETNAMESE_LETTERS.search(main_of(html))


def test_a_phone_set_to_english_still_gets_vietnamese_until_the_user_switches(client):
    # Accept-Language is ignored: only the switch (the language cookie) chooses English.
    html = body_of(client.get(LOGIN, headers={"accept-language": "en-GB,en;q=0.9"}))
    assert '<html lang="vi"' in html
    assert "Nhập tên đăng nhập" in html


def test_a_language_the_site_does_not_offer_falls_back_to_vietnamese(client):
    html = body_of(client.get(LOGIN, headers={"accept-language": "fr-FR,fr;q=0.9"}))
    assert '<html lang="vi"' in html
    assert "Đăng nhập" in html


def test_the_language_switch_remembers_english_and_can_go_back(client):
    assert '<html lang="vi"' in body_of(client.get(LOGIN))
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Enter the username and password" in body_of(client.get(LOGIN))
    client.post(reverse("set_language"), {"language": "vi", "next": LOGIN})
    html = body_of(client.get(LOGIN))
    assert '<html lang="vi"' in html and "Nhập tên đăng nhập" in html


def test_a_wrong_password_is_refused_in_english(client, chi):
    html = body_of(english(client).post(LOGIN, {"username": "chi", "password": "sai-mat-khau"}))
    assert "Wrong username or password." in html
    assert "Tên đăng nhập hoặc mật khẩu không đúng" not in html
    assert "_auth_user_id" not in client.session


def test_home_page_is_english(client_for, chi, tree):
    html = body_of(english(client_for(chi)).get(reverse("web:home")))
    assert_english(
        html,
        present=[
            "Hello, Chi",
            "The units within your reach.",
            "<dt>Association</dt>",
            "<dt>Level</dt>",
            "<dd>District</dd>",
            "Active",
            "No area assigned",
            "Log out",
            "Change password",
            "API tokens",
        ],
        absent=[
            "Xin chào",
            "Các đơn vị bạn được làm việc",
            "Đăng xuất",
            "Đổi mật khẩu",
            "Đang hoạt động",
            "Chưa gắn địa bàn",
            "Quận/huyện",
            "Trang chủ",
        ],
    )
    assert "Hội NCT huyện A" in html  # unit names are data and stay as written


def test_home_page_is_vietnamese_by_default(client_for, chi, tree):
    html = body_of(client_for(chi).get(reverse("web:home")))
    assert '<html lang="vi"' in html
    assert "Xin chào, Chi" in html and "Quận/huyện" in html and "Đăng xuất" in html


def test_unit_page_is_english(client_for, chi, tree):
    html = body_of(english(client_for(chi)).get(reverse("units:detail", args=[tree.A.code])))
    assert_english(
        html,
        present=[
            "<h1>Hội NCT huyện A</h1>",
            "Parent unit",
            "Unit code",
            "Unit actions",
            "History",
            "Rename, change area",
            "Subunits",
            "Current unit:",
        ],
        absent=[
            "Trực thuộc",
            "Mã đơn vị",
            "Thao tác với đơn vị",
            "Lịch sử",
            "Đổi tên, địa bàn",
            "Đơn vị trực thuộc",
            "Đơn vị đang xem",
            "Quận/huyện",
        ],
    )


def test_unit_history_is_english(client_for, chi, tree):
    html = body_of(english(client_for(chi)).get(reverse("units:history", args=[tree.A1.code])))
    assert_english(
        html, present=["History of Hội NCT xã A1", "Establishment"], absent=["Lịch sử của", "Thành lập"]
    )


def test_404_is_english(client):
    html = body_of(english(client).get("/khong-co-trang-nay/"), status=404)
    assert_english(
        html,
        present=[
            "<title>Page not found – SổHội</title>",
            "Page not found, or you do not have access to it",
            "Back to the home page",
        ],
        absent=["Không tìm thấy trang", "Về trang chủ", "Địa chỉ có thể đã gõ sai"],
    )
    assert not VIETNAMESE_LETTERS.search(main_of(html))


def test_404_is_vietnamese_by_default(client):
    html = body_of(client.get("/khong-co-trang-nay/"), status=404)
    assert '<html lang="vi"' in html
    assert "Không tìm thấy trang hoặc bạn không có quyền truy cập" in html


def test_unit_of_another_branch_is_the_same_english_404_as_a_missing_one(client_for, an, tree):
    client = english(client_for(an))
    foreign = body_of(client.get(reverse("units:detail", args=[tree.A.code])), status=404)
    missing = body_of(client.get("/u/khongco/"), status=404)
    assert "Page not found, or you do not have access to it" in foreign
    assert "Hội NCT huyện A" not in foreign
    assert main_of(foreign) == main_of(missing)


def test_403_is_english(client_for, binh, tree):
    html = body_of(english(client_for(binh)).get(reverse("accounts:users", args=[tree.A.code])), status=403)
    assert_english(
        html,
        present=[
            "You are not allowed to do this",
            "You are not allowed to perform this action in this unit.",
        ],
        absent=["Bạn không có quyền"],
    )


def test_service_errors_follow_the_active_language(tree):
    from sohoi.core.errors import DomainError
    from sohoi.core.scoping import unit_scope
    from sohoi.orgunits.models import OrgUnit, UnitLevel
    from sohoi.orgunits.services import orgunit_create

    with unit_scope(tree.A):
        children_before = OrgUnit.objects.filter(parent=tree.A).count()
        for language, message in [
            ("en", "The unit name must not be empty."),
            ("vi", "Tên đơn vị không được để trống."),
        ]:
            with translation.override(language), pytest.raises(DomainError) as caught:
                orgunit_create(parent=tree.A, name="  ", level=UnitLevel.BRANCH, area=None, actor=None)
            assert caught.value.message == message
        assert OrgUnit.objects.filter(parent=tree.A).count() == children_before


# ---------- The catalogue ----------


@dataclass
class Entry:
    msgctxt: str | None
    msgid: str
    msgid_plural: str | None
    msgstr: list[str]
    flags: set[str]

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header and obsolete entries left out); enough of the format for ours."""
    entries: list[Entry] = []
    fields: dict[str, list[str]] = {}
    flags: set[str] = set()
    last = ""

    def flush() -> None:
        nonlocal fields, flags
        if "msgid" in fields:
            text = {name: "".join(ast.literal_eval(part) for part in parts) for name, parts in fields.items()}
            plural = "msgid_plural" in text
            msgstr = (
                [text[k] for k in sorted(k for k in text if k.startswith("msgstr["))]
                if plural
                else [text["msgstr"]]
            )
            if text["msgid"]:
                entries.append(
                    Entry(text.get("msgctxt"), text["msgid"], text.get("msgid_plural"), msgstr, flags)
                )
        fields, flags = {}, set()

    for line in path.read_text(encoding="utf-8").splitlines():
        starts_entry = line.startswith("#") or line.startswith(("msgctxt ", "msgid "))
        if (not line.strip() or starts_entry) and any(name.startswith("msgstr") for name in fields):
            flush()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#") or not line.strip():
            continue
        elif line.startswith('"'):
            fields[last].append(line)
        else:
            last, _, value = line.partition(" ")
            fields[last] = [value]
    flush()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return read_po(CATALOGUE / "django.po")


@pytest.fixture(scope="module")
def mo_catalog() -> gettext.GNUTranslations:
    with open(CATALOGUE / "django.mo", "rb") as mo:
        return gettext.GNUTranslations(mo)


def test_po_reader_reads_multiline_and_plural_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"Một "\n"dòng %(n)s"\nmsgstr "One line %(n)s"\n\n'
        'msgid "đơn vị"\nmsgid_plural "các đơn vị"\nmsgstr[0] "unit"\nmsgstr[1] "units"\n',
        encoding="utf-8",
    )
    first, second = read_po(po)
    assert (first.msgid, first.msgstr, first.flags) == (
        "Một dòng %(n)s",
        ["One line %(n)s"],
        {"fuzzy", "python-format"},
    )
    assert (second.msgid_plural, second.msgstr) == ("các đơn vị", ["unit", "units"])


def test_every_message_has_an_english_translation(po_entries):
    assert len(po_entries) > 400
    untranslated = [e.msgid for e in po_entries if not all(s.strip() for s in e.msgstr)]
    assert untranslated == []
    fuzzy = [e.msgid for e in po_entries if "fuzzy" in e.flags]
    assert fuzzy == []
    plurals = [e.msgid for e in po_entries if e.msgid_plural is not None and len(e.msgstr) != 2]
    assert plurals == []


def test_translations_keep_the_placeholders_and_markup(po_entries):
    for entry in po_entries:
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        expected = sorted(PLACEHOLDER.findall(sources[-1]))
        for text in entry.msgstr:
            assert sorted(PLACEHOLDER.findall(text)) == expected, (entry.msgid, text)
            assert re.findall(r"<[a-z]+", text) == re.findall(r"<[a-z]+", entry.msgid), (entry.msgid, text)


def test_translations_are_english_not_copies_of_the_vietnamese(po_entries):
    # Proper names may stay (Bắc Ninh, Hội Cựu giáo chức), so allow some Vietnamese letters, not a sentence:
    # in Vietnamese prose about a third of the characters carry a diacritic.
    copied = [e.msgid for e in po_entries if e.msgstr[0] == e.msgid and VIETNAMESE_LETTERS.search(e.msgid)]
    assert copied == []
    mostly_vietnamese = [
        e.msgstr[0]
        for e in po_entries
        if len(VIETNAMESE_LETTERS.findall(e.msgstr[0])) > len(e.msgstr[0]) // 5
    ]
    assert mostly_vietnamese == []


def test_committed_mo_is_compiled_from_the_current_po(po_entries, mo_catalog):
    catalog = mo_catalog._catalog  # the parsed message table of the .mo
    expected: dict[object, str] = {}
    for entry in po_entries:
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, n): text for n, text in enumerate(entry.msgstr)})
    compiled = {key: text for key, text in catalog.items() if key != ""}
    assert len(compiled) == len(expected), "run: sohoi compilemessages --ignore=.venv"
    assert compiled == expected, "run: sohoi compilemessages --ignore=.venv"
    assert mo_catalog.gettext("Trang chủ") == "Home"
    assert mo_catalog.gettext("Chi hội") == "Branch"
    assert mo_catalog.gettext("Đơn vị") == "Unit"


def test_django_serves_the_committed_catalogue():
    with translation.override("en"):
        assert translation.gettext("Sáp nhập") == "Merge"
        assert translation.gettext("Tổ hội") == "Group"
    with translation.override("vi"):
        assert translation.gettext("Sáp nhập") == "Sáp nhập"
