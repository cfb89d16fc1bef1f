"""The seed rules of a new database: each stage's document types (with their OCDS codes) and
what each stage requires, as DOMAIN.md describes them. Administrators change both in the admin
afterwards; `seed_rules` only adds what is missing.
"""

# code, name, stage, OCDS documentType, local code?, description
DOCUMENT_TYPES = [
    (
        "dpa",
        "DPA (Dokumen Pelaksanaan Anggaran)",
        "perencanaan",
        "budgetExecutionDocument",
        True,
        "Dokumen pelaksanaan anggaran perangkat daerah yang memuat paket ini.",
    ),
    (
        "renja",
        "Renja SKPD",
        "perencanaan",
        "annualWorkPlan",
        True,
        "Rencana kerja tahunan perangkat daerah.",
    ),
    (
        "jadwal-kegiatan",
        "Jadwal kegiatan",
        "perencanaan",
        "activitySchedule",
        True,
        "Jadwal pelaksanaan kegiatan yang direncanakan.",
    ),
    (
        "kak-perencanaan",
        "KAK Perencanaan",
        "perencanaan",
        "planningTermsOfReference",
        True,
        "Kerangka acuan kerja tahap perencanaan.",
    ),
    (
        "rup",
        "Pengumuman RUP",
        "perencanaan",
        "procurementPlan",
        False,
        "Rencana umum pengadaan yang diumumkan di SiRUP.",
    ),
    (
        "kak-pelaksanaan",
        "KAK Pelaksanaan",
        "pemilihan",
        "technicalSpecifications",
        False,
        "Kerangka acuan kerja pelaksanaan: spesifikasi teknis yang diminta.",
    ),
    (
        "pengumuman-pemilihan",
        "Pengumuman pemilihan",
        "pemilihan",
        "tenderNotice",
        False,
        "Pengumuman tender atau seleksi di LPSE.",
    ),
    (
        "dokumen-pemilihan",
        "Dokumen pemilihan",
        "pemilihan",
        "biddingDocuments",
        False,
        "Dokumen tender/seleksi yang diterima peserta.",
    ),
    (
        "ba-hasil-pemilihan",
        "Berita acara hasil pemilihan",
        "pemilihan",
        "evaluationReports",
        False,
        "Berita acara hasil evaluasi dan pemilihan.",
    ),
    (
        "pengumuman-pemenang",
        "Pengumuman pemenang",
        "pemenang",
        "awardNotice",
        False,
        "Pengumuman penyedia yang ditetapkan sebagai pemenang.",
    ),
    ("sppbj", "SPPBJ", "pemenang", "awardLetter", True, "Surat Penunjukan Penyedia Barang/Jasa."),
    (
        "kontrak",
        "Kontrak / SPK",
        "kontrak",
        "contractSigned",
        False,
        "Surat perjanjian atau surat perintah kerja yang ditandatangani.",
    ),
    ("spmk", "SPMK", "kontrak", "noticeToProceed", True, "Surat Perintah Mulai Kerja."),
    (
        "adendum",
        "Adendum kontrak",
        "kontrak",
        "contractAnnexe",
        False,
        "Perubahan kontrak (nilai, waktu atau lingkup).",
    ),
    (
        "laporan-fisik",
        "Laporan kemajuan fisik",
        "implementasi",
        "physicalProgressReport",
        False,
        "Laporan progres fisik pekerjaan.",
    ),
    (
        "laporan-keuangan",
        "Laporan keuangan / pembayaran",
        "implementasi",
        "financialProgressReport",
        False,
        "Laporan progres keuangan, termin dan SP2D.",
    ),
    ("foto", "Foto pelaksanaan", "implementasi", "illustration", False, "Foto kondisi pekerjaan."),
    (
        "bast",
        "Berita acara serah terima (BAST/PHO/FHO)",
        "implementasi",
        "completionCertificate",
        False,
        "Serah terima hasil pekerjaan.",
    ),
    (
        "audit",
        "Laporan pemeriksaan / audit",
        "implementasi",
        "finalAudit",
        False,
        "Hasil pemeriksaan atau audit atas pekerjaan.",
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
