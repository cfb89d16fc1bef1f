"""A report after sending: the confirmation where the citizen lands, its reference number, the
author's link to follow it, and what a stranger holding only the reference can (not) read."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import services as contract_services
from participation import follow, services
from participation.models import FollowUp, Moderation, Report
from tests.factories import make_operator, make_process, planning_fields

BODY = "Talud sungai di belakang SD ambrol sepanjang lima meter."
CONTACT = "pelapor.rahasia@contoh.id"


@pytest.fixture
def package():
    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(health, **planning_fields(title="Rehabilitasi Puskesmas Dander"))
    contract_services.publish_process(process=process, by=make_operator(health))
    return process


def send(client, process, **fields):
    data = {
        "topic": "kualitas_pekerjaan",
        "body": BODY,
        "place": "Desa Sumberarum",
        "name": "Bu Lastri",
        "contact": CONTACT,
        "key": str(uuid.uuid4()),
        **fields,
    }
    return client.post(reverse("participation:report", args=[process.pk]), data)


def moderate(report, moderation, *, answer="", reason=""):
    services.moderate(
        report=report,
        by=make_operator(report.process.agency),
        moderation=moderation,
        rejection_reason=reason,
        status=FollowUp.IN_PROGRESS,
        answer=answer,
    )


@pytest.mark.django_db
def test_the_reference_is_the_year_sent_in_jakarta_and_the_id(package):
    report = Report.objects.create(pk=123, process=package, topic="komentar", body=BODY)
    # 18:30 UTC on New Year's Eve is already 1 January 2026 in Bojonegoro (UTC+7).
    sent = datetime.datetime(2025, 12, 31, 18, 30, tzinfo=datetime.UTC)
    Report.objects.filter(pk=123).update(created_at=sent)
    report.refresh_from_db()
    assert report.reference == "LAP-2026-000123"
    big = Report.objects.create(pk=1_234_567, process=package, topic="komentar", body=BODY)
    Report.objects.filter(pk=big.pk).update(created_at=sent)
    big.refresh_from_db()
    assert big.reference == "LAP-2026-1234567"
    assert follow.parse("LAP-2026-000123") == 123
    for wrong in ["LAP-2026-123", "lap-2026-000123", "LAP-26-000123", "LAP-2026-000123/x", ""]:
        assert follow.parse(wrong) is None


@pytest.mark.django_db
def test_after_sending_the_citizen_lands_on_the_confirmation_with_reference_and_link(
    client, package
):
    response = send(client, package)
    report = Report.objects.get()
    ref = report.reference
    assert re.fullmatch(r"LAP-\d{4}-\d{6}", ref)
    location = response["Location"]
    assert response.status_code == 302
    assert location.startswith(f"/laporan/{ref}/?kunci=") and location.endswith(
        "&terkirim=1#laporan-terkirim"
    )
    html = client.get(location).content.decode()
    assert '<section class="report-sent" id="laporan-terkirim"' in html
    assert f"<strong data-reference>{ref}</strong>" in html
    link = re.search(r'<a href="([^"]+)" data-follow>', html).group(1)
    assert link.startswith(f"http://testserver/laporan/{ref}/?kunci=") and "terkirim" not in link

    # The link, opened later, shows the author their report and its state; never the contact.
    response = client.get(link)
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert BODY in page and "Menunggu pemeriksaan perangkat daerah" in page
    assert "laporan-terkirim" not in page
    assert CONTACT not in page and CONTACT not in html

    moderate(report, Moderation.PUBLISHED, answer="Talud diperbaiki pekan depan.")
    page = client.get(link).content.decode()
    assert "Diterbitkan di halaman paket" in page and "Ditindaklanjuti" in page
    assert "Talud diperbaiki pekan depan." in page and CONTACT not in page


@pytest.mark.django_db
def test_a_reference_alone_opens_no_unpublished_report(client, package):
    send(client, package)
    report = Report.objects.get()
    ref = report.reference
    bare = reverse("participation:follow", args=[ref])
    other = Report.objects.create(process=package, topic="komentar", body="Laporan lain.")
    for url in [
        bare,
        f"{bare}?kunci=",
        f"{bare}?kunci=bukan-kunci",
        f"{bare}?kunci={follow.key(other.reference)}",  # another report's key
        f"{bare}?kunci={follow.key(ref)}x",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert BODY not in response.content.decode()
    # A reference of the right shape but the wrong year or padding names nothing.
    year = int(ref[4:8])
    for alias in [f"LAP-{year - 1}-{report.pk:06d}", f"LAP-{year}-{report.pk:07d}"]:
        assert client.get(f"/laporan/{alias}/?kunci={follow.key(alias)}").status_code == 404

    # Rejected: still nothing to a stranger; the author learns it was not published, not the
    # moderator's reason (written for the workspace).
    moderate(report, Moderation.REJECTED, reason="Menyebut nama pribadi pejabat.")
    assert client.get(bare).status_code == 404
    page = client.get(follow.author_url(report)).content.decode()
    assert "Tidak diterbitkan setelah diperiksa" in page
    assert "Menyebut nama pribadi" not in page

    # Published: it is on the package's page anyway, so the reference alone shows it.
    moderate(report, Moderation.PUBLISHED, answer="Sudah kami periksa.")
    page = client.get(bare).content.decode()
    assert BODY in page and "Bu Lastri" in page and "Sudah kami periksa." in page
    assert CONTACT not in page and "Tidak diterbitkan" not in page


@pytest.mark.django_db
def test_a_refused_report_lands_on_its_first_error_with_the_cursor_in_the_field(client, package):
    response = send(client, package, body="Pendek", contact="bukan surel@")
    html = response.content.decode()
    assert response.status_code == 400
    # The form posts to #kesalahan-laporan, which the refusal puts on the first field in error
    # (its message and its input); the summary above names every error with a link.
    assert f'action="/paket/{package.pk}/lapor/#kesalahan-laporan"' in html
    assert html.count('id="kesalahan-laporan"') == 1
    anchored = re.search(r'<div id="kesalahan-laporan">(.*?)</textarea>', html, re.S).group(1)
    assert "paling sedikit 10 karakter" in anchored and 'name="body"' in anchored
    block = re.search(r'<div class="notice" id="ringkasan-kesalahan-laporan".*?</div>', html, re.S)
    assert '<a href="#id_body">Isi laporan atau komentar</a>' in block.group(0)
    assert '<a href="#id_contact">Surel atau nomor telepon' in block.group(0)
    # The cursor in the first field in error (body comes before contact), and only there.
    assert re.search(r'<textarea name="body"[^>]*autofocus', html)
    assert html.count("autofocus") == 1
    assert re.search(r">\s*Pendek</textarea>", html) and 'value="Bu Lastri"' in html
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_the_report_page_reads_a_fixed_number_of_queries(
    client, package, django_assert_max_num_queries
):
    send(client, package)
    report = Report.objects.get()
    url = follow.author_url(report)
    # The report with its package and agency, whether the package is public, its photos.
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code == 200
    moderate(report, Moderation.PUBLISHED)
    with django_assert_max_num_queries(2):
        assert (
            client.get(reverse("participation:follow", args=[report.reference])).status_code == 200
        )
