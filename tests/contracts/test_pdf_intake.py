"""PDF intake through the real admin form and the real worker process: one file of each kind
of active content refused with its name and reason, one of each benign look-alike stored, the
shared cases, large scans, and the name a document is served under."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Agency
from contracts.models import Document, DocumentType, Process
from contracts.pdf import PdfRejected, inspect_upload
from tests import pdf_corpus as corpus
from tests.admin_forms import form_data
from tests.contracts.test_admin import ADD_URL, planning_post
from tests.factories import add_document, make_operator, make_process

CASES = Path(__file__).parent / "cases"


@pytest.fixture
def agency():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def operator(agency):
    return make_operator(agency, username="operator-intake")


def post_package(client, agency, title, filename, data):
    page = client.get(ADD_URL)
    return client.post(
        ADD_URL,
        form_data(
            page,
            **planning_post(agency, title=title),
            upload_type_perencanaan=str(DocumentType.objects.get(code="dpa").pk),
            upload_files_perencanaan=[SimpleUploadedFile(filename, data)],
        ),
    )


def assert_refused(response, filename, words, media_root):
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{filename}: " in html
    for word in words:
        assert word in html, (word, html[html.find(filename) : html.find(filename) + 600])
    assert 'value="Judul yang sudah diketik"' in html
    assert not Process.objects.filter(title="Judul yang sudah diketik").exists()
    assert not Document.objects.exists()
    stored = media_root / "dokumen"
    assert not stored.exists() or not any(stored.iterdir())


def assert_stored(response, title, pages=None):
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(process__title=title)
    if pages is not None:
        assert document.page_count == pages
    return document


ACTIVE_THROUGH_THE_ADMIN = [
    # (kind, place, spelling): every action kind once, the places and spellings spread over them
    ("javascript", "bookmark", "escaped"),
    ("javascript-untyped", "open-action", "object-stream"),
    ("launch", "page-trigger", "plain"),
    ("submit-form", "form-field", "escaped"),
    ("import-data", "document-trigger", "object-stream"),
    ("goto-remote", "link", "plain"),
    ("goto-embedded", "next-chain", "escaped"),
    ("javascript-uri", "link-trigger", "object-stream"),
    ("file-uri", "form-field-calculate", "plain"),
    ("javascript", "nested-bookmark", "object-stream"),
    ("launch", "orphan", "escaped"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "place", "spelling"), ACTIVE_THROUGH_THE_ADMIN)
def test_each_kind_of_action_is_refused_by_the_admin_with_its_place(
    client, agency, operator, media_root, kind, place, spelling
):
    client.force_login(operator)
    response = post_package(
        client,
        agency,
        "Judul yang sudah diketik",
        "KAK.pdf",
        corpus.action_pdf(kind, place, spelling),
    )
    assert_refused(
        response,
        "KAK.pdf",
        [
            "konten aktif",
            corpus.ACTION_WORDS[kind],
            corpus.PLACE_WORDS[place],
            "cetak ulang ke PDF",
        ],
        media_root,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", corpus.OTHER_KINDS)
def test_each_other_kind_of_active_content_is_refused_by_the_admin(
    client, agency, operator, media_root, kind
):
    client.force_login(operator)
    data = corpus.other_pdf(kind, "escaped")
    response = post_package(client, agency, "Judul yang sudah diketik", "DPA.pdf", data)
    assert_refused(response, "DPA.pdf", [corpus.OTHER_WORDS[kind]], media_root)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "words"),
    [
        (corpus.javascript_in_earlier_revision, ["revisi lama"]),
        (corpus.javascript_in_incremental_update, ["Launch"]),
        (corpus.javascript_hidden_from_the_xref, ["objek di luar tabel rujukan"]),
    ],
    ids=["earlier-revision", "incremental-update", "outside-the-xref"],
)
def test_active_content_in_revisions_is_refused_by_the_admin(
    client, agency, operator, media_root, make, words
):
    client.force_login(operator)
    response = post_package(client, agency, "Judul yang sudah diketik", "DPA.pdf", make())
    assert_refused(response, "DPA.pdf", words, media_root)


BENIGN_THROUGH_THE_ADMIN = {
    "text-mentions-javascript": (corpus.text_mentions_javascript, 1),
    "links-forms-csv": (corpus.benign_links_and_forms, 1),
    "owner-password": (lambda: corpus.with_owner_password(corpus.text_mentions_javascript()), 1),
    "padding": (lambda: corpus.write_pdf(corpus.base_objects()) + b"\x00" * 8192, 1),
    "pdf-a": (corpus.pdfa, 2),
    "scan": (lambda: corpus.scan(pages=4), 4),
    "incremental-update": (
        lambda: corpus.incremental_update(corpus.write_pdf(corpus.base_objects())),
        2,
    ),
    "linearised": (lambda: corpus.linearized(corpus.many_pages(12)), 12),
    "repaired-xref": (
        lambda: corpus.with_repaired_xref(corpus.write_pdf(corpus.base_objects())),
        1,
    ),
    "3000-pages": (lambda: corpus.many_pages(3000), 3000),
    "indirect-lengths": (lambda: libreoffice_like(), 1),
}


def libreoffice_like():
    """As LibreOffice, Ghostscript and cairo write: every stream's /Length an object."""
    text = b"BT /F1 14 Tf 72 760 Td (DPA dari LibreOffice) Tj ET"
    objects = corpus.base_objects()
    objects[4] = f"<< /Length 6 0 R >>\nstream\n{text.decode()}\nendstream"
    objects[6] = str(len(text))
    return corpus.write_pdf(objects)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", BENIGN_THROUGH_THE_ADMIN)
def test_each_benign_look_alike_is_stored_by_the_admin(client, agency, operator, media_root, kind):
    make, pages = BENIGN_THROUGH_THE_ADMIN[kind]
    client.force_login(operator)
    response = post_package(client, agency, f"Paket {kind}", "DPA 2019.pdf", make())
    assert_stored(response, f"Paket {kind}", pages)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "outcome"),
    [
        ("owner-password-opens-without-password.pdf", "stored"),
        ("kak-text-mentions-javascript.pdf", "stored"),
        ("bookmark-javascript-escaped-name.pdf", "aksi JavaScript pada penanda buku (bookmark)"),
        ("html-before-pdf-header.pdf", "ada isi lain (misalnya HTML atau skrip) sebelum penanda"),
    ],
)
def test_the_shared_cases_get_their_outcome_through_the_admin(
    client, agency, operator, media_root, filename, outcome
):
    client.force_login(operator)
    data = (CASES / filename).read_bytes()
    if outcome == "stored":
        response = post_package(client, agency, "Paket kasus", filename, data)
        document = assert_stored(response, "Paket kasus", 1)
        assert document.text_status == "ok"
    else:
        response = post_package(client, agency, "Judul yang sudah diketik", filename, data)
        assert_refused(response, filename, [outcome], media_root)


@pytest.mark.django_db
def test_a_file_that_needs_a_password_says_how_to_unlock_it(client, agency, operator, media_root):
    client.force_login(operator)
    data = corpus.with_user_password(corpus.write_pdf(corpus.base_objects()))
    response = post_package(client, agency, "Judul yang sudah diketik", "SPK.pdf", data)
    assert_refused(
        response,
        "SPK.pdf",
        ["hanya bisa dibuka dengan kata sandi", "salinan tanpa kata sandi"],
        media_root,
    )


@pytest.mark.parametrize(("megabytes", "seed"), [(1, 1), (3.5, 2), (3.5, 3), (8, 4), (20, 5)])
def test_large_scans_are_accepted_by_the_worker_process(megabytes, seed):
    data = corpus.scan(pages=max(2, int(megabytes * 2)), megabytes=megabytes, seed=seed)
    assert megabytes * 0.8 < len(data) / 2**20 < 25
    info = inspect_upload(SimpleUploadedFile(f"Pindaian {seed}.pdf", data))
    assert info.page_count == max(2, int(megabytes * 2))
    assert info.text_status == "empty"


def test_the_worker_keeps_its_memory_limit(settings):
    settings.PDF_WORKER_MEMORY_BYTES = 32 * 2**20
    data = corpus.many_pages(5)
    with pytest.raises(PdfRejected, match="terlalu berat"):
        inspect_upload(SimpleUploadedFile("DPA.pdf", data))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "served"),
    [
        ("Laporan Kemajuan.html", "Laporan Kemajuan.html.pdf"),
        ("gambar.svg", "gambar.svg.pdf"),
        ("setup.exe", "setup.exe.pdf"),
        ("SPK 12.3", "SPK 12.3.pdf"),
        ("DPA.PDF", "DPA.PDF"),
    ],
)
def test_a_document_is_stored_and_served_as_pdf_whatever_its_name(
    client, agency, operator, media_root, typed, served
):
    process = make_process(agency, title="Paket unduhan")
    document = add_document(process, operator, corpus.write_pdf(corpus.base_objects()), typed)
    assert document.original_filename == served
    assert document.file.name.endswith(".pdf")
    client.force_login(operator)
    response = client.get(
        reverse("contracts:document-download", args=[document.pk]), {"unduh": "1"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{served}"'


@pytest.mark.django_db
def test_a_document_saved_before_under_another_name_is_served_as_pdf(
    client, agency, operator, media_root
):
    process = make_process(agency, title="Paket lama")
    document = add_document(process, operator, corpus.write_pdf(corpus.base_objects()), "x.pdf")
    Document.objects.filter(pk=document.pk).update(original_filename="petunjuk.html")
    client.force_login(operator)
    response = client.get(reverse("contracts:document-download", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="petunjuk.html.pdf"' in response["Content-Disposition"]


@pytest.mark.django_db
def test_a_save_whose_files_cannot_all_be_checked_in_time_keeps_the_form(
    client, agency, operator, media_root, settings
):
    settings.PDF_BATCH_SECONDS = 0.5
    client.force_login(operator)
    response = post_package(
        client, agency, "Judul yang sudah diketik", "DPA.pdf", corpus.many_pages(300)
    )
    assert_refused(response, "DPA.pdf", ["belum sempat diperiksa"], media_root)
