"""The operators' workspace in the admin, through HTTP as a browser drives it."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from agencies.models import Agency
from contracts.models import (
    AuditEntry,
    Bidder,
    Document,
    DocumentType,
    Process,
    StageCompleteness,
    StageRequirement,
    Status,
    Supplier,
)
from contracts.tasks import recompute_completeness
from tests import pdfs
from tests.admin_forms import form_data
from tests.factories import (
    make_administrator,
    make_operator,
    make_process,
    make_supervisor,
    planning_fields,
)

ADD_URL = "/admin/contracts/process/add/"
LIST_URL = "/admin/contracts/process/"


def change_url(process):
    return f"/admin/contracts/process/{process.pk}/change/"


def pdf_upload(name, data=None):
    content = pdfs.good_pdf(name) if data is None else data
    return SimpleUploadedFile(name, content, content_type="application/pdf")


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


def planning_post(agency, **extra):
    fields = planning_fields()
    data = {
        "agency": str(agency.pk),
        "fiscal_year": "2018",
        "title": "Pembangunan Puskesmas Dander",
        "funding_sources": fields.pop("funding_sources"),
        "planned_start": "01/03/2018",
        "planned_end": "30/11/2018",
    }
    fields.pop("planned_start"), fields.pop("planned_end")
    data.update({k: str(v) for k, v in fields.items()})
    data.update(extra)
    return data


@pytest.mark.django_db
def test_operator_creates_a_package_with_two_pdfs_of_one_stage(
    client, agency_a, operator_a, media_root
):
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    assert page.status_code == 200
    html = page.content.decode()
    for heading in [
        "Tahap 1: Perencanaan",
        "Tahap 2: Pemilihan Penyedia",
        "Tahap 3: Pemenang",
        "Tahap 4: Kontrak",
        "Tahap 5: Implementasi",
    ]:
        assert heading in html
    dpa = DocumentType.objects.get(code="dpa")
    data = form_data(
        page,
        **planning_post(agency_a),
        upload_type_perencanaan=str(dpa.pk),
        upload_files_perencanaan=[pdf_upload("DPA 2018.pdf"), pdf_upload("DPA Perubahan.pdf")],
        _continue="1",
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, _errors(response)
    process = Process.objects.get(title="Pembangunan Puskesmas Dander")
    assert process.agency == agency_a
    assert process.budget_amount == 1_250_000_000
    assert process.planned_end == datetime.date(2018, 11, 30)
    assert process.funding_sources == ["APBD"]
    assert sorted(process.documents.values_list("original_filename", flat=True)) == [
        "DPA 2018.pdf",
        "DPA Perubahan.pdf",
    ]
    assert AuditEntry.objects.filter(process=process, user=operator_a, action="create").exists()
    upload = AuditEntry.objects.get(process=process, action="upload")
    assert upload.changes["berkas"] == ["DPA 2018.pdf", "DPA Perubahan.pdf"]

    # The page now shows the documents and what planning still lacks.
    html = client.get(change_url(process)).content.decode()
    assert "DPA 2018.pdf" in html
    planning = StageCompleteness.objects.get(process=process, stage="perencanaan")
    assert [item["code"] for item in planning.missing] == [
        "renja",
        "jadwal-kegiatan",
        "kak-perencanaan",
    ]
    assert "Renja SKPD" in html


@pytest.mark.django_db
def test_several_pdfs_of_different_types_at_once(client, agency_a, operator_a, media_root):
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    files = ["DPA 2018.pdf", "Renja SKPD 2018.pdf", "Jadwal Kegiatan.pdf", "KAK Perencanaan.pdf"]
    response = client.post(
        ADD_URL,
        form_data(
            page,
            **planning_post(agency_a),
            upload_files_perencanaan=[pdf_upload(name) for name in files],
        ),
    )
    assert response.status_code == 302, _errors(response)
    process = Process.objects.get()
    assert dict(process.documents.values_list("original_filename", "document_type__code")) == {
        "DPA 2018.pdf": "dpa",
        "Renja SKPD 2018.pdf": "renja",
        "Jadwal Kegiatan.pdf": "jadwal-kegiatan",
        "KAK Perencanaan.pdf": "kak-perencanaan",
    }
    assert process.completeness.get(stage="perencanaan").is_complete


@pytest.mark.django_db
def test_an_unrecognised_file_name_asks_for_the_type(client, agency_a, operator_a, media_root):
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    response = client.post(
        ADD_URL,
        form_data(
            page, **planning_post(agency_a), upload_files_perencanaan=[pdf_upload("scan01.pdf")]
        ),
    )
    assert response.status_code == 200
    assert "tidak dapat dikenali dari nama berkas scan01.pdf" in response.content.decode()
    assert not Process.objects.exists() and not Document.objects.exists()


@pytest.mark.django_db
def test_each_stage_is_saved_and_shown(client, agency_a, operator_a):
    process = make_process(agency_a, **planning_fields())
    supplier = Supplier.objects.create(name="CV Sehat Sentosa", npwp="0012345678901000")
    supplier.known_to.add(agency_a)  # added by this agency: theirs to choose
    client.force_login(operator_a)
    page = client.get(change_url(process))
    data = form_data(
        page,
        tender_code="1234567",
        hps_amount="1200000000",
        tender_announced="02/04/2018",
        bid_deadline="16/04/2018",
        number_of_tenderers="7",
        procuring_entity="Pokja ULP 12",
        lpse_url="https://lpse.bojonegorokab.go.id/eproc4/lelang/1234567/pengumumanlelang",
        supplier=str(supplier.pk),
        award_amount="1150000000",
        award_date="30/04/2018",
        contract_number="027/123/SPK/412.201/2018",
        contract_amount="1150000000",
        contract_signed="07/05/2018",
        contract_start="07/05/2018",
        contract_end="05/11/2018",
        pho_date="05/11/2018",
        **{
            "bidders-TOTAL_FORMS": "1",
            "bidders-0-supplier": str(supplier.pk),
            "bidders-0-bid_amount": "1150000000",
            "progress_reports-TOTAL_FORMS": "1",
            "progress_reports-0-date": "01/08/2018",
            "progress_reports-0-physical_percent": "45,5",
            "progress_reports-0-financial_percent": "30",
            "payments-TOTAL_FORMS": "1",
            "payments-0-label": "Termin 1",
            "payments-0-sp2d_number": "SP2D-0042",
            "payments-0-amount": "345000000",
            "payments-0-date": "15/08/2018",
        },
        _continue="1",
    )
    response = client.post(change_url(process), data)
    assert response.status_code == 302, _errors(response)
    process.refresh_from_db()
    assert (process.tender_code, process.hps_amount, process.number_of_tenderers) == (
        "1234567",
        1_200_000_000,
        7,
    )
    assert process.supplier == supplier and process.award_amount == 1_150_000_000
    assert process.contract_end == datetime.date(2018, 11, 5)
    assert Bidder.objects.get(process=process).bid_amount == 1_150_000_000
    assert str(process.progress_reports.get().physical_percent) == "45.50"
    assert process.payments.get().sp2d_number == "SP2D-0042"

    html = client.get(change_url(process)).content.decode()
    for shown in ["1234567", "Pokja ULP 12", "027/123/SPK/412.201/2018", "SP2D-0042"]:
        assert shown in html
    rows = {row.stage: row for row in process.completeness.all()}
    assert "bidders" not in [item["code"] for item in rows["pemilihan"].missing]
    assert "supplier" not in [item["code"] for item in rows["pemenang"].missing]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("kosong.pdf", b"", "berkas kosong"),
        ("terpotong.pdf", pdfs.truncated_pdf(), "terpotong"),
        ("surat.pdf", b"bukan pdf" * 50, "bukan berkas PDF"),
        ("terkunci.pdf", pdfs.encrypted_pdf(), "hanya bisa dibuka dengan kata sandi"),
        ("skrip.pdf", pdfs.javascript_pdf(), "JavaScript"),
    ],
)
def test_a_bad_pdf_is_refused_and_what_was_typed_is_kept(
    client, agency_a, operator_a, media_root, name, data, reason
):
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    dpa = DocumentType.objects.get(code="dpa")
    response = client.post(
        ADD_URL,
        form_data(
            page,
            **planning_post(agency_a, title="Judul yang sudah diketik"),
            upload_type_perencanaan=str(dpa.pk),
            upload_files_perencanaan=[pdf_upload("baik.pdf"), pdf_upload(name, data)],
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{name}: " in html and reason in html
    # The file that passed is kept for the next submit, named on the page (staged, #19).
    assert "berkas lain yang lolos pemeriksaan disimpan sementara" in html
    assert '<li data-staged="baik.pdf">' in html
    assert 'value="Judul yang sudah diketik"' in html
    assert not Process.objects.filter(title="Judul yang sudah diketik").exists()
    assert not Document.objects.exists()
    assert not (media_root / "dokumen").exists() or not any((media_root / "dokumen").iterdir())


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_while_streaming(
    client, agency_a, operator_a, media_root, settings
):
    settings.DOCUMENT_MAX_BYTES = 4096
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    dpa = DocumentType.objects.get(code="dpa")
    big = pdfs.good_pdf("besar", ["baris panjang " * 20] * 40, pages=6)
    assert len(big) > 4096
    response = client.post(
        ADD_URL,
        form_data(
            page,
            **planning_post(agency_a),
            upload_type_perencanaan=str(dpa.pk),
            upload_files_perencanaan=[pdf_upload("besar.pdf", big)],
        ),
    )
    assert response.status_code == 200
    assert "besar.pdf: ukurannya melebihi batas 4,0" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_deleting_a_document_in_the_admin(
    client, agency_a, operator_a, media_root, django_capture_on_commit_callbacks
):
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    dpa = DocumentType.objects.get(code="dpa")
    client.post(
        ADD_URL,
        form_data(
            page,
            **planning_post(agency_a),
            upload_type_perencanaan=str(dpa.pk),
            upload_files_perencanaan=[pdf_upload("DPA.pdf")],
        ),
    )
    process = Process.objects.get()
    document = process.documents.get()
    stored = media_root / document.file.name
    assert stored.exists()
    page = client.get(change_url(process))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(process), form_data(page, **{"documents-0-DELETE": "on"}))
    assert response.status_code == 302, _errors(response)
    assert not process.documents.exists()
    assert not stored.exists()
    assert AuditEntry.objects.filter(process=process, action="document_delete").exists()


# --- isolation between two agencies ---------------------------------------------------------


@pytest.fixture
def two_agencies(agency_a, agency_b, operator_a, operator_b, media_root):
    mine = make_process(agency_a, title="Paket Dinkes")
    theirs = make_process(agency_b, title="Paket Disdik")
    Document.objects.create(
        process=theirs,
        stage="perencanaan",
        document_type=DocumentType.objects.get(code="dpa"),
        file="dokumen/rahasia.pdf",
        original_filename="DPA Disdik.pdf",
        size=10,
        sha256="0" * 64,
        page_count=1,
    )
    (media_root / "dokumen").mkdir(parents=True, exist_ok=True)
    (media_root / "dokumen" / "rahasia.pdf").write_bytes(pdfs.good_pdf("rahasia"))
    return mine, theirs


@pytest.mark.django_db
def test_the_list_and_search_show_only_the_operators_agency(client, operator_a, two_agencies):
    client.force_login(operator_a)
    html = client.get(LIST_URL).content.decode()
    assert "Paket Dinkes" in html and "Paket Disdik" not in html
    html = client.get(LIST_URL, {"q": "Disdik"}).content.decode()
    assert "Paket Disdik" not in html
    # The agency filter offers only what the operator can see.
    assert "Dinas Pendidikan" not in client.get(LIST_URL).content.decode()


@pytest.mark.django_db
def test_another_agencys_object_urls_answer_nothing(client, operator_a, two_agencies):
    _, theirs = two_agencies
    client.force_login(operator_a)
    for url in [
        change_url(theirs),
        f"/admin/contracts/process/{theirs.pk}/delete/",
        f"/admin/contracts/process/{theirs.pk}/history/",
        f"/admin/contracts/process/{theirs.pk}/tarik/",
    ]:
        assert client.get(url).status_code in {302, 404}, url
        if client.get(url).status_code == 302:
            # The admin redirects unknown objects to its index with a message, never shows them.
            assert "Paket Disdik" not in client.get(url, follow=True).content.decode()
    response = client.post(f"/admin/contracts/process/{theirs.pk}/publikasi/")
    assert response.status_code in {302, 404}
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT


@pytest.mark.django_db
def test_an_operator_cannot_create_for_another_agency(client, agency_b, operator_a):
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    html = page.content.decode()
    options = re.findall(
        r'<option value="(\d+)"', html.split('name="agency"')[1].split("</select>")[0]
    )
    assert options == [str(operator_a.agency_id)]
    response = client.post(ADD_URL, form_data(page, **planning_post(agency_b)))
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not Process.objects.filter(agency=agency_b).exists()


@pytest.mark.django_db
def test_bulk_actions_skip_other_agencies(client, operator_a, two_agencies):
    mine, theirs = two_agencies
    client.force_login(operator_a)
    client.post(
        LIST_URL,
        {
            "action": "publish_selected",
            "_selected_action": [mine.pk, theirs.pk],
            "confirm_publish": "ya",
        },
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Status.PUBLISHED
    assert theirs.status == Status.DRAFT


@pytest.mark.django_db
def test_publishing_a_selection_asks_first_listing_empty_stages(client, operator_a, agency_a):
    tender = make_process(agency_a, title="Paket Tender", **planning_fields())
    empty = make_process(agency_a, title="Paket Kosong", method="swakelola")
    client.force_login(operator_a)
    selection = {"action": "publish_selected", "_selected_action": [tender.pk, empty.pk]}
    page = client.post(LIST_URL, selection)
    assert page.status_code == 200
    rows = {row["process"].title: row["incomplete_stages"] for row in page.context["rows"]}
    # A titled package with nothing else lacks its planning; Swakelola has no tender or award.
    assert "Perencanaan" in rows["Paket Kosong"]
    assert "Pemilihan Penyedia" not in rows["Paket Kosong"]
    # A tender without its documents yet still lacks planning and every later stage.
    assert rows["Paket Tender"][:2] == ["Perencanaan", "Pemilihan Penyedia"]
    html = page.content.decode()
    assert 'name="confirm_publish" value="ya"' in html
    assert set(Process.objects.values_list("status", flat=True)) == {Status.DRAFT}

    client.post(LIST_URL, {**selection, "confirm_publish": "ya"})
    assert set(Process.objects.values_list("status", flat=True)) == {Status.PUBLISHED}


@pytest.mark.django_db
def test_document_files_of_drafts_stay_inside_the_agency(
    client, operator_a, operator_b, two_agencies
):
    _, theirs = two_agencies
    url = reverse("contracts:document-download", args=[theirs.documents.get().pk])
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(operator_a)
    assert client.get(url).status_code == 404  # another agency
    client.force_login(operator_b)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(make_supervisor())
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_supervisors_read_everything_and_change_nothing(client, two_agencies):
    _, theirs = two_agencies
    client.force_login(make_supervisor())
    html = client.get(LIST_URL).content.decode()
    assert "Paket Dinkes" in html and "Paket Disdik" in html
    page = client.get(change_url(theirs))
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    response = client.post(change_url(theirs), {"title": "Diubah pengawas"})
    assert response.status_code == 403
    assert client.get(ADD_URL).status_code == 403
    client.post(
        LIST_URL,
        {"action": "publish_selected", "_selected_action": [theirs.pk], "confirm_publish": "ya"},
    )
    theirs.refresh_from_db()
    assert theirs.title == "Paket Disdik" and theirs.status == Status.DRAFT


@pytest.mark.django_db
def test_administrators_manage_every_agency(client, agency_b, two_agencies):
    _, theirs = two_agencies
    administrator = make_administrator()
    client.force_login(administrator)
    page = client.get(change_url(theirs))
    response = client.post(change_url(theirs), form_data(page, title="Paket Disdik (koreksi)"))
    assert response.status_code == 302, _errors(response)
    theirs.refresh_from_db()
    assert theirs.title == "Paket Disdik (koreksi)"


@pytest.mark.django_db
def test_the_audit_trail_shows_who_changed_what(client, agency_a, operator_a):
    process = make_process(agency_a, title="Judul lama")
    client.force_login(operator_a)
    page = client.get(change_url(process))
    client.post(change_url(process), form_data(page, title="Judul baru"))
    client.force_login(make_supervisor())
    html = client.get("/admin/contracts/auditentry/").content.decode()
    assert "operator-a" in html
    assert "Judul lama → Judul baru" in html


@pytest.mark.django_db
def test_operators_see_only_their_agencys_audit_trail(client, operator_a, operator_b, two_agencies):
    mine, theirs = two_agencies
    from contracts import services

    services.publish_process(process=theirs, by=operator_b)
    services.publish_process(process=mine, by=operator_a)
    client.force_login(operator_a)
    html = client.get("/admin/contracts/auditentry/").content.decode()
    assert "Paket Dinkes" in html and "Paket Disdik" not in html


@pytest.mark.django_db
def test_withdrawal_needs_a_public_reason(client, agency_a, operator_a):
    process = make_process(agency_a)
    client.force_login(operator_a)
    response = client.post(f"/admin/contracts/process/{process.pk}/publikasi/")
    # Both land on their message, as every save does (README "Saves that say what happened").
    assert response["Location"] == f"/admin/contracts/process/{process.pk}/change/#pesan"
    process.refresh_from_db()
    assert process.status == Status.PUBLISHED
    response = client.post(f"/admin/contracts/process/{process.pk}/tarik/", {"reason": ""})
    assert "Alasan penarikan wajib" in response.content.decode()
    response = client.post(
        f"/admin/contracts/process/{process.pk}/tarik/", {"reason": "Anggaran dialihkan"}
    )
    assert response["Location"] == f"/admin/contracts/process/{process.pk}/change/#pesan"
    process.refresh_from_db()
    assert (process.status, process.withdrawn_reason) == (Status.WITHDRAWN, "Anggaran dialihkan")


@pytest.mark.django_db
def test_the_list_runs_a_fixed_number_of_queries(
    client, agency_a, operator_a, django_assert_max_num_queries
):
    for _ in range(20):
        make_process(agency_a)
    client.force_login(operator_a)
    client.get(LIST_URL)
    with django_assert_max_num_queries(12):
        response = client.get(LIST_URL)
    assert response.status_code == 200
    for _ in range(20):
        make_process(agency_a)
    with django_assert_max_num_queries(12):
        client.get(LIST_URL)


def _errors(response):
    if not hasattr(response, "context") or response.context is None:
        return response.status_code
    context = response.context
    problems = [context["adminform"].form.errors] if "adminform" in context else []
    for inline in context.get("inline_admin_formsets", []):
        problems.append(inline.formset.errors)
        problems.append(inline.formset.non_form_errors())
    return problems


@pytest.mark.django_db
def test_the_package_page_shows_its_recent_trail(client, agency_a, operator_a):
    process = make_process(agency_a, title="Judul awal")
    client.force_login(operator_a)
    page = client.get(change_url(process))
    client.post(change_url(process), form_data(page, title="Judul kedua", _continue="1"))
    html = client.get(change_url(process)).content.decode()
    assert "Jejak perubahan terakhir" in html
    assert "Judul awal → Judul kedua" in html


@pytest.mark.django_db
def test_a_requirement_edited_in_the_admin_recomputes_every_package(
    client, agency_a, django_capture_on_commit_callbacks
):
    process = make_process(agency_a, **planning_fields())
    assert not process.completeness.get(stage="perencanaan").is_complete
    client.force_login(make_administrator())
    for requirement in StageRequirement.objects.filter(
        stage="perencanaan", document_type__isnull=False
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/admin/contracts/stagerequirement/{requirement.pk}/delete/", {"post": "yes"}
            )
        assert response.status_code == 302
    # Queued, not done in the request: one job for the several edits (its queueing lock).
    assert not process.completeness.get(stage="perencanaan").is_complete
    queued = ProcrastinateJob.objects.filter(
        task_name="contracts.tasks.recompute_completeness", status="todo"
    )
    assert queued.count() == 1
    recompute_completeness()  # what the worker runs
    assert process.completeness.get(stage="perencanaan").is_complete


@pytest.mark.django_db
def test_operators_cannot_edit_the_rules(client, operator_a):
    client.force_login(operator_a)
    requirement = StageRequirement.objects.first()
    assert client.get("/admin/contracts/stagerequirement/").status_code == 200
    response = client.post(
        f"/admin/contracts/stagerequirement/{requirement.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert StageRequirement.objects.filter(pk=requirement.pk).exists()


@pytest.mark.django_db
def test_bulk_delete_takes_drafts_only(client, agency_a, operator_a):
    from contracts import services

    draft = make_process(agency_a, title="Draf salah ketik")
    published = make_process(agency_a, title="Sudah terbit")
    services.publish_process(process=published, by=operator_a)
    client.force_login(operator_a)
    chosen = {"action": "delete_selected", "_selected_action": [draft.pk, published.pk]}
    confirmation = client.post(LIST_URL, chosen)
    # The confirmation page says what may not be deleted; confirming anyway is refused.
    assert "paket pengadaan" in confirmation.content.decode()
    assert confirmation.context["perms_lacking"]
    assert client.post(LIST_URL, {**chosen, "post": "yes"}).status_code == 403
    assert Process.objects.filter(pk__in=[draft.pk, published.pk]).count() == 2

    client.post(
        LIST_URL, {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"}
    )
    assert not Process.objects.filter(pk=draft.pk).exists()
    assert AuditEntry.objects.filter(process_label="Draf salah ketik", action="delete").exists()


@pytest.mark.django_db
def test_the_same_form_sent_twice_stores_its_documents_once(
    client, agency_a, operator_a, media_root
):
    """Finding 10 of issue 17: without JavaScript a double click sent the package form twice
    and stored each document twice. An identical file (same SHA-256) already on the stage is
    not stored again, and the second answer says so."""
    process = make_process(agency_a, **planning_fields())
    client.force_login(operator_a)
    page = client.get(change_url(process))
    content = pdfs.good_pdf("DPA Dinkes 2018.pdf")

    def send():
        return client.post(
            change_url(process),
            form_data(page, upload_files_perencanaan=[pdf_upload("DPA Dinkes 2018.pdf", content)]),
            follow=True,
        )

    send()
    second = send()
    assert process.documents.count() == 1
    assert "sama persis dengan dokumen yang sudah ada" in second.content.decode()


@pytest.mark.django_db
def test_too_many_files_in_one_request_keep_the_form_and_say_so(
    client, agency_a, operator_a, media_root, settings
):
    """Finding 10 of issue 17: 51 files in one request were a bare 400 and the form was lost."""
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    files = [pdf_upload(f"DPA {n}.pdf") for n in range(settings.UPLOAD_MAX_FILES + 1)]
    response = client.post(
        ADD_URL,
        form_data(
            page,
            **planning_post(agency_a, title="Paket banyak berkas"),
            upload_files_perencanaan=files,
        ),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Paling banyak 50 berkas dalam satu kiriman; 1 berkas" in text
    assert 'value="Paket banyak berkas"' in text  # what was typed is still there
    assert not Process.objects.exists() and not Document.objects.exists()


@pytest.mark.django_db
def test_a_form_the_parser_cannot_read_gets_a_page_that_says_why(client, operator_a):
    """A file name too long for its part's header (1,000 characters and more) was a bare 400."""
    client.force_login(operator_a)
    boundary = "batas"
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="upload_files_perencanaan"; '
        f'filename="{"a" * 1100}.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    response = client.generic(
        "POST", ADD_URL, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert "nama berkas yang terlalu panjang" in response.content.decode()


@pytest.mark.django_db
def test_who_published_is_a_link_only_for_a_viewer_who_may_open_the_account(
    client, agency_a, operator_a, media_root
):
    from tests.contracts.test_agency_documents import upload_agency_document

    process = make_process(agency_a)
    from contracts import services

    services.publish_process(process=process, by=operator_a)
    document = upload_agency_document(operator_a)
    account = reverse("admin:agencies_user_change", args=[operator_a.pk])
    pages = [
        change_url(process),
        reverse("admin:contracts_agencydocument_change", args=[document.pk]),
    ]
    # The operator may not open accounts (403 there): the name is shown as text.
    client.force_login(operator_a)
    assert client.get(account).status_code == 403
    for page in pages:
        html = client.get(page).content.decode()
        assert "operator-a" in html, page
        assert account not in html, page
    # An administrator manages accounts: the same name links to the account.
    client.force_login(make_administrator())
    assert client.get(account).status_code == 200
    for page in pages:
        assert f'<a href="{account}">operator-a</a>' in client.get(page).content.decode(), page


@pytest.mark.django_db
def test_a_requirement_saved_unchanged_queues_no_recompute(
    client, django_capture_on_commit_callbacks
):
    client.force_login(make_administrator())
    requirement = StageRequirement.objects.filter(is_active=True).first()
    url = f"/admin/contracts/stagerequirement/{requirement.pk}/change/"
    queued = ProcrastinateJob.objects.filter(task_name="contracts.tasks.recompute_completeness")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(client.get(url)), follow=True)
    assert response.status_code == 200
    assert not queued.exists()
    assert "akan dihitung ulang" not in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(client.get(url), is_active=None), follow=True)
    assert not StageRequirement.objects.get(pk=requirement.pk).is_active
    assert queued.count() == 1
    assert "akan dihitung ulang" in response.content.decode()
