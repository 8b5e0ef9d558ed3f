"""The export, job, card and verification pages: permissions, scope, audit, the files."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import reverse
from django_scopes import scopes_disabled

from sohoi.core.models import AuditEvent
from sohoi.core.scoping import unit_scope
from sohoi.imports.rows import parse_file
from sohoi.imports.values import PartialDate
from sohoi.members import cards as member_cards
from sohoi.members import exporting
from sohoi.members.models import FileJob, JobKind, JobStatus
from sohoi.members.person_data import PersonInput
from sohoi.members.services import MembershipInput, member_admit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admit(unit, name: str, *, gender: str = "male", year: int = 1950, id_number: str = "001050000777"):
    with unit_scope(unit):
        membership, _warnings = member_admit(
            unit=unit,
            person=PersonInput(full_name=name, birth=PartialDate(year), gender=gender,
                               id_number=id_number, phone="0912000777"),
            membership=MembershipInput(joined=PartialDate(2020, 3, 1), member_number=name[-3:]),
            actor=None,
            confirmed_warnings=True,
        )  # fmt: skip
    return membership


@pytest.fixture
def members(tree):
    return [
        _admit(tree.A1, "Nguyễn Văn Ẩn"),
        _admit(tree.A1, "Trần Thị Hoà", gender="female", year=1948, id_number="001148000778"),
        _admit(tree.B1, "Quách Văn Bêta", id_number="001050000779"),
    ]


def _url(name: str, unit, *args) -> str:
    return reverse(f"member_files:{name}", args=[unit.code, *args])


def _audits(action: str) -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.unscoped.filter(action=action))


def _xlsx_names(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "download.xlsx"
    path.write_bytes(content)
    return [row.full_name for sheet in parse_file(path) for row in sheet.rows]


# ---------- Export ----------


def test_the_export_page_says_how_many_members_the_filter_gives(members, tree, chi, client_for):
    response = client_for(chi).get(_url("export", tree.A) + "?gender=female")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Có 1 hội viên" in page
    assert "?gender=female" in page  # the form posts the same filters
    assert _audits("member.exported") == []


def test_an_exporter_downloads_the_list_and_the_export_is_audited(members, tree, chi, client_for, tmp_path):
    response = client_for(chi).post(_url("export", tree.A) + "?status=active")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith(
        'attachment; filename="danh-sach-hoi-vien-hoi-nct-huyen-a-'
    )
    names = _xlsx_names(response.content, tmp_path)
    assert sorted(names) == ["Nguyễn Văn Ẩn", "Trần Thị Hoà"]
    [event] = _audits("member.exported")
    assert (event.actor_id, event.org_unit_id, event.data["count"]) == (chi.pk, tree.A.pk, 2)
    assert event.data["filters"] == {"status": "active"}


def test_a_viewer_without_the_export_grant_is_refused(members, tree, binh, client_for):
    client = client_for(binh)
    assert client.get(_url("export", tree.A)).status_code == 403
    assert client.post(_url("export", tree.A)).status_code == 403
    assert _audits("member.exported") == []


def test_the_admin_of_the_sibling_unit_gets_404_on_a_export(members, tree, an, client_for):
    client = client_for(an)
    assert client.get(_url("export", tree.A)).status_code == 404
    assert client.post(_url("export", tree.A)).status_code == 404
    assert _audits("member.exported") == []


def test_an_empty_filter_exports_nothing_and_says_so(members, tree, chi, client_for):
    response = client_for(chi).post(_url("export", tree.A) + "?birth_year=1901")
    assert response.status_code == 200
    assert "không có gì để xuất" in response.content.decode()
    assert _audits("member.exported") == []


def test_an_editor_exporter_gets_whole_ids_a_viewer_exporter_gets_them_masked(
    members, tree, client_for, tmp_path
):
    from conftest import _user

    viewer_exporter = _user("vien", tree.A, "viewer", can_export=True)
    response = client_for(viewer_exporter).post(_url("export", tree.A))

    assert response.status_code == 200
    path = tmp_path / "masked.xlsx"
    path.write_bytes(response.content)
    rows = [row for sheet in parse_file(path) for row in sheet.rows]
    assert all(row.cccd is None and row.phone is None for row in rows)


def test_a_large_export_runs_as_a_job_and_is_downloaded_when_done(
    members, tree, chi, client_for, monkeypatch, django_capture_on_commit_callbacks, tmp_path
):
    monkeypatch.setattr(exporting, "DIRECT_EXPORT_LIMIT", 1)
    client = client_for(chi)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("export", tree.A))

    with scopes_disabled():
        job = FileJob.unscoped.get(kind=JobKind.EXPORT)
    assert response.status_code == 302
    assert response["Location"] == _url("export_job", tree.A, job.code)
    assert (job.status, job.progress, job.total, job.actor_id) == (JobStatus.DONE, 2, 2, chi.pk)
    page = client.get(_url("export_job", tree.A, job.code)).content.decode()
    assert _url("export_download", tree.A, job.code) in page
    download = client.get(_url("export_download", tree.A, job.code))
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    assert sorted(_xlsx_names(b"".join(download.streaming_content), tmp_path)) == [
        "Nguyễn Văn Ẩn",
        "Trần Thị Hoà",
    ]
    [event] = _audits("member.exported")
    assert (event.actor_id, event.data["count"]) == (chi.pk, 2)
    assert [e.actor_id for e in _audits("member.export_downloaded")] == [chi.pk]


def test_a_prepared_export_is_only_for_the_user_who_started_it(members, tree, chi, client_for):
    """The file was made with its starter's rights (whole ID numbers): another exporter of the
    same unit gets the 404 of a job that is not there."""
    from conftest import PASSWORD
    from sohoi.accounts.services import user_create

    hue = user_create(username="hue", full_name="Hue", password=PASSWORD, actor=None, unit=tree.A,
                      role="viewer", can_export=True)  # fmt: skip
    with scopes_disabled():
        job = FileJob.unscoped.create(kind=JobKind.EXPORT, org_unit=tree.A, actor=chi, status=JobStatus.DONE)
    client = client_for(hue)
    assert client.get(_url("export", tree.A)).status_code == 200  # hue may export …
    assert client.get(_url("export_job", tree.A, job.code)).status_code == 404  # … but not chi's file
    assert client.get(_url("export_download", tree.A, job.code)).status_code == 404


@pytest.mark.parametrize("query, expected", [
    ("?age=80_89", []),  # the list's own parameter names carry over to the export
    ("?age=70_79&gender=female", ["Trần Thị Hoà"]),
    ("?area=%C2%B2", ["Nguyễn Văn Ẩn", "Trần Thị Hoà"]),  # a superscript digit is no area id: ignored
    ("?status=tat-ca", ["Nguyễn Văn Ẩn", "Trần Thị Hoà"]),
])  # fmt: skip
def test_the_export_takes_the_list_filters_as_the_list_writes_them(
    members, tree, chi, client_for, query, expected
):
    from sohoi.core.scoping import unit_scope
    from sohoi.members.selectors import member_queryset

    response = client_for(chi).get(_url("export", tree.A) + query)
    assert response.status_code == 200
    with unit_scope(tree.A):
        filters = exporting.filters_from_querydict(QueryDict(query.lstrip("?")))
        names = sorted(m.person.full_name for m in member_queryset(unit=tree.A, filters=filters))
    assert names == expected


def test_a_running_job_page_polls_and_its_download_waits(tree, chi, client_for):
    with scopes_disabled():
        job = FileJob.unscoped.create(
            kind=JobKind.EXPORT, org_unit=tree.A, actor=chi, total=5000, progress=1000
        )
    client = client_for(chi)

    partial = client.get(_url("export_job", tree.A, job.code), headers={"HX-Request": "true"})

    assert partial.status_code == 200
    body = partial.content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="20"' in body and "<html" not in body
    download = client.get(_url("export_download", tree.A, job.code))
    assert download.status_code == 302 and download["Location"] == _url("export_job", tree.A, job.code)


def test_a_job_of_another_unit_is_404(tree, chi, an, client_for):
    with scopes_disabled():
        job_a = FileJob.unscoped.create(kind=JobKind.EXPORT, org_unit=tree.A, actor=chi)
    client = client_for(an)
    assert client.get(_url("export_job", tree.B, job_a.code)).status_code == 404
    assert client.get(_url("export_download", tree.B, job_a.code)).status_code == 404
    assert client.get(_url("export_job", tree.A, job_a.code)).status_code == 404
    assert client_for(chi).get(_url("export_job", tree.A, "khongcoviec")).status_code == 404


# ---------- Cards ----------


def test_an_editor_prints_the_cards_of_the_filter_and_it_is_audited(members, tree, dung, client_for):
    response = client_for(dung).post(_url("cards", tree.A) + "?gender=female")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith('attachment; filename="the-hoi-vien-hoi-nct-huyen-a-')
    [event] = _audits("member.cards_printed")
    assert (event.actor_id, event.data["count"], event.data["filters"]) == (
        dung.pk, 1, {"status": "active", "gender": "female"}
    )  # fmt: skip


def test_the_cards_page_shows_the_count_without_printing(members, tree, dung, client_for):
    response = client_for(dung).get(_url("cards", tree.A))
    assert response.status_code == 200 and "Sẽ in 2 thẻ" in response.content.decode()
    assert _audits("member.cards_printed") == []


def test_a_viewer_may_not_print_cards_and_the_sibling_admin_finds_nothing(
    members, tree, binh, an, client_for
):
    assert client_for(binh).post(_url("cards", tree.A)).status_code == 403
    assert client_for(an).post(_url("cards", tree.A)).status_code == 404
    assert _audits("member.cards_printed") == []


def test_too_many_cards_for_one_sheet_asks_to_narrow_the_filter(members, tree, dung, client_for, monkeypatch):
    monkeypatch.setattr(member_cards, "CARDS_LIMIT", 1)
    response = client_for(dung).post(_url("cards", tree.A))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "thu hẹp bộ lọc" in response.content.decode()
    assert _audits("member.cards_printed") == []


# ---------- The public card check ----------


def test_anyone_may_check_a_card_and_sees_only_name_unit_and_status(members, tree, client):
    response = client.get(reverse("member_files:verify", args=[members[0].code]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nguyễn Văn Ẩn" in page and tree.A1.name in page and "Đang sinh hoạt" in page
    for private in ("1950", "001050000777", "0912000777", "0912 000 777", "Ẩn" + "1"):
        assert private not in page
    assert response["X-Robots-Tag"] == "noindex"


def test_an_unknown_card_code_is_404(db, client):
    assert client.get(reverse("member_files:verify", args=["khongcothe"])).status_code == 404


def test_the_export_routes_resolve_to_these_views():
    from django.urls import resolve

    assert resolve("/u/abc/hoi-vien/xuat/").view_name == "member_files:export"
    assert resolve("/u/abc/hoi-vien/the/").view_name == "member_files:cards"
    assert resolve("/u/abc/hoi-vien/xuat/j1/").view_name == "member_files:export_job"
