import datetime
import io
import random
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from agencies.models import Agency
from contracts import services
from contracts.models import AuditEntry, Payment, ProgressPhoto, ProgressReport, StagedPhoto
from opendata_kontrak import photos
from tests import pdfs
from tests.factories import make_operator, make_process, make_supervisor
from tests.participation.test_reports import jpeg_with_gps, png, upload

PAYMENT = {
    "jenis": "bayar",
    "bayar-label": "Termin I",
    "bayar-sp2d_number": "0042/SP2D/2024",
    "bayar-date": "2024-07-01",
    "bayar-amount": "1.250.000.000",
}


@pytest.fixture
def made():
    health = Agency.objects.get(code="dinas-kesehatan")
    education = Agency.objects.get(code="dinas-pendidikan")
    return {
        "process": make_process(health, title="Rehabilitasi Puskesmas Dander", rup_code="2041234"),
        "other": make_process(education, title="Rehabilitasi SDN Kapas", rup_code="2049999"),
        "operator": make_operator(health, username="operator-dinkes"),
        "stranger": make_operator(education, username="operator-dindik"),
    }


@pytest.mark.django_db
def test_a_payment_typed_the_indonesian_way_is_saved_with_an_audit_entry(client, made):
    client.force_login(made["operator"])
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    response = client.post(url, PAYMENT, follow=True)
    # The form posts to #kesalahan; the redirect names its own fragment, or the browser would
    # keep that one: the page opens on the message, whose block carries the id.
    assert response.redirect_chain[-1][0] == f"{url}#pesan"
    assert re.search(
        r'id="pesan"[^>]*>\s*<p class="message message--success">Pembayaran disimpan',
        response.content.decode(),
    )
    payment = Payment.objects.get(process=made["process"])
    assert (payment.amount, payment.sp2d_number) == (1_250_000_000, "0042/SP2D/2024")
    entry = AuditEntry.objects.get(process=made["process"], action=AuditEntry.Action.CHANGE)
    assert entry.user == made["operator"]


@pytest.mark.django_db
def test_a_refused_form_keeps_what_was_typed_and_says_why_in_indonesian(client, made):
    client.force_login(made["operator"])
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    response = client.post(url, {**PAYMENT, "bayar-amount": "1.250.000.000,50"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tulis jumlah rupiah tanpa sen, mis. 1.250.000.000." in html
    assert 'value="0042/SP2D/2024"' in html and 'value="1.250.000.000,50"' in html
    progress = {
        "jenis": "kemajuan",
        "kemajuan-date": "2024-07-02",
        "kemajuan-physical_percent": "140",
        "kemajuan-financial_percent": "20",
        "kemajuan-note": "Atap selesai",
    }
    response = client.post(url, progress)
    assert response.status_code == 400 and "Atap selesai" in response.content.decode()
    assert not Payment.objects.exists() and not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_only_the_own_agency_operator_writes_and_supervisors_do_not(client, made):
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    client.force_login(made["stranger"])
    assert client.get(url).status_code == 404
    assert client.post(url, PAYMENT).status_code == 404
    client.force_login(make_supervisor())
    assert client.get(url).status_code == 403
    assert client.post(url, PAYMENT).status_code == 403
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_the_picker_lists_own_packages_by_name_or_rup_in_fixed_queries(
    client, made, django_assert_num_queries
):
    client.force_login(made["operator"])
    url = reverse("dashboards:field")
    for n in range(5):
        make_process(made["process"].agency, title=f"Jalan desa {n}", rup_code=f"30{n}")
    # session, user, the user's groups (role), the packages: the same at any list size
    with django_assert_num_queries(4):
        html = client.get(url, {"q": "2041234"}).content.decode()
    with django_assert_num_queries(4):
        client.get(url)
    assert "Rehabilitasi Puskesmas Dander" in html and "Jalan desa" not in html
    # A kode tender finds its package too, and the search's label says so.
    made["process"].tender_code = "10034567"
    made["process"].save(update_fields=["tender_code"])
    html = client.get(url, {"q": "10034567"}).content.decode()
    assert "Rehabilitasi Puskesmas Dander" in html and "tender 10034567" in html
    assert "Cari paket (nama, kode RUP atau kode tender)" in html
    html = client.get(url, {"q": "rehabilitasi"}).content.decode()
    assert "Rehabilitasi SDN Kapas" not in html


@pytest.mark.django_db
def test_the_to_do_links_to_the_field_page(client, made):
    client.force_login(made["operator"])
    html = client.get(reverse("dashboards:todo")).content.decode()
    assert f'href="{reverse("dashboards:field")}"' in html


# --- photos from the camera ----------------------------------------------------------------

PROGRESS = {
    "jenis": "kemajuan",
    "kemajuan-date": "2024-07-02",
    "kemajuan-physical_percent": "45",
    "kemajuan-financial_percent": "30",
    "kemajuan-note": "Atap selesai",
}


def send_progress(client, process, photos, **fields):
    url = reverse("dashboards:field-update", args=[process.pk])
    return client.post(url, {**PROGRESS, **fields, "kemajuan-photos": photos})


@pytest.mark.django_db
def test_the_progress_form_asks_the_camera_for_jpeg_or_png(client, made):
    client.force_login(made["operator"])
    html = client.get(reverse("dashboards:field-update", args=[made["process"].pk])).content
    form = html.decode().split('value="kemajuan"')[0].rsplit("<form", 1)[1]
    assert 'enctype="multipart/form-data"' in form
    photo_input = re.search(r'<input type="file" name="kemajuan-photos"[^>]*>', html.decode())
    assert photo_input is not None
    for attribute in ('accept="image/jpeg,image/png"', 'capture="environment"', "multiple"):
        assert attribute in photo_input.group(0)


@pytest.mark.django_db
def test_a_camera_jpeg_is_stored_without_its_gps_and_a_png_is_accepted(client, made, media_root):
    client.force_login(made["operator"])
    camera = jpeg_with_gps((640, 480))
    with Image.open(io.BytesIO(camera)) as original:  # the test photo does carry a position
        assert original.getexif().get_ifd(0x8825)
    response = send_progress(
        client, made["process"], [upload(camera, "IMG_0001.jpg"), upload(png(), "denah.png")]
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(process=made["process"])
    jpeg, plan = ProgressPhoto.objects.filter(report=report).order_by("pk")
    assert (jpeg.content_type, jpeg.width, jpeg.height) == ("image/jpeg", 640, 480)
    assert (plan.content_type, plan.width, plan.height) == ("image/png", 40, 30)
    with default_storage.open(jpeg.file.name) as stored:
        content = stored.read()
    assert jpeg.size == len(content) and b"SERIAL-123456" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {} and "exif" not in image.info
    with default_storage.open(plan.file.name) as stored, Image.open(stored) as image:
        assert image.format == "PNG" and image.size == (40, 30)
    # The operator's file name never reaches storage.
    assert "IMG_0001" not in jpeg.file.name and jpeg.file.name.endswith(".jpg")
    # One audit entry names the report and its photos.
    entry = AuditEntry.objects.get(process=made["process"], action=AuditEntry.Action.CHANGE)
    assert entry.user == made["operator"]
    assert len(entry.changes["foto kemajuan"]["ditambah"]) == 2
    assert entry.changes["laporan kemajuan"]["ditambah"] == ["2024-07-02: fisik 45%"]


@pytest.mark.django_db
def test_a_non_image_or_oversized_photo_is_refused_in_indonesian_keeping_what_was_typed(
    client, made, media_root, settings
):
    client.force_login(made["operator"])
    response = send_progress(client, made["process"], [upload(pdfs.good_pdf(), "laporan.pdf")])
    html = response.content.decode()
    assert response.status_code == 400
    assert "laporan.pdf: bukan foto JPEG/PNG yang utuh." in html
    assert "Atap selesai" in html and 'value="45"' in html and 'value="2024-07-02"' in html

    settings.REPORT_PHOTO_MAX_BYTES = 1024
    big = jpeg_with_gps((400, 300))
    assert len(big) > 1024
    response = send_progress(client, made["process"], [upload(big, "besar.jpg")])
    html = response.content.decode()
    assert response.status_code == 400
    assert "besar.jpg: foto lebih dari 1,0\xa0KB." in html and "Atap selesai" in html
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


@pytest.mark.django_db
def test_another_agencys_operator_cannot_add_a_photo(client, made, media_root):
    client.force_login(made["stranger"])
    response = send_progress(client, made["process"], [upload(png(), "denah.png")])
    assert response.status_code == 404
    report = ProgressReport(
        process=made["process"],
        date=datetime.date(2024, 7, 2),
        physical_percent=45,
        financial_percent=30,
    )
    photo = photos.clean(SimpleUploadedFile("denah.png", png()))
    with pytest.raises(PermissionDenied):
        services.add_implementation_row(row=report, by=made["stranger"], photos=[photo])
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()


@pytest.mark.django_db
def test_a_photo_is_public_with_its_package_only_once_published(client, made, media_root):
    operator, process = made["operator"], made["process"]
    report = ProgressReport(
        process=process, date=datetime.date(2024, 7, 2), physical_percent=45, financial_percent=30
    )
    services.add_implementation_row(
        row=report, by=operator, photos=[photos.clean(SimpleUploadedFile("a.jpg", jpeg_with_gps()))]
    )
    photo = ProgressPhoto.objects.get()
    photo_url = reverse("contracts:progress-photo", args=[photo.pk])
    page_url = reverse("contracts:process-detail", args=[process.pk])
    visitor = Client()
    assert visitor.get(page_url).status_code == 404
    assert visitor.get(photo_url).status_code == 404
    client.force_login(made["stranger"])
    assert client.get(photo_url).status_code == 404
    client.force_login(operator)
    assert client.get(photo_url).status_code == 200  # its own people see the draft's photo

    process.refresh_from_db()
    services.publish_process(process=process, by=operator)
    html = visitor.get(page_url).content.decode()
    assert f'href="{photo_url}"' in html
    assert 'alt="Foto 1 kemajuan pekerjaan' in html and "progres fisik 45%" in html
    response = visitor.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.format == "JPEG" and dict(image.getexif()) == {}

    # A photo added to the published package shows at once (the page's cache follows).
    later = ProgressReport(
        process=process, date=datetime.date(2024, 8, 2), physical_percent=60, financial_percent=40
    )
    services.add_implementation_row(
        row=later, by=operator, photos=[photos.clean(SimpleUploadedFile("b.png", png()))]
    )
    second_url = reverse("contracts:progress-photo", args=[later.photos.get().pk])
    html = visitor.get(page_url).content.decode()
    assert f'href="{second_url}"' in html and "progres fisik 60%" in html

    services.withdraw_process(process=process, by=operator, reason="Data ganda")
    assert visitor.get(photo_url).status_code == 404
    assert visitor.get(second_url).status_code == 404


@pytest.mark.django_db
def test_a_camera_photo_larger_than_a_plain_form_still_arrives(client, made, media_root, settings):
    # A phone's photo is megabytes: more than a plain form's body, within a photo's limit.
    settings.FORM_MAX_BYTES = 100_000
    settings.REPORT_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    settings.REPORT_REQUEST_MAX_BYTES = 3 * settings.REPORT_PHOTO_MAX_BYTES + 100_000
    noise = Image.frombytes("RGB", (400, 400), random.Random(19).randbytes(400 * 400 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert settings.FORM_MAX_BYTES < len(buffer.getvalue()) < settings.REPORT_PHOTO_MAX_BYTES
    client.force_login(made["operator"])
    response = send_progress(client, made["process"], [upload(buffer.getvalue(), "foto.png")])
    assert response.status_code == 302
    assert ProgressPhoto.objects.get().content_type == "image/png"


@pytest.mark.django_db
def test_a_deleted_progress_report_takes_its_photo_files_once_committed(
    made, media_root, django_capture_on_commit_callbacks
):
    report = ProgressReport(
        process=made["process"],
        date=datetime.date(2024, 7, 2),
        physical_percent=45,
        financial_percent=30,
    )
    services.add_implementation_row(
        row=report, by=made["operator"], photos=[photos.clean(SimpleUploadedFile("a.png", png()))]
    )
    name = ProgressPhoto.objects.get().file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delete_row(report)
    assert not ProgressPhoto.objects.exists()
    assert default_storage.exists(name)  # not before the deletion commits
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


# --- refusals land on their note; dates and numbers the Indonesian way ---------------------


def _refusal_note(html):
    """The refusal note (id kesalahan) and the form it sits in, checked to be one."""
    assert html.count('id="kesalahan"') == 1
    form = html.split('id="kesalahan"')[0].rsplit("<form", 1)[1]
    assert 'action="#kesalahan"' in form
    return html.split('id="kesalahan"')[1].split("</div>")[0]


@pytest.mark.django_db
def test_a_refused_progress_report_lands_on_the_error_and_keeps_the_photo(client, made, media_root):
    client.force_login(made["operator"])
    response = send_progress(
        client,
        made["process"],
        [upload(png(), "denah.png")],
        **{"kemajuan-physical_percent": "150"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    note = _refusal_note(html)
    assert "Belum tersimpan" in note
    assert "1 foto yang lolos pemeriksaan disimpan sementara" in note
    assert "tidak perlu dipilih ulang" in note and "pilih ulang fotonya" not in note
    # The cursor goes to the field in error, not to the first field of the page.
    autofocused = re.findall(r"<(?:input|select|textarea)[^>]*autofocus[^>]*>", html)
    assert len(autofocused) == 1 and 'name="kemajuan-physical_percent"' in autofocused[0]
    assert "Atap selesai" in html and 'value="150"' in html
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()
    assert StagedPhoto.objects.get().original_filename == "denah.png"


@pytest.mark.django_db
def test_a_refused_payment_lands_on_the_error_in_its_own_form(client, made):
    client.force_login(made["operator"])
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    response = client.post(url, {**PAYMENT, "bayar-amount": "1.250.000,50"})
    html = response.content.decode()
    assert response.status_code == 400
    note = _refusal_note(html)
    assert "Belum tersimpan" in note and "foto" not in note
    # The note is in the payment form, after the progress form.
    assert html.index('id="kesalahan"') > html.index('value="kemajuan"')
    autofocused = re.findall(r"<input[^>]*autofocus[^>]*>", html)
    assert len(autofocused) == 1 and 'name="bayar-amount"' in autofocused[0]


@pytest.mark.django_db
def test_a_date_after_today_in_jakarta_is_refused_on_the_field_page(client, made, monkeypatch):
    # 30 November 2026, 17.30 UTC: already 1 December (00.30 WIB) in Bojonegoro.
    moment = datetime.datetime(2026, 11, 30, 17, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    client.force_login(made["operator"])
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    response = send_progress(client, made["process"], [], **{"kemajuan-date": "31/08/2031"})
    assert response.status_code == 400
    assert "Tanggal 31/08/2031 belum tiba" in response.content.decode()
    assert "paling lambat hari ini (01/12/2026)" in response.content.decode()
    response = client.post(url, {**PAYMENT, "bayar-date": "02/12/2026"})
    assert response.status_code == 400 and "Tanggal 02/12/2026 belum tiba" in (
        response.content.decode()
    )
    assert not ProgressReport.objects.exists() and not Payment.objects.exists()
    # Today itself is a day that has happened.
    today = send_progress(client, made["process"], [], **{"kemajuan-date": "01/12/2026"})
    assert today.status_code == 302
    assert client.post(url, {**PAYMENT, "bayar-date": "01/12/2026"}).status_code == 302


@pytest.mark.django_db
def test_the_field_forms_take_dates_and_percentages_as_the_admin_does(client, made):
    client.force_login(made["operator"])
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    html = client.get(url).content.decode()
    date_input = re.search(r'<input[^>]*name="kemajuan-date"[^>]*>', html).group(0)
    assert 'type="text"' in date_input and 'placeholder="hh/bb/tttt"' in date_input
    assert "Format hh/bb/tttt, misalnya 17/08/2025." in html
    assert re.search(r'<input[^>]*type="text"[^>]*name="kemajuan-physical_percent"', html)
    assert '<label for="id_bayar-amount">Nilai (Rp)' in html
    response = send_progress(
        client,
        made["process"],
        [],
        **{"kemajuan-date": "02/07/2024", "kemajuan-physical_percent": "45,5"},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(process=made["process"])
    assert (report.date, report.physical_percent) == (datetime.date(2024, 7, 2), Decimal("45.5"))


# --- photos kept across a refused report (contracts.StagedPhoto) --------------------------


def staged_ids(html):
    """The staged photos the re-shown form lists, as a browser sends them back."""
    return re.findall(r'name="kemajuan-staged" value="(\d+)"', html)


def stored(name):
    with default_storage.open(name) as handle:
        return handle.read()


@pytest.mark.django_db
def test_a_refused_report_keeps_each_cleaned_photo_and_the_next_submit_attaches_it(
    client, made, media_root, django_capture_on_commit_callbacks
):
    client.force_login(made["operator"])
    camera = jpeg_with_gps((640, 480))
    response = send_progress(
        client,
        made["process"],
        [upload(camera, "IMG_0001.jpg"), upload(pdfs.good_pdf(), "laporan.pdf")],
        **{"kemajuan-physical_percent": "150"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    # The photo that failed the cleaning is named with its reason and not kept ...
    assert "laporan.pdf: bukan foto JPEG/PNG yang utuh." in html
    # ... the one that passed is kept, cleaned, for this operator and package, and listed.
    staged = StagedPhoto.objects.get()
    assert (staged.user, staged.process, staged.original_filename) == (
        made["operator"],
        made["process"],
        "IMG_0001.jpg",
    )
    cleaned = photos.clean(SimpleUploadedFile("IMG_0001.jpg", camera)).content
    assert stored(staged.file.name) == cleaned and b"SERIAL-123456" not in cleaned
    assert "IMG_0001" not in staged.file.name
    assert staged_ids(html) == [str(staged.pk)]
    assert 'data-staged="IMG_0001.jpg"' in html and "tidak perlu dipilih ulang" in html
    assert "1 foto yang lolos pemeriksaan disimpan sementara" in _refusal_note(html)
    thumbnail = client.get(reverse("dashboards:field-staged-photo", args=[staged.pk]))
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert "private" in thumbnail["Cache-Control"]

    # The same photo chosen again anyway, and a plan: the photo is kept once, the plan added.
    with django_capture_on_commit_callbacks(execute=True):
        response = send_progress(
            client,
            made["process"],
            [upload(camera, "IMG_0001.jpg"), upload(png(), "denah.png")],
            **{"kemajuan-staged": staged_ids(html), "kemajuan-date": "2999-01-01"},
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert StagedPhoto.objects.count() == 2 and len(staged_ids(html)) == 2
    names = list(StagedPhoto.objects.values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = send_progress(
            client, made["process"], [], **{"kemajuan-staged": staged_ids(html)}
        )
    assert response.status_code == 302
    report = ProgressReport.objects.get(process=made["process"])
    jpeg, plan = report.photos.order_by("pk")
    assert (jpeg.content_type, jpeg.width, jpeg.height) == ("image/jpeg", 640, 480)
    assert stored(jpeg.file.name) == cleaned and jpeg.size == len(cleaned)
    assert jpeg.file.name.startswith("kemajuan/") and plan.content_type == "image/png"
    assert not StagedPhoto.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
    entry = AuditEntry.objects.get(process=made["process"], action=AuditEntry.Action.CHANGE)
    assert len(entry.changes["foto kemajuan"]["ditambah"]) == 2
    # The page opened again lists nothing staged any more.
    html = client.get(reverse("dashboards:field-update", args=[made["process"].pk])).content
    assert staged_ids(html.decode()) == []


@pytest.mark.django_db
def test_a_staged_photo_ticked_hapus_is_removed_with_its_file(
    client, made, media_root, django_capture_on_commit_callbacks
):
    client.force_login(made["operator"])
    refused = send_progress(
        client, made["process"], [upload(png(), "denah.png")], **{"kemajuan-date": "2999-01-01"}
    )
    ids = staged_ids(refused.content.decode())
    name = StagedPhoto.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = send_progress(
            client, made["process"], [], **{"kemajuan-staged": ids, "kemajuan-staged_remove": ids}
        )
    assert response.status_code == 302
    assert ProgressReport.objects.get().photos.count() == 0
    assert not StagedPhoto.objects.exists() and not default_storage.exists(name)


@pytest.mark.django_db
def test_staged_photos_are_listed_again_when_the_page_is_reopened_by_their_owner_only(
    client, made, media_root
):
    colleague = make_operator(made["operator"].agency, username="operator-dinkes-2")
    client.force_login(made["operator"])
    send_progress(
        client, made["process"], [upload(png(), "denah.png")], **{"kemajuan-date": "2999-01-01"}
    )
    staged = StagedPhoto.objects.get()
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    html = client.get(url).content.decode()
    assert staged_ids(html) == [str(staged.pk)] and 'data-staged="denah.png"' in html
    assert "tidak perlu dipilih ulang" in html
    client.force_login(colleague)
    html = client.get(url).content.decode()
    assert staged_ids(html) == [] and "denah.png" not in html
    thumbnail = reverse("dashboards:field-staged-photo", args=[staged.pk])
    assert client.get(thumbnail).status_code == 404


@pytest.mark.django_db
def test_another_operator_or_package_cannot_use_a_staged_photo(client, made, media_root):
    operator = made["operator"]
    colleague = make_operator(operator.agency, username="operator-dinkes-2")
    second = make_process(operator.agency, title="Jalan Desa Dander", rup_code="2041235")
    staged = services.stage_photos(
        by=operator,
        process=made["process"],
        photos=[("denah.png", photos.clean(SimpleUploadedFile("d.png", png())))],
    )[0]
    # A colleague of the same agency names the id: the report is saved, the photo ignored.
    client.force_login(colleague)
    response = send_progress(client, made["process"], [], **{"kemajuan-staged": [staged.pk]})
    assert response.status_code == 302
    assert ProgressReport.objects.get().photos.count() == 0
    # The owner names it on another package of theirs: ignored there too.
    client.force_login(operator)
    response = send_progress(client, second, [], **{"kemajuan-staged": [staged.pk]})
    assert response.status_code == 302
    assert not ProgressPhoto.objects.exists() and StagedPhoto.objects.filter(pk=staged.pk).exists()
    # Another agency's operator does not reach the page at all.
    client.force_login(made["stranger"])
    response = send_progress(client, made["process"], [], **{"kemajuan-staged": [staged.pk]})
    assert response.status_code == 404
    # And the service refuses a staged photo that is not the caller's for that package.
    for by, process in [(colleague, made["process"]), (operator, second)]:
        report = ProgressReport(
            process=process,
            date=datetime.date(2024, 7, 3),
            physical_percent=50,
            financial_percent=30,
        )
        with pytest.raises(PermissionDenied):
            services.add_implementation_row(row=report, by=by, staged_photos=[staged])
    assert StagedPhoto.objects.filter(pk=staged.pk).exists()
    assert default_storage.exists(staged.file.name)


@pytest.mark.django_db
def test_staged_and_new_photos_together_keep_to_the_limit(client, made, media_root):
    client.force_login(made["operator"])
    send_progress(
        client,
        made["process"],
        [upload(png((40, 30)), "a.png"), upload(png((41, 30)), "b.png")],
        **{"kemajuan-date": "2999-01-01"},
    )
    ids = [str(pk) for pk in StagedPhoto.objects.values_list("pk", flat=True)]
    assert len(ids) == 2
    response = send_progress(
        client,
        made["process"],
        [upload(png((42, 30)), "c.png"), upload(png((43, 30)), "d.png")],
        **{"kemajuan-staged": ids},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "Paling banyak 3 foto per laporan, termasuk 2 foto yang disimpan sementara: "
        "pilih paling banyak 1 foto lagi" in html
    )
    assert not ProgressReport.objects.exists() and StagedPhoto.objects.count() == 2
    # One more fits.
    response = send_progress(
        client, made["process"], [upload(png((42, 30)), "c.png")], **{"kemajuan-staged": ids}
    )
    assert response.status_code == 302 and ProgressPhoto.objects.count() == 3


@pytest.mark.django_db
def test_expired_staged_photos_are_removed_with_their_files_by_the_hourly_cleanup(
    client, made, media_root, settings, django_capture_on_commit_callbacks
):
    from contracts.tasks import discard_expired_staged_uploads

    operator, process = made["operator"], made["process"]
    old, fresh = services.stage_photos(
        by=operator,
        process=process,
        photos=[
            ("lama.png", photos.clean(SimpleUploadedFile("lama.png", png((40, 30))))),
            ("baru.png", photos.clean(SimpleUploadedFile("baru.png", png((50, 30))))),
        ],
    )
    StagedPhoto.objects.filter(pk=old.pk).update(
        created=timezone.now() - datetime.timedelta(hours=settings.STAGED_UPLOAD_HOURS, minutes=1)
    )
    # Past STAGED_UPLOAD_HOURS it is no longer offered, even before the cleanup runs.
    client.force_login(operator)
    html = client.get(reverse("dashboards:field-update", args=[process.pk])).content.decode()
    assert staged_ids(html) == [str(fresh.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        discard_expired_staged_uploads(timestamp=0)
    assert list(StagedPhoto.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(fresh.file.name)


@pytest.mark.django_db
def test_the_orphan_sweep_keeps_a_current_staged_photo(made, media_root):
    from django.core.files.base import ContentFile

    from opendata_kontrak import orphans

    staged = services.stage_photos(
        by=made["operator"],
        process=made["process"],
        photos=[("denah.png", photos.clean(SimpleUploadedFile("denah.png", png())))],
    )[0]
    # What a worker killed between storing a staged photo and committing its row leaves.
    orphan = default_storage.save("foto-sementara/yatim.png", ContentFile(png()))
    much_later = timezone.now() + datetime.timedelta(hours=2)
    assert orphans.sweep(now=much_later) == [orphan]
    assert default_storage.exists(staged.file.name)


@pytest.mark.django_db
def test_deleting_a_package_removes_its_staged_photos_with_their_files(
    client, made, media_root, django_capture_on_commit_callbacks
):
    client.force_login(made["operator"])
    send_progress(
        client, made["process"], [upload(png(), "denah.png")], **{"kemajuan-date": "2999-01-01"}
    )
    name = StagedPhoto.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/contracts/process/{made['process'].pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert not StagedPhoto.objects.exists() and not default_storage.exists(name)
