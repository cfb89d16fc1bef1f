"""Sample packages for a local install: a few invented packages through the five stages, with
generated PDFs, all titled "[CONTOH]" and flagged is_sample, entered through the same services
an operator's save goes through. Production never has them.
"""

import datetime

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from agencies.demo import DemoRefused
from agencies.models import Agency, User
from contracts import services
from contracts.models import (
    STAGE_ORDER,
    DocumentType,
    Payment,
    PlannedProgress,
    Process,
    ProgressReport,
    Supplier,
)
from contracts.pdf import inspect_upload
from contracts.samples import make_pdf

D = datetime.date

# Made-up NPWPs whose 9th digit is their Luhn check digit, as a real one's is.
SUPPLIERS = {
    "karya": ("CV Contoh Karya Mandiri", "01.111.222.4-601.000", "Jl. Veteran 10, Bojonegoro"),
    "medika": ("PT Contoh Medika Sejahtera", "02.333.444.4-602.000", "Jl. Rajekwesi 5, Bojonegoro"),
    "cipta": ("CV Contoh Cipta Rancang", "03.555.666.1-603.000", "Jl. Panglima Sudirman 21"),
}

SAMPLES = [
    {
        "operator": "demo-operator-pu",
        "stages": 5,
        "published": True,
        "fields": {
            "title": "[CONTOH] Rehabilitasi Jalan Dander - Ngumpakdalem",  # i18n: data
            "program_name": "Program Penyelenggaraan Jalan",
            "activity_name": "Rehabilitasi Jalan Kabupaten",
            "rup_code": "90000001",
            "budget_amount": 2_400_000_000,
            "funding_sources": ["APBD", "DBH"],
            "category": "pekerjaan_konstruksi",
            "method": "tender",
            "method_original": "Lelang Umum",
            "location_kecamatan": "Dander",
            "location_desa": "Ngumpakdalem",
            "planned_start": D(2018, 3, 1),
            "planned_end": D(2018, 11, 30),
            "tender_code": "9000101",
            "hps_amount": 2_350_000_000,
            "tender_announced": D(2018, 3, 12),
            "bid_deadline": D(2018, 3, 26),
            "number_of_tenderers": 9,
            "procuring_entity": "Pokja Pemilihan 3 (contoh)",
            "award_amount": 2_180_000_000,
            "award_date": D(2018, 4, 10),
            "contract_number": "CONTOH/620/SPK/412.204/2018",
            "contract_amount": 2_180_000_000,
            "contract_signed": D(2018, 4, 16),
            "contract_start": D(2018, 4, 16),
            "contract_end": D(2018, 10, 12),
            "pho_date": D(2018, 10, 10),
            # Works: six months of maintenance, then the final hand-over.
            "maintenance_end": D(2019, 4, 8),
            "fho_date": D(2019, 4, 10),
        },
        "supplier": "karya",
    },
    {
        "operator": "demo-operator-dinkes",
        "stages": 4,
        "published": True,
        "fields": {
            "title": "[CONTOH] Pengadaan Alat Kesehatan Puskesmas",  # i18n: data
            "program_name": "Program Pemenuhan Upaya Kesehatan",
            "activity_name": "Pengadaan Alat Kesehatan Puskesmas",
            "rup_code": "90000002",
            "budget_amount": 850_000_000,
            "funding_sources": ["DAK"],
            "category": "barang",
            "method": "e_purchasing",
            "location_kecamatan": "Bojonegoro",
            "planned_start": D(2018, 5, 1),
            "planned_end": D(2018, 9, 30),
            "hps_amount": 845_000_000,
            "procuring_entity": "Pejabat Pengadaan Dinas Kesehatan (contoh)",
            "award_amount": 838_500_000,
            "award_date": D(2018, 6, 4),
            "contract_number": "CONTOH/445/EPURCH/2018",
            "contract_amount": 838_500_000,
            "contract_signed": D(2018, 6, 6),
            "contract_start": D(2018, 6, 6),
            "contract_end": D(2018, 8, 6),
        },
        "supplier": "medika",
    },
    {
        "operator": "demo-operator-pu",
        "stages": 2,
        "published": True,
        "fields": {
            "title": "[CONTOH] Konsultan Perencanaan Gedung Pelayanan Terpadu",  # i18n: data
            "program_name": "Program Penataan Bangunan Gedung",
            "activity_name": "Perencanaan Gedung Pelayanan",
            "rup_code": "90000003",
            "budget_amount": 320_000_000,
            "funding_sources": ["APBD"],
            "category": "jasa_konsultansi",
            "method": "seleksi",
            "method_original": "Seleksi Sederhana",
            "location_kecamatan": "Bojonegoro",
            "planned_start": D(2018, 2, 1),
            "planned_end": D(2018, 6, 30),
            "tender_code": "9000103",
            "hps_amount": 315_000_000,
            "tender_announced": D(2018, 2, 19),
            "bid_deadline": D(2018, 3, 5),
            "number_of_tenderers": 4,
            "procuring_entity": "Pokja Pemilihan 1 (contoh)",
        },
    },
    {
        "operator": "demo-operator-kecamatan",
        "stages": 5,
        "published": True,
        "fields": {
            "title": "[CONTOH] Swakelola Pemeliharaan Saluran Desa Sukorejo",  # i18n: data
            "program_name": "Program Pemberdayaan Masyarakat Desa",
            "activity_name": "Pemeliharaan Saluran Lingkungan",
            "rup_code": "90000004",
            "budget_amount": 150_000_000,
            "funding_sources": ["APBD"],
            "category": "pekerjaan_konstruksi",
            "method": "swakelola",
            "location_kecamatan": "Bojonegoro",
            "location_desa": "Sukorejo",
            "planned_start": D(2018, 7, 1),
            "planned_end": D(2018, 9, 30),
            "contract_number": "CONTOH/SWA/07/2018",
            "contract_amount": 150_000_000,
            "contract_signed": D(2018, 7, 2),
            "contract_start": D(2018, 7, 2),
            "contract_end": D(2018, 9, 28),
            "pho_date": D(2018, 9, 28),
        },
    },
    {
        "operator": "demo-operator-dinkes",
        "stages": 1,
        "published": False,
        "fields": {
            "title": "[CONTOH] Pengadaan Langsung Alat Tulis Kantor (draf)",  # i18n: data
            "program_name": "Program Penunjang Urusan Pemerintahan",
            "activity_name": "Penyediaan Alat Tulis Kantor",
            "rup_code": "90000005",
            "budget_amount": 45_000_000,
            "funding_sources": ["APBD"],
            "category": "barang",
            "method": "pengadaan_langsung",
            "location_kecamatan": "Bojonegoro",
            "planned_start": D(2018, 1, 15),
            "planned_end": D(2018, 2, 28),
        },
    },
]

OFFICIALS = {
    "pa_kpa_name": "Contoh Kepala Perangkat Daerah",
    "ppk_name": "Contoh Pejabat Pembuat Komitmen",
    "pptk_name": "Contoh Pejabat Pelaksana Teknis",
}


def create_sample_processes():
    """Create the samples once, in the order of SAMPLES; a second call finds them and does
    nothing. (The citizens' sample report on them is participation.demo's.)"""
    if settings.PRODUCTION:
        raise DemoRefused("Data contoh tidak pernah dibuat di produksi (DJANGO_ENV=production).")
    if Process.objects.filter(is_sample=True).exists():
        return []
    return [_create(sample) for sample in SAMPLES]


@transaction.atomic
def _create(sample):
    operator = User.objects.get(username=sample["operator"])
    agency = Agency.objects.get(pk=operator.agency_id)
    fields = {**OFFICIALS, **sample["fields"]}
    supplier = _supplier(sample.get("supplier"))
    process = Process(agency=agency, fiscal_year=2018, is_sample=True, **fields)
    if supplier and sample["stages"] >= 3:
        process.supplier = supplier
    process.description = "Data contoh untuk mencoba portal; bukan paket sungguhan."
    services.save_process(process=process, by=operator)
    if sample["stages"] >= 5:
        # The kurva S beside the reports: half the work planned by the first month's end.
        PlannedProgress.objects.create(
            process=process,
            date=fields["contract_start"] + datetime.timedelta(days=30),
            period="Bulan ke-1",
            planned_percent=50,
        )
        PlannedProgress.objects.create(
            process=process, date=fields["pho_date"], period="Serah terima", planned_percent=100
        )
        ProgressReport.objects.create(
            process=process,
            date=fields["contract_start"] + datetime.timedelta(days=30),
            physical_percent=55,
            financial_percent=40,
        )
        ProgressReport.objects.create(
            process=process,
            date=fields["pho_date"],
            physical_percent=100,
            financial_percent=100,
        )
        Payment.objects.create(
            process=process,
            label="Termin 1 (100%)",  # i18n: data
            sp2d_number="CONTOH-SP2D-1",
            amount=fields["contract_amount"],
            date=fields["pho_date"],
        )
        services.record_rows_changed(
            process=process,
            by=operator,
            label="implementasi",  # i18n: data
        )
    for stage in STAGE_ORDER[: sample["stages"]]:
        for document_type in DocumentType.objects.filter(stage=stage).order_by("position")[:4]:
            data = make_pdf(
                f"{document_type.name} — {process.title}",
                [
                    "DOKUMEN CONTOH — dibuat otomatis untuk mencoba portal.",
                    f"Perangkat daerah: {agency.name}",
                    f"Tahun anggaran: {process.fiscal_year}",
                    f"Kode RUP: {process.rup_code}",
                ],
            )
            uploaded = SimpleUploadedFile(f"{document_type.code}-contoh.pdf", data)
            services.add_documents(
                process=process,
                stage=stage,
                document_type=document_type,
                uploads=[(uploaded, inspect_upload(uploaded))],
                by=operator,
            )
    if sample["published"]:
        services.publish_process(process=process, by=operator)
    return process


def _supplier(key):
    if key is None:
        return None
    from contracts.npwp import normalize_npwp

    name, npwp, address = SUPPLIERS[key]
    supplier, _ = Supplier.objects.get_or_create(
        npwp=normalize_npwp(npwp), defaults={"name": name, "address": address}
    )
    return supplier
