"""Citizens' reports: what a citizen may send, what is kept out, and who moderates what."""

import io
import re
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from agencies.models import Agency
from contracts import services as contract_services
from participation import services
from participation.models import FollowUp, Moderation, Report, ReportPhoto
from tests import pdfs
from tests.factories import (
    make_administrator,
    make_operator,
    make_process,
    make_supervisor,
    planning_fields,
)


def jpeg_with_gps(size=(64, 48)):
    """A real JPEG carrying EXIF with a GPS position and a camera serial number."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "KameraUji"  # Make
    exif[0xA431] = "SERIAL-123456"  # BodySerialNumber
    gps = {1: "S", 2: (7.0, 9.0, 0.0), 3: "E", 4: (111.0, 53.0, 0.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 90, 200, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(content, name):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def package(health):
    operator = make_operator(health)
    process = make_process(health, **planning_fields())
    contract_services.publish_process(process=process, by=operator)
    return process


def send(client, process, **fields):
    data = {
        "topic": "kualitas_pekerjaan",
        "body": "Aspal sudah retak dua minggu setelah selesai dikerjakan.",
        "place": "Desa Ngumpakdalem",
        "name": "",
        "contact": "",
        "key": str(uuid.uuid4()),
        **fields,
    }
    return client.post(reverse("participation:report", args=[process.pk]), data)


def page(client, process):
    return client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()


@pytest.mark.django_db
def test_a_report_is_kept_with_clean_photos_and_shown_only_once_published(
    client, package, media_root
):
    response = send(
        client,
        package,
        contact="warga@example.com",
        photos=[upload(jpeg_with_gps(), "jalan.jpg"), upload(png(), "denah.png")],
    )
    assert response.status_code == 302
    # The report's own page, the confirmation where the browser lands (tests/participation/
    # test_follow.py reads it).
    assert response["Location"].endswith("#laporan-terkirim")
    follow = client.get(response["Location"]).content.decode()
    assert "sudah kami terima" in follow
    report = Report.objects.get()
    assert (report.moderation, report.status) == (Moderation.PENDING, FollowUp.NEW)
    assert report.contact == "warga@example.com"
    assert "warga@example.com" not in follow
    assert "Aspal sudah retak" not in page(client, package)  # not before it is checked

    stored = list(ReportPhoto.objects.order_by("pk"))
    assert [p.content_type for p in stored] == ["image/jpeg", "image/png"]
    for photo in stored:
        content = default_storage.open(photo.file.name).read()
        with Image.open(io.BytesIO(content)) as image:
            assert dict(image.getexif()) == {}
            assert "exif" not in image.info and "icc_profile" not in image.info
        assert b"SERIAL-123456" not in content and b"KameraUji" not in content
        assert photo.size == len(content)

    operator = make_operator(package.agency)
    services.moderate(
        report=report,
        by=operator,
        moderation=Moderation.PUBLISHED,
        rejection_reason="",
        status=FollowUp.IN_PROGRESS,
        answer="Kontraktor sudah kami panggil untuk memperbaiki dalam masa pemeliharaan.",
    )
    html = page(client, package)
    assert "Aspal sudah retak" in html and "Ditindaklanjuti" in html
    assert "Kontraktor sudah kami panggil" in html
    assert "warga@example.com" not in html
    photo_url = reverse("participation:photo", args=[stored[0].pk])
    assert photo_url in html and client.get(photo_url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"body": "Pendek"}, "paling sedikit 10 karakter"),
        ({"body": "x" * 2001}, "paling banyak 2000 karakter"),
        ({"contact": "bukan surel@"}, "Alamat surel tidak valid"),
        ({"contact": "12ab"}, "nomor telepon"),
        ({"topic": "fitnah"}, "Masukkan pilihan yang valid"),
        ({"photos": [upload(pdfs.good_pdf(), "foto.jpg")]}, "bukan foto JPEG/PNG yang utuh"),
        ({"photos": [upload(b"GIF89a" + b"\0" * 64, "a.gif")]}, "bukan foto JPEG/PNG yang utuh"),
        ({"photos": [upload(jpeg_with_gps()[:200], "potong.jpg")]}, "bukan foto JPEG/PNG"),
        ({"photos": [upload(png(), f"{n}.png") for n in range(4)]}, "Paling banyak 3 foto"),
    ],
)
def test_bad_input_is_named_and_nothing_is_kept(client, package, media_root, fields, message):
    response = send(client, package, name="Bu Sri", **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Bu Sri"' in html  # what was typed comes back
    assert Report.objects.count() == 0 and ReportPhoto.objects.count() == 0
    assert not (media_root / "laporan").exists() or not any((media_root / "laporan").iterdir())


@pytest.mark.django_db
def test_pixel_bombs_and_oversized_photos_are_refused(client, package, media_root, settings):
    # 12,000 x 12,000 one-colour pixels: a few hundred bytes that would decode to 432 MB.
    buffer = io.BytesIO()
    Image.new("L", (12_000, 12_000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 300_000
    response = send(client, package, photos=[upload(buffer.getvalue(), "bom.png")])
    assert (
        response.status_code == 400 and "terlalu besar (jumlah piksel)" in response.content.decode()
    )

    settings.REPORT_PHOTO_MAX_BYTES = 1024
    response = send(client, package, photos=[upload(jpeg_with_gps((400, 300)), "besar.jpg")])
    assert response.status_code == 400
    assert "besar.jpg: foto lebih dari 1,0\xa0KB." in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_the_honeypot_keeps_nothing_and_says_nothing_to_the_bot(client, package):
    response = send(client, package, website="http://spam.example")
    assert response.status_code == 302
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_the_same_form_sent_twice_is_one_report(client, package):
    key = str(uuid.uuid4())
    assert send(client, package, key=key).status_code == 302
    assert send(client, package, key=key).status_code == 302
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_reports_are_rate_limited_per_address(client, package, settings):
    settings.REPORT_RATE_LIMIT = (2, 3600)
    assert [send(client, package).status_code for _ in range(2)] == [302, 302]
    refused = send(client, package, body="Laporan ketiga dari alamat yang sama.")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Terlalu banyak laporan dari alamat Anda" in html
    assert "Laporan ketiga dari alamat yang sama." in html  # kept for a later try
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert send(other, package).status_code == 302
    assert Report.objects.count() == 3


@pytest.mark.django_db
def test_the_form_needs_its_csrf_token(package):
    strict = Client(enforce_csrf_checks=True)
    assert send(strict, package).status_code == 403
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_drafts_take_no_reports(client, health):
    draft = make_process(health, **planning_fields())
    assert send(client, draft).status_code == 404


def a_report(process, **fields):
    return Report.objects.create(
        process=process, topic="keterlambatan", body="Belum dikerjakan.", **fields
    )


@pytest.mark.django_db
def test_an_operator_moderates_only_their_own_agencys_reports(client, package):
    own = a_report(package)
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    other_package = make_process(roads, status="published", published_at=package.published_at)
    other = a_report(other_package)
    operator = make_operator(package.agency)

    client.force_login(operator)
    listing = client.get(reverse("admin:participation_report_changelist")).content.decode()
    assert f"/admin/participation/report/{own.pk}/change/" in listing
    assert f"/admin/participation/report/{other.pk}/change/" not in listing
    assert client.get(
        reverse("admin:participation_report_change", args=[other.pk])
    ).status_code in (
        302,
        403,
        404,
    )
    response = client.post(
        reverse("admin:participation_report_change", args=[other.pk]),
        {"moderation": "terbit", "rejection_reason": "", "status": "selesai", "answer": "x"},
    )
    other.refresh_from_db()
    assert other.moderation == Moderation.PENDING and other.answer == ""
    with pytest.raises(PermissionDenied):
        services.moderate(
            report=other,
            by=operator,
            moderation=Moderation.PUBLISHED,
            rejection_reason="",
            status=FollowUp.DONE,
            answer="",
        )

    response = client.post(
        reverse("admin:participation_report_change", args=[own.pk]),
        {
            "moderation": "terbit",
            "rejection_reason": "",
            "status": "ditindaklanjuti",
            "answer": "Sedang kami periksa ke lapangan.",
        },
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.moderation == Moderation.PUBLISHED and own.answered_by == operator
    assert own.moderated_by == operator and own.answered_at is not None


@pytest.mark.django_db
def test_a_rejection_needs_a_reason_and_stays_private(client, package):
    report = a_report(package)
    client.force_login(make_operator(package.agency))
    url = reverse("admin:participation_report_change", args=[report.pk])
    data = {"moderation": "ditolak", "rejection_reason": "", "status": "baru", "answer": ""}
    response = client.post(url, data)
    assert (
        response.status_code == 200 and "Alasan penolakan wajib diisi" in response.content.decode()
    )
    report.refresh_from_db()
    assert report.moderation == Moderation.PENDING
    client.post(url, {**data, "rejection_reason": "Berisi nomor KTP orang lain."})
    report.refresh_from_db()
    assert report.moderation == Moderation.REJECTED
    assert "Belum dikerjakan." not in page(Client(), package)


@pytest.mark.django_db
def test_supervisors_moderate_everyone_and_see_open_reports_oldest_first(client, package):
    first, second, done, rejected = (a_report(package) for _ in range(4))
    done.status = FollowUp.DONE
    done.save()
    rejected.moderation, rejected.rejection_reason = Moderation.REJECTED, "Kasar"
    rejected.save()
    supervisor = make_supervisor()
    client.force_login(supervisor)
    html = client.get(reverse("participation:open-reports")).content.decode()
    links = re.findall(r"/admin/participation/report/(\d+)/change/", html)
    assert links == [str(first.pk), str(second.pk)]
    services.moderate(
        report=first,
        by=supervisor,
        moderation=Moderation.PUBLISHED,
        rejection_reason="",
        status=FollowUp.DONE,
        answer="Sudah diperbaiki.",
    )
    # An administrator too; an operator of another agency sees none of them.
    client.force_login(make_administrator())
    assert str(second.pk) in client.get(reverse("participation:open-reports")).content.decode()
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    client.force_login(make_operator(roads))
    html = client.get(reverse("participation:open-reports")).content.decode()
    assert re.findall(r"/admin/participation/report/(\d+)/change/", html) == []
    client.logout()
    assert client.get(reverse("participation:open-reports")).status_code == 302


@pytest.mark.django_db
def test_a_photo_is_private_until_its_report_is_published(client, package, media_root):
    send(client, package, photos=[upload(png(), "a.png")])
    photo = ReportPhoto.objects.get()
    url = reverse("participation:photo", args=[photo.pk])
    assert client.get(url).status_code == 404
    operator = make_operator(package.agency)
    client.force_login(operator)
    assert client.get(url).status_code == 200
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    client.force_login(make_operator(roads))
    assert client.get(url).status_code == 404
    client.logout()
    services.moderate(
        report=photo.report,
        by=operator,
        moderation=Moderation.PUBLISHED,
        rejection_reason="",
        status=FollowUp.NEW,
        answer="",
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_an_oversized_report_is_refused_before_the_rate_limit_counts_it(client, settings):
    """Finding 10 of issue 17: no overall size cap came before the report form's rate limit."""
    from opendata.models import RateCounter

    response = client.post(
        "/paket/1/lapor/",
        {"body": "x"},
        CONTENT_LENGTH=str(settings.REPORT_REQUEST_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    assert "lebih dari batas" in response.content.decode()
    assert not RateCounter.objects.exists()
