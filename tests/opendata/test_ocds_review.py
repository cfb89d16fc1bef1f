"""The bulk OCDS files reviewed by the Open Contracting Partnership's own library (libcoveocds),
offline, over fixture packages at every stage, Swakelola and withdrawn ones included."""

import csv
import datetime
import io
import json
import socket

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.models import (
    Amendment,
    Bidder,
    DocumentType,
    Payment,
    Process,
    ProgressReport,
    Supplier,
)
from contracts.ocds import SCHEMA_DIR, SCHEMA_URL
from contracts.pdf import inspect_upload
from opendata.bulk import build
from opendata_kontrak import photos
from tests import pdfs
from tests.factories import make_operator, make_process, planning_fields
from tests.ocds_review import NetworkRefused, VendoredExtensions, review, vendored_extensions
from tests.participation.test_reports import jpeg_with_gps, png

D = datetime.date
BASE = "https://data.contoh.go.id"


def add_document(process, operator, code):
    document_type = DocumentType.objects.get(code=code)
    upload = SimpleUploadedFile(f"{code}.pdf", pdfs.good_pdf(code))
    services.add_documents(
        process=Process.objects.get(pk=process.pk),
        stage=document_type.stage,
        document_type=document_type,
        uploads=[(upload, inspect_upload(upload))],
        by=operator,
    )


def package(operator, *, documents=(), **fields):
    process = make_process(operator.agency, **planning_fields(**fields))
    services.publish_process(process=process, by=operator)
    for code in documents:
        add_document(process, operator, code)
    return Process.objects.get(pk=process.pk)


def tender_fields(**more):
    return {
        "tender_code": str(5_000_000 + Process.objects.count()),
        "hps_amount": 1_200_000_000,
        "tender_announced": D(2018, 4, 2),
        "bid_deadline": D(2018, 4, 16),
        "procuring_entity": "Pokja 3",
        "number_of_tenderers": 12,
        **more,
    }


def contract_fields(supplier=None, **more):
    return {
        "supplier": supplier,
        "award_amount": 1_150_000_000 if supplier else None,
        "award_date": D(2018, 4, 30) if supplier else None,
        "contract_number": f"027/SPK/{Process.objects.count()}",
        "contract_amount": 1_150_000_000,
        "contract_signed": D(2018, 5, 7),
        "contract_start": D(2018, 5, 7),
        "contract_end": D(2018, 11, 5),
        **more,
    }


@pytest.fixture
def fixture_packages(media_root):
    """Packages at every stage of every kind, as operators leave them."""
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    winner = Supplier.objects.create(npwp="0012345678901000", name="CV Maju")
    rival = Supplier.objects.create(npwp="0098765432109000", name="PT Saingan")
    made = {
        "plan": package(operator, documents=["dpa"]),
        "tender": package(operator, documents=["kak-pelaksanaan"], **tender_fields()),
        "whole": package(
            operator,
            documents=["dpa", "pengumuman-pemilihan", "pengumuman-pemenang", "kontrak", "bast"],
            **tender_fields(),
            **contract_fields(winner, pho_date=D(2018, 11, 5)),
        ),
        # Documents of the award stage, no award yet: they must still be published.
        "award_documents_only": package(
            operator, documents=["pengumuman-pemenang"], **tender_fields()
        ),
        "swakelola": package(
            operator,
            documents=["kak-pelaksanaan", "kontrak", "laporan-fisik"],
            method="swakelola",
            **contract_fields(),
        ),
        "e_purchasing": package(
            operator, method="e_purchasing", category="barang", **contract_fields()
        ),
        "withdrawn_plan": package(operator),
        "withdrawn_tender": package(operator, **tender_fields()),
    }
    whole = made["whole"]
    for supplier, amount in [(winner, 1_150_000_000), (rival, 1_190_000_000)]:
        Bidder.objects.create(process=whole, supplier=supplier, bid_amount=amount)
    # A progress report from the field page, with a camera JPEG and a PNG.
    services.add_implementation_row(
        row=ProgressReport(
            process=whole, date=D(2018, 8, 1), physical_percent=50, financial_percent=40
        ),
        by=operator,
        photos=[
            photos.clean(SimpleUploadedFile("lokasi.jpg", jpeg_with_gps())),
            photos.clean(SimpleUploadedFile("denah.png", png())),
        ],
    )
    for label, number, day in [("Termin 1", "0412/SP2D/LS/2018", 5), ("Termin 2", "", 20)]:
        Payment.objects.create(
            process=whole, label=label, sp2d_number=number, amount=250_000_000, date=D(2018, 8, day)
        )
    Payment.objects.create(
        process=made["swakelola"], label="Uang muka", amount=100_000_000, date=D(2018, 6, 1)
    )
    # An addendum of time and value: the contract's period and value as amended.
    Amendment.objects.create(
        process=whole,
        number="027/ADD-1/2018",
        date=D(2018, 10, 20),
        description="Tambah pekerjaan drainase",
        new_amount=1_210_000_000,
        new_end=D(2018, 12, 20),
    )
    services.record_rows_changed(process=whole, by=operator, label="uji", added=[whole])
    services.record_rows_changed(process=made["swakelola"], by=operator, label="uji", added=[1])
    for name in ("withdrawn_plan", "withdrawn_tender"):
        services.withdraw_process(process=made[name], by=operator, reason="Anggaran dialihkan")
    return {name: Process.objects.get(pk=process.pk) for name, process in made.items()}


@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def download(client, scope, name):
    response = client.get(reverse("opendata:download", args=[scope, name]))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_libcoveocds_finds_no_error_in_the_bulk_files(client, fixture_packages, offline):
    build(base_url=BASE)
    releases = json.loads(download(client, "semua", "ocds.json"))
    records = json.loads(download(client, "semua", "ocds-rekaman.json"))
    assert {r["ocid"] for r in records["records"]} == {p.ocid for p in fixture_packages.values()}
    for document in (releases, records):
        result = review(document)
        assert result.schema_errors == []
        assert result.codelist_errors == []
        assert result.extensions == {}
        # Our local fields are declared by our extension, which the review read from disk.
        # (The red flags' figures are declared with the extension's metadata, elsewhere.)
        assert result.additional_fields == []
        assert any(url.endswith("/tanda/release-schema.json") for url in result.served)
        # Reported, not errors: local documentType codes (documented in the README).
        assert set(result.open_codelist_values) <= {
            "releases/planning/documents/documentType",
            "records/releases/planning/documents/documentType",
            "records/compiledRelease/planning/documents/documentType",
            "releases/contracts/documents/documentType",
            "records/releases/contracts/documents/documentType",
            "records/compiledRelease/contracts/documents/documentType",
        }


@pytest.mark.django_db
def test_every_document_of_dokumen_csv_is_in_the_ocds(client, fixture_packages):
    build(base_url=BASE)
    listed = {}
    text = download(client, "semua", "dokumen.csv").decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(text)):
        listed.setdefault(row["ocid"], set()).add(row["id_dokumen"])
    published = {}
    for line in download(client, "semua", "ocds.jsonl").decode().splitlines():
        compiled = json.loads(line)
        ids = published.setdefault(compiled["ocid"], set())
        for section in [compiled.get("planning"), compiled.get("tender")]:
            ids.update(d["id"] for d in (section or {}).get("documents", []))
        for item in compiled.get("awards", []) + compiled.get("contracts", []):
            ids.update(d["id"] for d in item.get("documents", []))
            implementation = item.get("implementation", {})
            ids.update(d["id"] for d in implementation.get("documents", []))
    assert listed  # the fixtures have documents
    # The field page's photos are documents of the implementation in both.
    whole = fixture_packages["whole"].ocid
    assert len({i for i in listed[whole] if i.startswith("foto-kemajuan-")}) == 2
    for ocid, ids in listed.items():
        assert ids == published[ocid], ocid
    # Those whose stage has no section: the award's without an award, the tender's of a
    # Swakelola, fall back to tender.documents.
    award_only = fixture_packages["award_documents_only"]
    assert listed[award_only.ocid] and award_only.ocid in published


def test_the_review_adapter_refuses_addresses_it_does_not_serve(settings):
    adapter = VendoredExtensions(vendored_extensions())
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    elsewhere = "https://raw.githubusercontent.com/open-contracting/standard/1.1/schema/codelists"
    with pytest.raises(NetworkRefused, match=r"raw\.githubusercontent\.com"):
        session.get(f"{elsewhere}/tenderStatus.csv")
    # The standard's schemas are served from the repo's copy.
    assert session.get(SCHEMA_URL + "release-schema.json").json() == json.loads(
        (SCHEMA_DIR / "release-schema.json").read_text()
    )
    served = session.get(
        f"{settings.PORTAL['BASE_URL']}/data-terbuka/ekstensi/tanda/extension.json"
    )
    assert served.status_code == 200 and "redFlags" in served.json()["description"]["en"]
    missing = session.get(f"{settings.PORTAL['BASE_URL']}/data-terbuka/ekstensi/tanda/tiada.json")
    assert missing.status_code == 404
    with pytest.raises(NetworkRefused):  # a path out of the folder is another address
        session.get(f"{settings.PORTAL['BASE_URL']}/data-terbuka/ekstensi/tanda/../../x")
