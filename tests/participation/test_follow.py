"""A report after sending: the confirmation where the citizen lands, its reference number, the
author's link to follow it, and what a stranger holding only the reference can (not) read."""

import datetime
import io
import re
import time
import uuid
from unittest import mock

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

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


def jpeg(size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_refused_reports_photos_are_kept_for_the_next_try(client, package, media_root):
    photo = SimpleUploadedFile("talud.jpg", jpeg(), content_type="image/jpeg")
    refused = send(client, package, contact="12ab", photos=[photo])
    html = refused.content.decode()
    assert refused.status_code == 400
    assert '<p data-staged="1">1 foto yang lolos pemeriksaan disimpan sementara' in html
    (token,) = re.findall(r'<input type="hidden" name="foto_sementara" value="([^"]+)">', html)
    assert Report.objects.count() == 0
    stored = [p for p in (media_root / "laporan").iterdir()]
    assert len(stored) == 1  # the cleaned photo, waiting under laporan/

    # Sent again, the contact put right and no photo chosen: the kept one goes with it.
    response = send(client, package, foto_sementara=[token])
    assert response.status_code == 302
    report = Report.objects.get()
    (attached,) = report.photos.all()
    assert (attached.content_type, attached.width, attached.height) == ("image/jpeg", 64, 48)
    assert attached.file.name == f"laporan/{stored[0].name}"
    assert attached.size == stored[0].stat().st_size


@pytest.mark.django_db
def test_a_forged_or_stale_kept_photo_is_named_not_attached(client, package, media_root):
    photo = SimpleUploadedFile("talud.jpg", jpeg(), content_type="image/jpeg")
    html = send(client, package, contact="12ab", photos=[photo]).content.decode()
    (token,) = re.findall(r'name="foto_sementara" value="([^"]+)"', html)
    forged = signing.dumps(
        {
            "name": "laporan/milik-orang-lain.jpg",
            "type": "image/jpeg",
            "width": 1,
            "height": 1,
            "size": 1,
        },
        salt="bukan-garam-portal",
        compress=True,
    )
    for bad in [forged, token + "x"]:
        response = send(client, package, foto_sementara=[bad])
        assert response.status_code == 400
        assert "1 foto yang disimpan sementara sudah kedaluwarsa" in response.content.decode()
    # Kept more than an hour: the orphan sweep may have deleted it, so it is not honoured.
    later = time.time() + 3601
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = send(client, package, foto_sementara=[token])
    assert response.status_code == 400 and "kedaluwarsa" in response.content.decode()
    assert Report.objects.count() == 0
    # Three kept and one more chosen: four photos, one too many. The same one named twice is
    # one photo.
    three = [SimpleUploadedFile(f"{n}.jpg", jpeg(), content_type="image/jpeg") for n in "abc"]
    html = send(client, package, contact="12ab", photos=three).content.decode()
    tokens = re.findall(r'name="foto_sementara" value="([^"]+)"', html)
    assert len(tokens) == 3
    photo = SimpleUploadedFile("lagi.jpg", jpeg(), content_type="image/jpeg")
    response = send(client, package, foto_sementara=tokens, photos=[photo])
    assert response.status_code == 400 and "Paling banyak 3 foto" in response.content.decode()
    assert send(client, package, foto_sementara=[token, token]).status_code == 302
    assert Report.objects.get().photos.count() == 1
