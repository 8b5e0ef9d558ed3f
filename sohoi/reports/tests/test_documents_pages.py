"""The documents page of a unit's year (/u/<code>/bao-cao/<year>/tai-ve/), its jobs and downloads:
who may start one, whose file is whose, and bad input that changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from sohoi.accounts.services import system_grant_area, user_create
from sohoi.core.models import AuditEvent
from sohoi.members.models import FileJob, JobKind, JobStatus

from .test_documents import YEAR, make_report_world

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def report_world(tree):  # noqa: ANN001, ANN201
    return make_report_world(tree)


def documents_url(unit, year=YEAR):  # noqa: ANN001, ANN201
    return reverse("report_files:documents", args=[unit.code, str(year)])


def report_jobs():  # noqa: ANN201
    with scopes_disabled():
        return list(FileJob.unscoped.filter(kind=JobKind.REPORT))


def test_the_page_offers_the_three_formats(report_world, client_for, binh):
    response = client_for(binh).get(documents_url(report_world.tree.A))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Tải báo cáo năm 2025", "Tạo tệp Word (.docx)", "Tạo tệp PDF", "Tạo tệp Excel (.xlsx)",
                 "số liệu tính đến ngày 31/12/2025"):  # fmt: skip
        assert text in page
    assert "Báo cáo chung" not in page  # A's area has no other association


def test_a_viewer_makes_and_downloads_the_word_report(
    report_world, client_for, binh, django_capture_on_commit_callbacks
):
    client = client_for(binh)
    A = report_world.tree.A
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(documents_url(A), {"format": "docx"})
    (job,) = report_jobs()
    assert response.status_code == 302
    assert response["Location"] == reverse("report_files:job", args=[A.code, job.code])
    page = client.get(response["Location"]).content.decode()
    assert "Đã xong." in page and "Tải tệp Word về" in page
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<section id="job-status"') and "hx-get" not in partial  # finished: no polling
    download = client.get(reverse("report_files:download", args=[A.code, job.code]))
    assert download.status_code == 200 and download["Content-Type"] == DOCX
    assert "bao-cao-tong-ket-2025-hoi-nct-huyen-a.docx" in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[:2] == b"PK"
    with scopes_disabled():
        assert AuditEvent.unscoped.filter(action="report.exported", actor=binh, org_unit=A).count() == 1
        assert (
            AuditEvent.unscoped.filter(
                action="report.export_downloaded", actor=binh, target_code=job.code
            ).count()
            == 1
        )
    # The page lists the user's recent files.
    assert job.input_name in client.get(documents_url(A)).content.decode()


def test_a_running_job_polls_and_shows_its_progress(report_world, client_for, binh):
    A = report_world.tree.A
    with scopes_disabled():
        job = FileJob.unscoped.create(kind=JobKind.REPORT, org_unit=A, actor=binh, total=100, progress=60,
                                      status=JobStatus.RUNNING, params={"format": "pdf", "year": YEAR},
                                      input_name="bao-cao.pdf")  # fmt: skip
    client = client_for(binh)
    partial = client.get(reverse("report_files:job", args=[A.code, job.code]), headers={"HX-Request": "true"})
    text = partial.content.decode()
    assert 'hx-trigger="every 2s"' in text and 'value="60"' in text
    # Not ready yet: the download link sends back to the job page.
    response = client.get(reverse("report_files:download", args=[A.code, job.code]))
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.code}/")


def test_another_users_job_does_not_exist(
    report_world, client_for, binh, chi, django_capture_on_commit_callbacks
):
    A = report_world.tree.A
    with django_capture_on_commit_callbacks(execute=True):
        client_for(chi).post(documents_url(A), {"format": "pdf"})
    (job,) = report_jobs()
    client = client_for(binh)
    assert client.get(reverse("report_files:job", args=[A.code, job.code])).status_code == 404
    assert client.get(reverse("report_files:download", args=[A.code, job.code])).status_code == 404


def test_an_outsider_gets_404_and_starts_nothing(report_world, client_for, an):
    client = client_for(an)
    A = report_world.tree.A
    assert client.get(documents_url(A)).status_code == 404
    assert client.post(documents_url(A), {"format": "docx"}).status_code == 404
    assert report_jobs() == []


def test_a_job_of_another_unit_is_not_found_from_a_sibling(report_world, client_for, an, chi,
                                                         django_capture_on_commit_callbacks):  # fmt: skip
    A, B = report_world.tree.A, report_world.tree.B
    with django_capture_on_commit_callbacks(execute=True):
        client_for(an).post(documents_url(B), {"format": "xlsx"})
    (job,) = report_jobs()
    # chi may open A's pages, but B's job under A's address does not exist.
    assert client_for(chi).get(reverse("report_files:job", args=[A.code, job.code])).status_code == 404


def test_a_year_that_is_not_one_explains_itself(report_world, client_for, binh):
    client = client_for(binh)
    A = report_world.tree.A
    for text, message in (("hai-nghin", "Năm phải từ 1980 đến 2100."), ("1975", "Năm phải từ 1980 đến 2100."),
                          ("2099", "Năm 2099 chưa đến")):  # fmt: skip
        response = client.get(documents_url(A, text))
        assert response.status_code == 404
        assert message in response.content.decode()
        assert client.post(documents_url(A, text), {"format": "docx"}).status_code == 404
    assert report_jobs() == []


def test_an_unknown_format_is_refused_with_a_message(report_world, client_for, binh):
    response = client_for(binh).post(documents_url(report_world.tree.A), {"format": "odt"})
    assert response.status_code == 400
    assert "Hãy chọn một loại tệp" in response.content.decode()
    assert report_jobs() == []


def test_a_joint_report_needs_the_associations_of_the_area(report_world, client_for, binh):
    response = client_for(binh).post(documents_url(report_world.tree.A), {"format": "docx", "joint": "1"})
    assert response.status_code == 400
    assert "không có báo cáo chung" in response.content.decode()
    assert report_jobs() == []


def test_the_peoples_committee_makes_the_joint_report(
    report_world, client_for, django_capture_on_commit_callbacks
):
    ubnd = user_create(username="ubnd", full_name="UBND xã An Phú", password="Mật-khẩu-dài-2026", actor=None)
    system_grant_area(user=ubnd, role="viewer", area=report_world.area)
    A1 = report_world.tree.A1
    client = client_for(ubnd)
    page = client.get(documents_url(A1)).content.decode()
    assert "Báo cáo chung các hội đặc thù Xã An Phú" in page and "Hội Khuyến học xã An Phú" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(documents_url(A1), {"format": "docx", "joint": "1"})
    (job,) = report_jobs()
    assert job.status == JobStatus.DONE and job.input_name == "bao-cao-tong-ket-2025-cac-hoi-xa-an-phu.docx"
    download = client.get(reverse("report_files:download", args=[A1.code, job.code]))
    assert response.status_code == 302 and download.status_code == 200

    import io

    from docx import Document

    lines = [p.text for p in Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs]
    assert "I. HỘI KHUYẾN HỌC XÃ AN PHÚ" in lines and "II. HỘI NCT XÃ A1" in lines
