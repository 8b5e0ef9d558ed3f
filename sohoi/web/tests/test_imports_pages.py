from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sohoi.members.models import FileJob, JobKind, JobStatus, Membership
from sohoi.members.tests.test_importing import HEADINGS, ROWS, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def upload_url(unit):
    return reverse("imports:upload", args=[unit.code])


def job_url(unit, job, name="imports:job"):
    return reverse(name, args=[unit.code, job.code])


def upload(client, unit, path, capture):
    with capture(execute=True):
        response = client.post(upload_url(unit), {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    return response


def test_the_upload_page_shows_the_form_to_an_editor(tree, dung, client_for):
    response = client_for(dung).get(upload_url(tree.A1))
    assert response.status_code == 200
    assert 'accept=".xlsx,.xlsm,.xls,.ods,.csv"' in response.content.decode()


def test_a_viewer_may_not_import(tree, binh, client_for):
    assert client_for(binh).get(upload_url(tree.A1)).status_code == 403


def test_an_upload_without_a_file_shows_the_form_again_with_a_message(tree, dung, client_for):
    response = client_for(dung).post(upload_url(tree.A1), {})
    assert response.status_code == 200 and "Hãy chọn tệp danh sách." in response.content.decode()
    assert not FileJob.unscoped.exists()


def test_a_file_too_large_is_refused_with_its_size(tree, dung, client_for, settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 10
    path = write_csv(tmp_path / "ds.csv", ROWS)
    response = client_for(dung).post(
        upload_url(tree.A1), {"file": SimpleUploadedFile("ds.csv", path.read_bytes())}
    )
    assert "Tệp lớn quá" in response.content.decode() and not FileJob.unscoped.exists()


def test_another_kind_of_file_is_refused(tree, dung, client_for):
    upload_ = SimpleUploadedFile("anh.png", b"\x89PNG")
    response = client_for(dung).post(upload_url(tree.A1), {"file": upload_})
    assert "Chỉ nhận tệp" in response.content.decode()


def test_upload_preview_and_commit(tree, dung, client_for, django_capture_on_commit_callbacks, tmp_path):
    client = client_for(dung)
    response = upload(
        client, tree.A1, write_csv(tmp_path / "ds.csv", ROWS), django_capture_on_commit_callbacks
    )
    job = FileJob.unscoped.get(kind=JobKind.IMPORT)
    assert response.status_code == 302 and response["Location"] == job_url(tree.A1, job)
    assert job.status == JobStatus.READY and job.actor == dung and job.org_unit == tree.A1
    assert (tmp_path / "media" / "jobs" / job.code).is_dir()
    page = client.get(job_url(tree.A1, job)).content.decode()
    assert "Ghi vào sổ" in page and "Không có ngày vào hội" in page and "Họ và tên" in page
    assert not Membership.unscoped.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job_url(tree.A1, job, "imports:confirm"))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["created"] == 3
    assert Membership.unscoped.filter(org_unit=tree.A1).count() == 3
    page = client.get(job_url(tree.A1, job)).content.decode()
    assert "Đã ghi vào sổ." in page and f"/u/{tree.A1.code}/hoi-vien/" in page
    assert not (tmp_path / "media" / "jobs" / job.code).exists()


def test_a_file_with_errors_lists_them_and_cannot_be_written(
    tree, dung, client_for, django_capture_on_commit_callbacks, tmp_path
):
    rows = [*ROWS, [4, "Phạm Văn Bốn", "31/02/1950", "Nam", "", "", "2015"]]
    client = client_for(dung)
    upload(client, tree.A1, write_csv(tmp_path / "ds.csv", rows), django_capture_on_commit_callbacks)
    job = FileJob.unscoped.get(kind=JobKind.IMPORT)
    page = client.get(job_url(tree.A1, job)).content.decode()
    assert "disabled" in page and "Có 1 lỗi" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url(tree.A1, job, "imports:confirm"))
    job.refresh_from_db()
    assert job.status == JobStatus.READY and not Membership.unscoped.exists()


def test_an_unreadable_file_fails_with_a_clear_reason(
    tree, dung, client_for, django_capture_on_commit_callbacks, tmp_path
):
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 broken")
    client = client_for(dung)
    upload(client, tree.A1, broken, django_capture_on_commit_callbacks)
    job = FileJob.unscoped.get(kind=JobKind.IMPORT)
    assert job.status == JobStatus.FAILED and job.message
    assert job.message in client.get(job_url(tree.A1, job)).content.decode()


def test_changing_a_sheet_unit_and_a_column_checks_again(
    tree, dung, client_for, django_capture_on_commit_callbacks, tmp_path
):
    client = client_for(dung)
    path = write_xlsx(tmp_path / "ds.xlsx", {"Danh sách": [HEADINGS, *ROWS]})
    upload(client, tree.A1, path, django_capture_on_commit_callbacks)
    job = FileJob.unscoped.get(kind=JobKind.IMPORT)
    columns = {f"col-0-{c['index']}": c["field"] for c in job.result["sheets"][0]["columns"]}
    columns["col-0-5"] = ""  # ignore the phone column
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job_url(tree.A1, job, "imports:recheck"), {"unit-0": tree.A1.code, **columns})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.READY and job.params["columns"]["Danh sách"]["5"] == ""
    assert all(column["field"] != "phone" for column in job.result["sheets"][0]["columns"])
    columns["col-0-1"] = ""
    response = client.post(job_url(tree.A1, job, "imports:recheck"), {"unit-0": tree.A1.code, **columns})
    assert "phải chọn cột Họ và tên" in response.content.decode()


def test_the_progress_part_polls_while_working_and_reloads_when_done(tree, dung, client_for):
    job = FileJob.unscoped.create(
        kind=JobKind.IMPORT, org_unit=tree.A1, status=JobStatus.RUNNING, progress=4000
    )
    client = client_for(dung)
    response = client.get(job_url(tree.A1, job, "imports:progress"))
    assert "hx-trigger" in response.content.decode() and "4000" in response.content.decode()
    assert "HX-Refresh" not in response
    page = client.get(job_url(tree.A1, job)).content.decode()
    assert "<progress" in page
    FileJob.unscoped.filter(pk=job.pk).update(status=JobStatus.READY)
    assert client.get(job_url(tree.A1, job, "imports:progress"))["HX-Refresh"] == "true"


def test_another_units_job_is_not_found(tree, dung, an, client_for):
    job = FileJob.unscoped.create(kind=JobKind.IMPORT, org_unit=tree.A1, status=JobStatus.READY)
    assert client_for(an).get(job_url(tree.A1, job)).status_code == 404
    other = FileJob.unscoped.create(kind=JobKind.IMPORT, org_unit=tree.B1, status=JobStatus.READY)
    assert client_for(dung).get(job_url(tree.A1, other)).status_code == 404
    export = FileJob.unscoped.create(kind=JobKind.EXPORT, org_unit=tree.A1)
    assert client_for(dung).get(job_url(tree.A1, export)).status_code == 404
