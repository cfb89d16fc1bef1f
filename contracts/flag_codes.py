"""The red flags' codes and labels (integrity.flags raises them; integrity.PackageFlag stores
them). Kept in contracts, beside the other vocabularies of a package (contracts.models.Method,
Category), because contracts' public list filters and names packages by them while sitting
below integrity: the public pages may name a flag without importing the app that computes it.
"""

from django.db import models
from django.utils.translation import gettext_noop


class Flag(models.TextChoices):
    SINGLE_BIDDER = "peserta_tunggal", gettext_noop("Satu peserta pada tender terbuka")
    SHORT_TENDER = "masa_tender_singkat", gettext_noop("Masa penawaran singkat")
    CONTRACT_ABOVE_HPS = "kontrak_di_atas_hps", gettext_noop("Nilai kontrak/penetapan di atas HPS")
    HPS_ABOVE_BUDGET = "hps_di_atas_pagu", gettext_noop("HPS di atas pagu")
    CONTRACT_NEAR_HPS = (
        "kontrak_dekat_hps",
        gettext_noop("Nilai kontrak/penetapan sangat dekat HPS"),
    )
    DIRECT_ABOVE_LIMIT = "pl_di_atas_batas", gettext_noop("Pengadaan Langsung di atas batasnya")
    DIRECT_SPLIT = (
        "pl_terpecah",
        gettext_noop("Beberapa Pengadaan Langsung ke satu penyedia melewati batas"),
    )
    REPEAT_WINNER = "pemenang_berulang", gettext_noop("Penyedia yang sama berulang kali menang")
    OVERDUE_MISSING = (
        "tahap_lewat_dokumen_kurang",
        gettext_noop("Tahap lewat waktu, dokumen wajib belum ada"),
    )
