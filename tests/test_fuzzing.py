"""Fuzzing with hypothesis: whatever arrives in a filter, a search, an API parameter or an
upload, the portal answers (a page, a 400 naming the problem, a refusal of the file) and
never fails with a server or database error, nor takes longer than its bounds.

The client raises any exception a view lets escape, so a 500 fails the example at once.
"""

import io
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import Agency
from contracts import services
from contracts.pdf import PdfRejected, inspect_upload
from contracts.samples import make_pdf
from tests.factories import make_operator, make_process, planning_fields

FILTERS = [
    "tahun",
    "pd",
    "jenis_pd",
    "tahap",
    "metode",
    "jenis",
    "dana",
    "lengkap",
    "urut",
    "tanda",
    "kecamatan",
    "penyedia",
    "nilai_min",
    "nilai_max",
    "q",
    "halaman",
]
API_ONLY = ["per_halaman", "setelah"]

# Values an attacker, a typo or a broken link might send: any text (NUL bytes and other
# control characters included), numbers of every size, SQL and search-syntax fragments.
ODD_VALUES = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "' OR 1=1 --",
            "%",
            "_",
            "\\",
            "\x00",
            "a\x00b",
            '"',
            "!",
            "-",
            "&|!()",
            "or or",
            "1e309",
            "NaN",
            "2018.5",
            "０１２",  # full-width digits  # noqa: RUF001
            "٣",
            "9" * 400,
            "Rp 1.000.000,00",
            "<script>",
            "%00",
            "\ud7ff",
        ]
    ),
)
PARAMS = st.dictionaries(st.sampled_from(FILTERS + API_ONLY), ODD_VALUES, max_size=6)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def some_packages(media_root):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    for number in range(3):
        process = make_process(health, **planning_fields(title=f"Rehabilitasi Jalan {number}"))
        services.publish_process(process=process, by=operator)
    # A draft, whose id a cursor may name: it must answer as an id nobody has.
    return make_process(health, **planning_fields(title="Draf rahasia"))


@pytest.mark.django_db
@FUZZ
@given(params=PARAMS)
def test_the_public_list_answers_any_query(client, some_packages, params):
    response = client.get("/paket/", params)
    assert response.status_code in (200, 302, 400)
    if response.status_code == 200:
        assert b"data-count=" in response.content


@pytest.mark.django_db
@FUZZ
@given(
    url=st.sampled_from(["/api/v1/paket/", "/api/v1/penyedia/", "/api/v1/perangkat-daerah/"]),
    params=PARAMS,
    cursor_on_the_draft=st.booleans(),
)
def test_the_api_answers_any_query_with_json(
    client, some_packages, url, params, cursor_on_the_draft
):
    if cursor_on_the_draft:
        params = {**params, "setelah": str(some_packages.pk)}
    response = client.get(url, params)
    assert response.status_code in (200, 400, 404)
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if response.status_code != 200:
        assert body["galat"], body  # the API's error, in words
    assert "Draf rahasia" not in response.content.decode()


@pytest.mark.django_db
@FUZZ
@given(text=ODD_VALUES)
def test_every_other_search_box_answers_anything(client, some_packages, text):
    for url, name in [
        ("/api/v1/penyedia/", "q"),
        ("/api/v1/perangkat-daerah/", "q"),
        ("/", "tahun"),
        ("/tanda/", "tahun"),
        ("/keterbukaan/", "tahun"),
        ("/perangkat-daerah/dinas-kesehatan/", "tahun"),
    ]:
        response = client.get(url, {name: text})
        assert response.status_code in (200, 302, 400), url


# --- uploads ------------------------------------------------------------------------------

GOOD = make_pdf("Kerangka Acuan Kerja", ["Isi dokumen."] * 20)


def pdf_object_file(objects, root=1):
    """A minimal PDF from numbered object bodies, with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def deep_nesting(depth):
    return pdf_object_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * depth + b"]" * depth + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def huge_page_count(count):
    return pdf_object_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def self_referencing_pages():
    return pdf_object_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
        ]
    )


def decompression_bomb(megabytes):
    """A page whose content stream is a few hundred KB that inflates to `megabytes` MB."""
    packer = zlib.compressobj(9)
    chunk = b"0 0 m 1 1 l S\n" * (1 << 16)
    packed = b"".join(packer.compress(chunk) for _ in range(megabytes * (1 << 20) // len(chunk)))
    packed += packer.flush()
    return pdf_object_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream",
        ]
    )


def polyglot_html():
    # A real PDF that is also an HTML page to a browser that sniffs.
    return b"<html><script>alert(1)</script>" + GOOD


def polyglot_zip():
    archive = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("x.txt", "isi")
    return GOOD + archive.getvalue()


SPECIAL = {
    "bersarang 100.000 tingkat": lambda: deep_nesting(100_000),
    "halaman 2^31": lambda: huge_page_count(2**31 - 1),
    "pohon halaman melingkar": self_referencing_pages,
    "bom dekompresi 300 MB": lambda: decompression_bomb(300),
    "poliglot HTML": polyglot_html,
    "poliglot ZIP": polyglot_zip,
}


def check_bounded(content, name="uji.pdf"):
    """Accepted or refused with a reason, within the worker's time limit (plus start-up)."""
    from django.conf import settings as django_settings

    started = time.monotonic()
    info = None
    try:
        info = inspect_upload(SimpleUploadedFile(name, content))
    except PdfRejected as rejected:
        assert rejected.reason, "a refusal always says why"
    else:
        assert info.page_count >= 1
    elapsed = time.monotonic() - started
    assert elapsed < django_settings.PDF_WORKER_TIMEOUT_SECONDS + 10, elapsed
    return info


@pytest.mark.parametrize("label", list(SPECIAL))
def test_hostile_pdfs_are_refused_or_accepted_within_bounds(label, settings):
    settings.PDF_WORKER_TIMEOUT_SECONDS = 10
    info = check_bounded(SPECIAL[label]())
    if label.startswith("halaman"):
        assert info.page_count == 1  # the pages counted, not the count claimed
    if label.startswith("pohon"):
        assert info is None  # a page tree that contains itself is refused


@settings(max_examples=25, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(GOOD) - 1))
def test_truncated_pdfs_are_handled(cut):
    check_bounded(GOOD[:cut] + b"\n%%EOF\n")


@settings(max_examples=25, deadline=None)
@given(
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(GOOD) - 1), st.integers(1, 255)),
        min_size=1,
        max_size=20,
    )
)
def test_corrupted_pdfs_are_handled(flips):
    content = bytearray(GOOD)
    for position, mask in flips:
        content[position] ^= mask
    check_bounded(bytes(content))


@settings(max_examples=20, deadline=None)
@given(junk=st.binary(max_size=4000))
def test_junk_behind_a_pdf_header_is_handled(junk):
    check_bounded(b"%PDF-1.7\n" + junk + b"\n%%EOF\n")


@pytest.mark.django_db
def test_bombs_through_the_workspace_are_refused_and_the_next_upload_works(
    client, media_root, settings
):
    """The inspection runs in a child process: a bomb costs that child, never the worker."""
    from django.urls import reverse

    from contracts.models import Document, DocumentType, Process
    from tests.admin_forms import form_data
    from tests.contracts.test_admin import pdf_upload, planning_post

    settings.PDF_WORKER_TIMEOUT_SECONDS = 10
    health = Agency.objects.get(code="dinas-kesehatan")
    client.force_login(make_operator(health))
    add = reverse("admin:contracts_process_add")
    dpa = DocumentType.objects.get(code="dpa")

    def post(files, title):
        page = client.get(add)
        return client.post(
            add,
            form_data(
                page,
                **planning_post(health, title=title),
                upload_type_perencanaan=str(dpa.pk),
                upload_files_perencanaan=files,
            ),
        )

    response = post(
        [
            pdf_upload("baik.pdf"),
            pdf_upload("bersarang.pdf", deep_nesting(100_000)),
            pdf_upload("melingkar.pdf", self_referencing_pages()),
        ],
        "Paket dengan bom",
    )
    assert response.status_code == 200
    assert "melingkar.pdf: " in response.content.decode()
    assert not Process.objects.filter(title="Paket dengan bom").exists()
    assert not Document.objects.exists()
    # The same worker takes the next upload as if nothing had happened.
    response = post([pdf_upload("DPA.pdf")], "Paket sesudahnya")
    assert response.status_code == 302
    assert Document.objects.filter(original_filename="DPA.pdf").exists()


@pytest.mark.django_db
def test_a_nul_byte_in_the_address_is_a_400_that_says_so(client):
    page = client.get("/paket/", {"q": "jalan\x00"})
    assert page.status_code == 400
    assert "karakter NUL" in page.content.decode()
    api = client.get("/api/v1/paket/", {"pd": "\x00"})
    assert api.status_code == 400 and "karakter NUL" in api.json()["galat"]


# --- the workspace's addresses ------------------------------------------------------------

# What a changelist's address may carry: Django's own parameters and a lookup on any field.
LOOKUPS = ["", "__exact", "__year", "__month", "__day", "__gte", "__lt", "__in", "__isnull"]
CHANGELIST_PARAMS = ["o", "p", "q", "e", "all", "_to_field"]


def workspace_admins():
    from django.contrib import admin

    import opendata_kontrak.urls  # noqa: F401 (it unregisters the job queue's admin)

    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def field_names(model):
    return sorted(
        {field.name for field in model._meta.get_fields() if field.concrete}
        | {f"{field.name}__id" for field in model._meta.get_fields() if field.is_relation}
    )


def changelist_params(model_admin):
    model = model_admin.model
    keys = [name + lookup for name in field_names(model) for lookup in LOOKUPS]
    if model_admin.date_hierarchy:
        keys += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return st.dictionaries(st.sampled_from(keys + CHANGELIST_PARAMS), ODD_VALUES, max_size=4)


ADMIN_FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def workspace_users(some_packages):
    from tests.factories import make_administrator

    health = Agency.objects.get(code="dinas-kesehatan")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    return [make_administrator(), make_operator(health), make_operator(roads)]


def test_every_workspace_register_checks_its_address():
    from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin

    unchecked = [
        type(model_admin).__name__
        for _, model_admin in workspace_admins()
        if not isinstance(model_admin, CheckedQueryParametersMixin)
        and model_admin.__module__.split(".")[0] != "django"
    ]
    assert not unchecked


@pytest.mark.django_db
@ADMIN_FUZZ
@given(data=st.data())
def test_every_changelist_answers_any_filter(client, workspace_users, data):
    """Finding 9 of issue 17: ?at__year=99999999999 on the audit trail was a server error."""
    model, model_admin = data.draw(st.sampled_from(workspace_admins()))
    params = data.draw(changelist_params(model_admin))
    client.force_login(data.draw(st.sampled_from(workspace_users)))
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    response = client.get(url, params)
    assert response.status_code in (200, 302, 400, 403, 404), (url, params)


@pytest.mark.django_db
@ADMIN_FUZZ
@given(data=st.data())
def test_every_add_form_answers_any_initial_value(client, workspace_users, data):
    """Finding 9 of issue 17: ?supplier=abc on the package's add form was a server error."""
    model, _ = data.draw(st.sampled_from(workspace_admins()))
    names = [*field_names(model), "funding_sources", "groups"]
    params = data.draw(st.dictionaries(st.sampled_from(names), ODD_VALUES, max_size=4))
    client.force_login(data.draw(st.sampled_from(workspace_users)))
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    response = client.get(url, params)
    assert response.status_code in (200, 302, 400, 403, 404), (url, params)


@pytest.mark.django_db
@FUZZ
@given(
    year=st.one_of(st.integers(min_value=0, max_value=10**30), st.sampled_from([2018, 2100])),
    code=st.one_of(
        st.from_regex(r"[-a-zA-Z0-9_]{1,40}", fullmatch=True), st.just("dinas-kesehatan")
    ),
    stage=st.one_of(st.from_regex(r"[-a-z0-9_]{1,20}", fullmatch=True), st.just("perencanaan")),
    params=st.dictionaries(st.sampled_from(["tahun", "urut", "format"]), ODD_VALUES, max_size=3),
)
def test_the_supervisors_addresses_answer_anything(
    client, some_packages, year, code, stage, params
):
    """Finding 9 of issue 17: /pengawasan/0/<code>/<stage>/ was a server error."""
    from tests.factories import make_supervisor

    client.force_login(make_supervisor())
    for url in [f"/pengawasan/{year}/{code}/{stage}/", "/pengawasan/", "/pengawasan/tugas/"]:
        response = client.get(url, params)
        assert response.status_code in (200, 302, 400, 403, 404), (url, params)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/admin/contracts/process/add/?supplier=abc", "Nilai awal dari alamat"),
        ("/admin/contracts/auditentry/?at__year=99999999999", "Saringan pada alamat"),
        ("/admin/contracts/auditentry/?at__year=9999", "Saringan pada alamat"),
        # Found by the fuzzing above: text where an array column is filtered.
        ("/admin/contracts/stagerequirement/?methods=%3Cscript%3E", "Saringan pada alamat"),
    ],
)
def test_the_probes_500s_are_answered_with_a_message(client, workspace_users, url, says):
    administrator = workspace_users[0]
    client.force_login(administrator)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert says in response.content.decode()


@pytest.mark.django_db
def test_a_bad_filter_after_the_invalid_filter_redirect_is_a_page_not_a_500(client):
    """Django answers a second bad filter (`e` already in the address) with its own
    "database error" page, rendered without the request: the workspace's template must not
    need what only a request brings (found by the fuzzing of every changelist)."""
    from tests.factories import make_administrator

    client.force_login(make_administrator())
    answer = client.get("/admin/imports/importrun/?agency=&agency__exact=&e=")
    assert answer.status_code == 200
