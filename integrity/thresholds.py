"""The thresholds of the period, with their sources. Administrators edit them as data."""

import datetime

D = datetime.date
OLD = "Perpres 54/2010 sebagaimana diubah dengan Perpres 70/2012 (Pengadaan Langsung)"
PERPRES_16 = (
    "Perpres 16/2018 Pasal 38 ayat (3) (Barang/Pekerjaan Konstruksi/Jasa Lainnya) dan Pasal 41 "
    "ayat (3) (Jasa Konsultansi), berlaku 1 Juli 2018"
)
PERPRES_12 = "Perpres 12/2021 (perubahan Perpres 16/2018): batas Pengadaan Langsung tetap"
ANALYTIC = "ambang analitis, bukan angka peraturan"

# flag, category, method, value, unit, from, until, source, note
THRESHOLDS = [
    (
        "peserta_tunggal",
        "",
        "",
        1,
        "paket",
        D(2010, 1, 1),
        None,
        "Indikator Open Contracting Partnership (Cardinal: single bidder) dan ICW opentender.net; "
        "Tender menurut Perpres 16/2018 adalah pemilihan yang bersaing.",
        "",
    ),
    (
        "masa_tender_singkat",
        "",
        "tender",
        7,
        "hari",
        D(2010, 1, 1),
        None,
        "Peraturan LKPP 9/2018 (jadwal pemilihan); indikator ICW opentender.net.",
        ANALYTIC,
    ),
    (
        "masa_tender_singkat",
        "",
        "seleksi",
        7,
        "hari",
        D(2010, 1, 1),
        None,
        "Peraturan LKPP 9/2018 (jadwal pemilihan); indikator ICW opentender.net.",
        ANALYTIC,
    ),
    (
        "masa_tender_singkat",
        "",
        "tender_cepat",
        3,
        "hari",
        D(2010, 1, 1),
        None,
        "Peraturan LKPP 9/2018 (Tender Cepat); indikator ICW opentender.net.",
        ANALYTIC,
    ),
    (
        "kontrak_di_atas_hps",
        "",
        "",
        100,
        "persen",
        D(2010, 1, 1),
        None,
        "Perpres 16/2018 Pasal 26: HPS adalah batas tertinggi penawaran yang dapat diterima.",
        "",
    ),
    (
        "hps_di_atas_pagu",
        "",
        "",
        100,
        "persen",
        D(2010, 1, 1),
        None,
        "Perpres 16/2018: HPS disusun dalam batas pagu anggaran (DPA).",
        "",
    ),
    (
        "kontrak_dekat_hps",
        "",
        "",
        95,
        "persen",
        D(2010, 1, 1),
        None,
        "Indikator ICW opentender.net: nilai kontrak di atas 95% HPS.",
        ANALYTIC,
    ),
    (
        "pemenang_berulang",
        "",
        "",
        3,
        "paket",
        D(2010, 1, 1),
        None,
        "Indikator ICW opentender.net dan OCP Cardinal: pemenang berulang dari pembeli yang sama "
        "(paket per perangkat daerah per tahun anggaran).",
        ANALYTIC,
    ),
    (
        "tahap_lewat_dokumen_kurang",
        "",
        "",
        30,
        "hari",
        D(2010, 1, 1),
        None,
        "Perbup Bojonegoro 1/2017 jo. Perbup 35/2017: dokumen kontrak setiap tahap dibuka untuk "
        "publik.",
        "tenggang setelah tanggal tahap",
    ),
]
# The Pengadaan Langsung limits per category, over the three regulations' periods.
for category, old_limit, new_limit in [
    ("barang", 200_000_000, 200_000_000),
    ("pekerjaan_konstruksi", 200_000_000, 200_000_000),
    ("jasa_lainnya", 200_000_000, 200_000_000),
    ("jasa_konsultansi", 50_000_000, 100_000_000),
]:
    for limit, start, until, source in [
        (old_limit, D(2012, 7, 31), D(2018, 6, 30), OLD),
        (new_limit, D(2018, 7, 1), D(2021, 2, 1), PERPRES_16),
        (new_limit, D(2021, 2, 2), None, PERPRES_12),
    ]:
        THRESHOLDS.append(
            ("pl_di_atas_batas", category, "", limit, "rupiah", start, until, source, "")
        )


def seed_thresholds(apps, schema_editor=None):
    """Add the seeded thresholds that are missing; never overwrites an administrator's edit."""
    Threshold = apps.get_model("integrity", "Threshold")
    for flag, category, method, value, unit, start, until, source, note in THRESHOLDS:
        Threshold.objects.get_or_create(
            flag=flag,
            category=category,
            method=method,
            valid_from=start,
            defaults={
                "value": value,
                "unit": unit,
                "valid_until": until,
                "source": source,
                "note": note,
            },
        )
