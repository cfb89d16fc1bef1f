"""The seed rules of a new database: each stage's document types (with their OCDS codes) and
what each stage requires, as DOMAIN.md describes them. Administrators change both in the admin
afterwards; `seed_rules` only adds what is missing.
"""

from django.utils.translation import gettext_noop

# code, name, stage, OCDS documentType, local code?, description. Names and descriptions are
# stored as written here (Indonesian) and translated where a page shows them.
DOCUMENT_TYPES = [
    (
        "dpa",
        gettext_noop("DPA (Dokumen Pelaksanaan Anggaran)"),
        "perencanaan",
        "budgetExecutionDocument",
        True,
        gettext_noop("Dokumen pelaksanaan anggaran perangkat daerah yang memuat paket ini."),
    ),
    (
        "renja",
        gettext_noop("Renja SKPD"),
        "perencanaan",
        "annualWorkPlan",
        True,
        gettext_noop("Rencana kerja tahunan perangkat daerah."),
    ),
    (
        "jadwal-kegiatan",
        gettext_noop("Jadwal kegiatan"),
        "perencanaan",
        "activitySchedule",
        True,
        gettext_noop("Jadwal pelaksanaan kegiatan yang direncanakan."),
    ),
    (
        "kak-perencanaan",
        gettext_noop("KAK Perencanaan"),
        "perencanaan",
        "planningTermsOfReference",
        True,
        gettext_noop("Kerangka acuan kerja tahap perencanaan."),
    ),
    (
        "rup",
        gettext_noop("Pengumuman RUP"),
        "perencanaan",
        "procurementPlan",
        False,
        gettext_noop("Rencana umum pengadaan yang diumumkan di SiRUP."),
    ),
    (
        "kak-pelaksanaan",
        gettext_noop("KAK Pelaksanaan"),
        "pemilihan",
        "technicalSpecifications",
        False,
        gettext_noop("Kerangka acuan kerja pelaksanaan: spesifikasi teknis yang diminta."),
    ),
    (
        "pengumuman-pemilihan",
        gettext_noop("Pengumuman pemilihan"),
        "pemilihan",
        "tenderNotice",
        False,
        gettext_noop("Pengumuman tender atau seleksi di LPSE."),
    ),
    (
        "dokumen-pemilihan",
        gettext_noop("Dokumen pemilihan"),
        "pemilihan",
        "biddingDocuments",
        False,
        gettext_noop("Dokumen tender/seleksi yang diterima peserta."),
    ),
    (
        "ba-hasil-pemilihan",
        gettext_noop("Berita acara hasil pemilihan"),
        "pemilihan",
        "evaluationReports",
        False,
        gettext_noop("Berita acara hasil evaluasi dan pemilihan."),
    ),
    (
        "pengumuman-pemenang",
        gettext_noop("Pengumuman pemenang"),
        "pemenang",
        "awardNotice",
        False,
        gettext_noop("Pengumuman penyedia yang ditetapkan sebagai pemenang."),
    ),
    (
        "sppbj",
        gettext_noop("SPPBJ"),
        "pemenang",
        "awardLetter",
        True,
        gettext_noop("Surat Penunjukan Penyedia Barang/Jasa."),
    ),
    (
        "kontrak",
        gettext_noop("Kontrak / SPK"),
        "kontrak",
        "contractSigned",
        False,
        gettext_noop("Surat perjanjian atau surat perintah kerja yang ditandatangani."),
    ),
    (
        "spmk",
        gettext_noop("SPMK"),
        "kontrak",
        "noticeToProceed",
        True,
        gettext_noop("Surat Perintah Mulai Kerja."),
    ),
    (
        "adendum",
        gettext_noop("Adendum kontrak"),
        "kontrak",
        "contractAnnexe",
        False,
        gettext_noop("Perubahan kontrak (nilai, waktu atau lingkup)."),
    ),
    (
        "laporan-fisik",
        gettext_noop("Laporan kemajuan fisik"),
        "implementasi",
        "physicalProgressReport",
        False,
        gettext_noop("Laporan progres fisik pekerjaan."),
    ),
    (
        "laporan-keuangan",
        gettext_noop("Laporan keuangan / pembayaran"),
        "implementasi",
        "financialProgressReport",
        False,
        gettext_noop("Laporan progres keuangan, termin dan SP2D."),
    ),
    (
        "foto",
        gettext_noop("Foto pelaksanaan"),
        "implementasi",
        "illustration",
        False,
        gettext_noop("Foto kondisi pekerjaan."),
    ),
    (
        "bast",
        gettext_noop("Berita acara serah terima (BAST/PHO/FHO)"),
        "implementasi",
        "completionCertificate",
        False,
        gettext_noop("Serah terima hasil pekerjaan."),
    ),
    (
        "audit",
        gettext_noop("Laporan pemeriksaan / audit"),
        "implementasi",
        "finalAudit",
        False,
        gettext_noop("Hasil pemeriksaan atau audit atas pekerjaan."),
    ),
]

COMPETITIVE = ["tender", "tender_cepat", "seleksi"]
WITH_TENDER_PERIOD = [*COMPETITIVE, "pengadaan_langsung", "penunjukan_langsung"]

# stage, field name or None, document code or None, methods (empty: every method)
REQUIREMENTS = [
    ("perencanaan", "program_name", None, []),
    ("perencanaan", "activity_name", None, []),
    ("perencanaan", "rup_code", None, []),
    ("perencanaan", "budget_amount", None, []),
    ("perencanaan", "funding_sources", None, []),
    ("perencanaan", "category", None, []),
    ("perencanaan", "method", None, []),
    ("perencanaan", "location_kecamatan", None, []),
    ("perencanaan", "planned_start", None, []),
    ("perencanaan", "planned_end", None, []),
    ("perencanaan", "pa_kpa_name", None, []),
    ("perencanaan", "ppk_name", None, []),
    ("perencanaan", "pptk_name", None, []),
    ("perencanaan", None, "dpa", []),
    ("perencanaan", None, "renja", []),
    ("perencanaan", None, "jadwal-kegiatan", []),
    ("perencanaan", None, "kak-perencanaan", []),
    ("pemilihan", "tender_code", None, WITH_TENDER_PERIOD),
    ("pemilihan", "hps_amount", None, []),
    # E-Purchasing buys from the catalogue: no announcement, no bid deadline, no bidders.
    ("pemilihan", "tender_announced", None, WITH_TENDER_PERIOD),
    ("pemilihan", "bid_deadline", None, WITH_TENDER_PERIOD),
    ("pemilihan", "number_of_tenderers", None, COMPETITIVE),
    ("pemilihan", "procuring_entity", None, []),
    ("pemilihan", None, "kak-pelaksanaan", []),
    ("pemilihan", None, "dokumen-pemilihan", COMPETITIVE),
    ("pemilihan", None, "ba-hasil-pemilihan", WITH_TENDER_PERIOD),
    ("pemenang", "supplier", None, []),
    ("pemenang", "award_amount", None, []),
    ("pemenang", "award_date", None, []),
    ("pemenang", None, "pengumuman-pemenang", COMPETITIVE),
    ("pemenang", None, "sppbj", WITH_TENDER_PERIOD),
    ("kontrak", "contract_number", None, []),
    ("kontrak", "contract_amount", None, []),
    ("kontrak", "contract_signed", None, []),
    ("kontrak", "contract_start", None, []),
    ("kontrak", "contract_end", None, []),
    ("kontrak", None, "kontrak", []),
    ("kontrak", None, "spmk", WITH_TENDER_PERIOD),
    ("implementasi", "progress_reports", None, []),
    ("implementasi", "pho_date", None, []),
    ("implementasi", None, "laporan-fisik", []),
    ("implementasi", None, "bast", []),
]

# The planning documents one agency holds once per fiscal year for all its packages: uploaded
# as agency documents (contracts.AgencyDocument), which count for each package's completeness.
AGENCY_DOCUMENT_TYPES = ["dpa", "renja", "jadwal-kegiatan"]

# Swakelola is done by the agency itself: no supplier is selected or awarded.
EXEMPTIONS = [("swakelola", "pemilihan"), ("swakelola", "pemenang")]


def seed_rules(apps, schema_editor=None):
    DocumentType = apps.get_model("contracts", "DocumentType")
    StageRequirement = apps.get_model("contracts", "StageRequirement")
    StageExemption = apps.get_model("contracts", "StageExemption")
    types = {}
    for position, (code, name, stage, ocds, local, description) in enumerate(DOCUMENT_TYPES):
        types[code], _ = DocumentType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "stage": stage,
                "ocds_code": ocds,
                "is_local": local,
                "description": description,
                "position": position,
            },
        )
    # Only once the field exists (migration 0013); migrations before it seed without it.
    if any(field.name == "per_agency" for field in DocumentType._meta.get_fields()):
        DocumentType.objects.filter(code__in=AGENCY_DOCUMENT_TYPES).update(per_agency=True)
    for stage, field_name, document_code, methods in REQUIREMENTS:
        StageRequirement.objects.get_or_create(
            stage=stage,
            field_name=field_name or "",
            document_type=types[document_code] if document_code else None,
            defaults={"methods": methods},
        )
    for method, stage in EXEMPTIONS:
        StageExemption.objects.get_or_create(method=method, stage=stage)
