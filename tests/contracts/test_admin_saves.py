"""Saves that say what happened: the package page lands on the message after a save, on the
error note after a refusal with the first field in error focused, and keeps checked PDFs."""

import datetime
import hashlib
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from agencies.models import Agency
from contracts import services
from contracts.models import Document, Process, StagedUpload
from tests import pdfs
from tests.admin_forms import form_data
from tests.contracts.test_admin import (
    ADD_URL,
    LIST_URL,
    _errors,
    change_url,
    pdf_upload,
    planning_post,
)
from tests.factories import make_operator, make_process


@pytest.fixture
def agency_a():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def agency_b():
    return Agency.objects.get(code="dinas-pendidikan")


@pytest.fixture
def operator_a(agency_a):
    return make_operator(agency_a, username="operator-a")


@pytest.fixture
def operator_b(agency_b):
    return make_operator(agency_b, username="operator-b")


def _autofocused(html):
    return re.findall(r"<(?:input|select|textarea)[^>]*\bautofocus\b[^>]*>", html)


@pytest.mark.django_db
def test_a_save_lands_on_the_message(client, agency_a, operator_a):
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    response = client.post(ADD_URL, form_data(page, **planning_post(agency_a), _continue="1"))
    assert response.status_code == 302, _errors(response)
    process = Process.objects.get(title="Pembangunan Puskesmas Dander")
    assert response["Location"] == f"{change_url(process)}#pesan"

    landed = client.get(response["Location"].split("#")[0])
    html = landed.content.decode()
    assert re.search(r'<ul class="messagelist" id="pesan"[^>]*>\s*<li class="success">', html)

    # "Simpan" without continuing goes back to the list, still on the message.
    page = client.get(change_url(process))
    response = client.post(change_url(process), form_data(page))
    assert response.status_code == 302, _errors(response)
    assert response["Location"].endswith("#pesan")
    assert response["Location"].split("#")[0].startswith(LIST_URL)


@pytest.mark.django_db
def test_a_refused_save_lands_on_the_note_and_the_first_field_in_error(
    client, agency_a, operator_a
):
    process = make_process(agency_a)
    client.force_login(operator_a)
    page = client.get(change_url(process))
    # The form posts to its own address with the note's fragment, so the answer opens there.
    assert 'action="#kesalahan"' in page.content.decode()
    assert not _autofocused(page.content.decode())

    # 31 February does not exist; the kode RUP further down is wrong as well.
    data = form_data(page, planned_end="31/02/2018", budget_amount="bukan angka")
    response = client.post(change_url(process), data)
    assert response.status_code == 200
    html = response.content.decode()
    note = re.search(r'<div class="errornote" id="kesalahan"[^>]*>(.*?)</div>', html, re.S)
    assert note and "Belum tersimpan" in note.group(1)
    assert "Please correct" not in html
    focused = _autofocused(html)
    # Only one field takes the cursor: the first in error in the page's order (the budget
    # ceiling comes before the planned schedule in Perencanaan).
    assert len(focused) == 1 and 'name="budget_amount"' in focused[0]
    assert "planned_end" in response.context["adminform"].form.errors


# --- staged files --------------------------------------------------------------------------


def staged_fields(html, remove=()):
    """What a browser sends back from the staged-files lists: each hidden id, the selected
    type beside it, and the remove box ticked for the names in `remove`."""
    data = {}
    for item in re.findall(r"<li data-staged=.*?</li>", html, re.S):
        name = re.search(r'data-staged="([^"]*)"', item).group(1)
        field, pk = re.search(r'type="hidden" name="(staged_[a-z]+)" value="(\d+)"', item).groups()
        data.setdefault(field, []).append(pk)
        selected = re.search(r'<option value="(\d*)"[^>]*selected>', item)
        data[f"staged_type_{pk}"] = selected.group(1) if selected else ""
        if name in remove:
            data.setdefault("staged_remove", []).append(pk)
    return data


def listed(html):
    return re.findall(r'<li data-staged="([^"]*)"', html)


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def post_change(client, process, **fields):
    """The package's change form as the browser has it, sent with `fields` changed."""
    page = client.get(change_url(process))
    return client.post(change_url(process), form_data(page, **fields))


def refused_with(client, process, *uploads):
    """The change form sent with `uploads` chosen in Perencanaan and a planned end that does
    not exist (31 February): refused, and the PDFs that pass the checks are staged."""
    return post_change(
        client, process, planned_end="31/02/2018", upload_files_perencanaan=list(uploads)
    )


@pytest.mark.django_db
def test_a_wrong_date_keeps_the_chosen_files_until_the_corrected_save(
    client, agency_a, operator_a, media_root, django_capture_on_commit_callbacks
):
    process = make_process(agency_a)
    jadwal, kak = pdfs.good_pdf("Jadwal"), pdfs.good_pdf("KAK")
    client.force_login(operator_a)
    refused = refused_with(
        client,
        process,
        pdf_upload("Jadwal Kegiatan 2018.pdf", jadwal),
        pdf_upload("KAK Perencanaan.pdf", kak),
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert listed(html) == ["Jadwal Kegiatan 2018.pdf", "KAK Perencanaan.pdf"]
    assert "2 berkas PDF yang lolos pemeriksaan disimpan sementara" in html
    assert not Document.objects.exists()
    staged = StagedUpload.objects.order_by("pk")
    assert [(s.sha256, s.document_type.code, s.user, s.process) for s in staged] == [
        (sha256(jadwal), "jadwal-kegiatan", operator_a, process),
        (sha256(kak), "kak-perencanaan", operator_a, process),
    ]
    assert all(default_storage.exists(s.file.name) for s in staged)
    staged_names = [s.file.name for s in staged]

    # The corrected save sends only what is on the page: the date and the listed files.
    data = form_data(refused, planned_end="30/11/2018", **staged_fields(html))
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(change_url(process), data)
    assert saved.status_code == 302, _errors(saved)
    documents = process.documents.order_by("original_filename")
    assert [(d.original_filename, d.document_type.code, d.sha256) for d in documents] == [
        ("Jadwal Kegiatan 2018.pdf", "jadwal-kegiatan", sha256(jadwal)),
        ("KAK Perencanaan.pdf", "kak-perencanaan", sha256(kak)),
    ]
    assert all(default_storage.open(d.file.name).read() in (jadwal, kak) for d in documents)
    assert not StagedUpload.objects.exists()
    assert not any(default_storage.exists(name) for name in staged_names)
    process.refresh_from_db()
    assert process.planned_end == datetime.date(2018, 11, 30)


@pytest.mark.django_db
def test_a_bad_file_is_refused_by_name_while_the_others_stay(
    client, agency_a, operator_a, media_root
):
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    refused = client.post(
        ADD_URL,
        form_data(
            page,
            **planning_post(agency_a),
            upload_files_perencanaan=[
                pdf_upload("Jadwal Kegiatan.pdf"),
                pdf_upload("terkunci.pdf", pdfs.encrypted_pdf()),
                pdf_upload("KAK Perencanaan.pdf"),
            ],
        ),
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "terkunci.pdf: " in html and "hanya bisa dibuka dengan kata sandi" in html
    assert listed(html) == ["Jadwal Kegiatan.pdf", "KAK Perencanaan.pdf"]
    assert not Process.objects.exists()
    # On the add page nothing exists yet to attach to: the staged rows wait without a package.
    assert set(StagedUpload.objects.values_list("process", flat=True)) == {None}

    saved = client.post(ADD_URL, form_data(refused, **staged_fields(html)))
    assert saved.status_code == 302, _errors(saved)
    process = Process.objects.get()
    assert sorted(process.documents.values_list("original_filename", flat=True)) == [
        "Jadwal Kegiatan.pdf",
        "KAK Perencanaan.pdf",
    ]
    assert not StagedUpload.objects.exists()


@pytest.mark.django_db
def test_an_unrecognised_staged_file_takes_the_type_chosen_beside_it(
    client, agency_a, operator_a, media_root
):
    process = make_process(agency_a)
    client.force_login(operator_a)
    refused = post_change(client, process, upload_files_perencanaan=[pdf_upload("scan01.pdf")])
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "tidak dapat dikenali dari nama berkas scan01.pdf" in html
    assert listed(html) == ["scan01.pdf"]
    fields = staged_fields(html)
    pk = fields["staged_perencanaan"][0]
    assert fields[f"staged_type_{pk}"] == ""

    # Sent again without a type: still refused, still listed.
    again = client.post(change_url(process), form_data(refused, **fields))
    assert again.status_code == 200
    assert "Pilih jenis dokumen untuk scan01.pdf" in again.content.decode()
    assert listed(again.content.decode()) == ["scan01.pdf"]

    kak = process.documents.model.document_type.field.related_model.objects.get(
        code="kak-perencanaan"
    )
    fields[f"staged_type_{pk}"] = str(kak.pk)
    saved = client.post(change_url(process), form_data(again, **fields))
    assert saved.status_code == 302, _errors(saved)
    assert [(d.original_filename, d.document_type) for d in process.documents.all()] == [
        ("scan01.pdf", kak)
    ]


@pytest.mark.django_db
def test_a_staged_file_ticked_away_is_not_stored(
    client, agency_a, operator_a, media_root, django_capture_on_commit_callbacks
):
    process = make_process(agency_a)
    client.force_login(operator_a)
    refused = refused_with(
        client, process, pdf_upload("Jadwal Kegiatan.pdf"), pdf_upload("KAK Perencanaan.pdf")
    )
    html = refused.content.decode()
    removed = StagedUpload.objects.get(original_filename="Jadwal Kegiatan.pdf").file.name
    data = form_data(
        refused, planned_end="30/11/2018", **staged_fields(html, remove={"Jadwal Kegiatan.pdf"})
    )
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(change_url(process), data)
    assert saved.status_code == 302, _errors(saved)
    assert list(process.documents.values_list("original_filename", flat=True)) == [
        "KAK Perencanaan.pdf"
    ]
    assert not StagedUpload.objects.exists()
    assert not default_storage.exists(removed)


@pytest.mark.django_db
def test_another_operator_never_sees_or_commits_staged_files(
    client, agency_a, agency_b, operator_a, operator_b, media_root
):
    process_a = make_process(agency_a)
    process_b = make_process(agency_b)
    client.force_login(operator_a)
    refused = refused_with(client, process_a, pdf_upload("KAK Perencanaan.pdf"))
    stolen = staged_fields(refused.content.decode())
    pk = stolen["staged_perencanaan"][0]
    colleague = make_operator(agency_a, username="operator-a2")

    assert list(StagedUpload.objects.visible_to(operator_a).values_list("pk", flat=True)) == [
        int(pk)
    ]
    assert not StagedUpload.objects.visible_to(operator_b).exists()
    assert not StagedUpload.objects.visible_to(colleague).exists()

    # Another agency's operator sends the id with their own package's stage: ignored.
    client.force_login(operator_b)
    response = post_change(
        client,
        process_b,
        staged_perencanaan=[pk],
        **{f"staged_type_{pk}": stolen[f"staged_type_{pk}"]},
    )
    assert response.status_code == 302, _errors(response)
    assert not process_b.documents.exists()
    # Nor does a colleague of the same agency, on the package the file was staged for.
    client.force_login(colleague)
    response = post_change(client, process_a, staged_perencanaan=[pk], staged_remove=[pk])
    assert response.status_code == 302, _errors(response)
    assert not process_a.documents.exists()
    assert StagedUpload.objects.filter(pk=pk).exists()


@pytest.mark.django_db
def test_expired_staged_files_are_removed_with_their_files(
    agency_a, operator_a, media_root, django_capture_on_commit_callbacks
):
    from contracts.pdf import inspect_upload
    from contracts.tasks import discard_expired_staged_uploads

    uploads = [
        pdf_upload("KAK Perencanaan.pdf"),
        pdf_upload("Jadwal Kegiatan.pdf", pdfs.good_pdf("J")),
    ]
    rows = services.stage_uploads(
        by=operator_a,
        agency=agency_a,
        process=None,
        stage="perencanaan",
        checked=[(None, u, inspect_upload(u)) for u in uploads],
    )
    old, fresh = rows
    StagedUpload.objects.filter(pk=old.pk).update(
        created=timezone.now() - datetime.timedelta(hours=25)
    )
    with django_capture_on_commit_callbacks(execute=True):
        discard_expired_staged_uploads(timestamp=0)
    assert list(StagedUpload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(fresh.file.name)


@pytest.mark.django_db
def test_a_file_of_another_stage_is_staged_there_and_says_so(
    client, agency_a, operator_a, media_root
):
    """The five training PDFs chosen together in Perencanaan: the KAK Pelaksanaan is a
    Pemilihan Penyedia document (DOMAIN.md), so it goes there, not lost."""
    process = make_process(agency_a)
    client.force_login(operator_a)
    refused = refused_with(
        client,
        process,
        pdf_upload("KAK Perencanaan.pdf"),
        pdf_upload("KAK Pelaksanaan.pdf", pdfs.good_pdf("KAK 2")),
    )
    assert refused.status_code == 200
    html = refused.content.decode()
    line = re.search(
        r'<p class="staged-uploads__moved" data-moved="KAK Pelaksanaan.pdf">(.*?)</p>', html
    )
    assert line and "tahap Pemilihan Penyedia" in line.group(1)
    assert 'href="#sementara-pemilihan"' in line.group(1)
    tender = re.search(
        r'<div class="module staged-uploads" id="sementara-pemilihan">(.*?)</div>', html, re.S
    )
    assert tender and listed(tender.group(1)) == ["KAK Pelaksanaan.pdf"]
    assert StagedUpload.objects.get(original_filename="KAK Pelaksanaan.pdf").stage == "pemilihan"

    saved = client.post(
        change_url(process), form_data(refused, planned_end="30/11/2018", **staged_fields(html))
    )
    assert saved.status_code == 302, _errors(saved)
    assert sorted(
        process.documents.values_list("original_filename", "stage", "document_type__code")
    ) == [
        ("KAK Pelaksanaan.pdf", "pemilihan", "kak-pelaksanaan"),
        ("KAK Perencanaan.pdf", "perencanaan", "kak-perencanaan"),
    ]


@pytest.mark.django_db
def test_a_save_that_moves_a_file_to_its_stage_says_where(client, agency_a, operator_a, media_root):
    process = make_process(agency_a)
    client.force_login(operator_a)
    saved = post_change(
        client,
        process,
        upload_files_perencanaan=[pdf_upload("KAK_Pelaksanaan_final.pdf")],
        _continue="1",
    )
    assert saved.status_code == 302, _errors(saved)
    document = process.documents.get()
    assert (document.stage, document.document_type.code) == ("pemilihan", "kak-pelaksanaan")
    html = client.get(saved["Location"].split("#")[0]).content.decode()
    assert (
        "KAK_Pelaksanaan_final.pdf dipilih di tahap Perencanaan tetapi dikenali sebagai "
        f'KAK Pelaksanaan: disimpan di <a href="{change_url(process)}#tahap-pemilihan">'
        "tahap Pemilihan Penyedia</a>."
    ) in html


@pytest.mark.django_db
def test_deleting_a_package_removes_its_staged_files(
    client, agency_a, operator_a, media_root, django_capture_on_commit_callbacks
):
    process = make_process(agency_a)
    client.force_login(operator_a)
    refused_with(client, process, pdf_upload("KAK.pdf"))
    name = StagedUpload.objects.get().file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/contracts/process/{process.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Process.objects.exists() and not StagedUpload.objects.exists()
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_staged_files_wait_for_their_owner_when_the_package_is_opened_again(
    client, agency_a, operator_a, media_root, django_capture_on_commit_callbacks
):
    """The operator who leaves the refused form (a reload, the package reopened later) finds
    their staged files listed again, and the next save that succeeds stores them."""
    process = make_process(agency_a)
    jadwal = pdfs.good_pdf("Jadwal")
    client.force_login(operator_a)
    refused_with(client, process, pdf_upload("Jadwal Kegiatan 2018.pdf", jadwal))
    # An older file of the same package, staged past STAGED_UPLOAD_HOURS: no longer offered.
    refused_with(client, process, pdf_upload("KAK Perencanaan.pdf", pdfs.good_pdf("KAK")))
    old = StagedUpload.objects.get(original_filename="KAK Perencanaan.pdf")
    StagedUpload.objects.filter(pk=old.pk).update(
        created=timezone.now() - datetime.timedelta(hours=25)
    )

    reopened = client.get(change_url(process))
    html = reopened.content.decode()
    assert listed(html) == ["Jadwal Kegiatan 2018.pdf"]
    assert "1 berkas PDF dari penyimpanan Anda yang belum berhasil" in html
    fields = staged_fields(html)
    pk = fields["staged_perencanaan"][0]
    jadwal_type = StagedUpload.objects.get(pk=pk).document_type
    assert fields[f"staged_type_{pk}"] == str(jadwal_type.pk)

    # A colleague of the same agency opening the package sees none of them.
    colleague = make_operator(agency_a, username="operator-a2")
    other = Client()
    other.force_login(colleague)
    assert listed(other.get(change_url(process)).content.decode()) == []

    # The next save that succeeds, sent from the reopened page, stores the listed file.
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            change_url(process), form_data(reopened, planned_end="30/11/2018", **fields)
        )
    assert saved.status_code == 302, _errors(saved)
    assert [(d.original_filename, d.sha256) for d in process.documents.all()] == [
        ("Jadwal Kegiatan 2018.pdf", sha256(jadwal))
    ]
    assert list(StagedUpload.objects.values_list("original_filename", flat=True)) == [
        "KAK Perencanaan.pdf"
    ]
    # Nothing is listed once stored.
    assert listed(client.get(change_url(process)).content.decode()) == []


@pytest.mark.django_db
def test_dates_of_what_already_happened_cannot_lie_ahead_in_the_admin(client, agency_a, operator_a):
    """Progress reports, payments (SP2D), the BAST hand-over, the signed contract: a date
    after today in Asia/Jakarta is refused by name, with the date and today."""
    process = make_process(agency_a)
    client.force_login(operator_a)
    tomorrow = datetime.datetime.now(ZoneInfo("Asia/Jakarta")).date() + datetime.timedelta(1)
    typed = tomorrow.strftime("%d/%m/%Y")
    response = post_change(
        client,
        process,
        pho_date=typed,
        contract_signed=typed,
        **{
            "progress_reports-TOTAL_FORMS": "1",
            "progress_reports-0-date": typed,
            "progress_reports-0-physical_percent": "45,5",
            "progress_reports-0-financial_percent": "30",
            "payments-TOTAL_FORMS": "1",
            "payments-0-label": "Termin 1",
            "payments-0-sp2d_number": "SP2D-0042",
            "payments-0-amount": "345000000",
            "payments-0-date": typed,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(f"Tanggal {typed} belum tiba") == 4
    process.refresh_from_db()
    assert process.pho_date is None and process.contract_signed is None
    assert not process.progress_reports.exists() and not process.payments.exists()


@pytest.mark.django_db
def test_a_file_chosen_again_after_its_staged_copy_expired_is_staged_afresh(
    client, agency_a, operator_a, media_root
):
    process = make_process(agency_a)
    kak = pdfs.good_pdf("KAK")
    client.force_login(operator_a)
    refused_with(client, process, pdf_upload("KAK Perencanaan.pdf", kak))
    StagedUpload.objects.update(created=timezone.now() - datetime.timedelta(hours=25))
    refused = refused_with(client, process, pdf_upload("KAK Perencanaan.pdf", kak))
    assert listed(refused.content.decode()) == ["KAK Perencanaan.pdf"]
    assert listed(client.get(change_url(process)).content.decode()) == ["KAK Perencanaan.pdf"]
    assert StagedUpload.objects.current().count() == 1
