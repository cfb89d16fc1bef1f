"""Every column of the portal's tables, defined once: the bulk files (paket.csv, dokumen.csv,
..., paket.xlsx), the list's selection downloads and the API's package fields read their
values here, so a column means the same thing in every output, and the open-data policy page
lists them from here.

A column is a stable machine name (never renamed or moved: readers of older files by position
keep working; a new column goes at the end of its table), its meaning and its unit (Indonesian,
marked for translation: only the policy page shows them, in the reader's language; the files
carry the names alone, the same in every language), its kind and how its value is computed
from a row. A row is `Row(process, lists, item)`: the package, its related lists
(contracts.ocds.related_lists; a table of the package itself reads only `documents`) and the
table's own item (a document, a bidder, a flag; None for paket).

Values are domain values (int, str, bool, list, date, aware datetime, None); each output
writes them by one convention (`as_text` for CSV, `as_cell` for XLSX, `as_json` for JSON):
- a moment (dipublikasikan, diperbarui, diunggah) in Western Indonesian Time with its offset,
  ISO 8601: `2020-01-01T00:30:00+07:00`; in XLSX, which has no time zones, the same WIB wall
  time (`2020-01-01 00:30:00`);
- a date of an event (contract signed, handover, award) is the calendar date in the regency's
  time zone, ISO 8601 `2020-01-01` (an XLSX date cell);
- money in whole Rupiah, a number (in XLSX with the `#,##0` format);
- yes or no as "ya"/"tidak" in CSV and XLSX, true/false in JSON ("" / null: unknown);
- a list joined with ";" in CSV and XLSX, a JSON array in JSON;
- text that starts like a formula (=, +, -, @) keeps a leading ' in CSV (the common practice)
  and is a text cell in XLSX (shown as written, never evaluated).
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.cell import WriteOnlyCell

from contracts.models import Stage
from dashboards.exports import safe, xlsx_value
from opendata_kontrak.languages import canonical_reverse

# The kinds of value: codes, never shown (the policy page shows each kind's UNITS).
TEXT, WHOLE, MONEY, DATE, MOMENT, YES_NO, LIST, URL = (
    "teks",
    "bilangan bulat",
    "Rupiah",
    "tanggal",
    "waktu",
    "ya/tidak",
    "daftar",
    "alamat",
)

# What each kind says on the policy page (the unit a value is written in), in the page's
# language.
UNITS = {
    TEXT: _("teks"),
    WHOLE: _("bilangan bulat"),
    MONEY: _("Rupiah, bilangan bulat tanpa sen"),
    DATE: _("tanggal kalender (WIB), ISO 8601 YYYY-MM-DD"),
    MOMENT: _("waktu WIB dengan selisihnya, ISO 8601 (2020-01-01T00:30:00+07:00); di XLSX jam WIB"),
    YES_NO: _("ya / tidak (JSON: true / false); kosong bila tidak diketahui"),
    LIST: _("daftar dipisah titik koma (;) (JSON: larik)"),
    URL: _("alamat lengkap (URL)"),
}

MONEY_FORMAT = "#,##0"


class Row(NamedTuple):
    process: Any
    lists: dict
    item: Any = None


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str  # lazy: translated where shown
    kind: str
    get: Callable[[Row], Any]

    @property
    def unit(self):
        return UNITS[self.kind]


@dataclass(frozen=True)
class Table:
    name: str
    about: str  # lazy: translated where shown
    columns: tuple
    rows: Callable  # (process, lists) -> iterable of Row

    @property
    def names(self):
        return [column.name for column in self.columns]

    def values(self, process, lists):
        """Each row of one package as a list of domain values, in column order."""
        for row in self.rows(process, lists):
            yield [column.get(row) for column in self.columns]


# --- links -----------------------------------------------------------------------------------


@functools.cache
def _route(name):
    # reverse() once per route, not once per row (a year's bulk build has many thousand rows).
    # Always the canonical (Indonesian, unprefixed) address: the data carry no language, and
    # what is cached here must not take the prefix of whichever request came first (/en/).
    return canonical_reverse(name, args=[987654321]).replace("987654321", "{}")


def absolute(path):
    """`path` on the portal's public address (PORTAL_BASE_URL): links that work wherever the
    file or answer is read, whatever host served it."""
    return f"{settings.PORTAL['BASE_URL']}{path}"


def package_url(process):
    return absolute(_route("contracts:process-detail").format(process.pk))


def document_url(document):
    return absolute(_route("contracts:document-download").format(document.pk))


def photo_url(photo):
    return absolute(_route("contracts:progress-photo").format(photo.pk))


# --- writing values --------------------------------------------------------------------------


def moment(value):
    """An aware datetime as the portal writes one: WIB with its offset, ISO 8601."""
    return timezone.localtime(value).isoformat()


def as_json(value):
    """A domain value for JSON: numbers and booleans as such, dates and moments ISO 8601."""
    if isinstance(value, datetime.datetime):
        return moment(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def as_text(value):
    """A domain value for a CSV cell (formula-looking text with a leading ')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"  # i18n: data (the files' words, in every language)
    if isinstance(value, (list, tuple)):
        value = ";".join(str(item) for item in value)
    return safe(as_json(value))


def as_cell(sheet, value, kind):
    """A domain value for an XLSX cell of `sheet` (write-only): text as a text cell (never a
    formula, no apostrophe), money with a thousands format, a moment as WIB wall time."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = "ya" if value else "tidak"  # i18n: data
    elif isinstance(value, (list, tuple)):
        value = ";".join(str(item) for item in value)
    elif isinstance(value, datetime.datetime):
        # Spreadsheets have no time zones: the WIB wall time.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        return xlsx_value(sheet, value)
    if kind == MONEY:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    return value


# --- the tables ------------------------------------------------------------------------------


def _of(attribute):
    """A column read from the package's field of that name."""
    return lambda row: getattr(row.process, attribute)


def _item(attribute):
    return lambda row: getattr(row.item, attribute)


def _passes(supplier):
    """Whether a supplier's NPWP passes its check digit; None without a supplier or a verdict."""
    return supplier.npwp_passes_check if supplier else None


def _winner(attribute):
    return lambda row: getattr(row.process.supplier, attribute) if row.process.supplier else ""


def kecamatan_of(process):
    """Every kecamatan the package's location names, the main one first, joined by ";" (as
    the list's kecamatan filter and the kecamatan pages count them: a package found under
    Kedungadem says Kedungadem); "" when none is known."""
    names = [process.location_kecamatan] if process.location_kecamatan else []
    names += [name for name in process.location_kecamatan_all or [] if name not in names]
    return ";".join(names)


OCID = Column("ocid", _("Pengenal OCDS paket (tidak pernah berubah)"), TEXT, _of("ocid"))

PAKET = Table(
    "paket",
    _("satu baris per paket yang dipublikasikan"),
    (
        OCID,
        Column("kode_rup", _("Kode RUP paket di SiRUP"), TEXT, _of("rup_code")),
        Column("tahun_anggaran", _("Tahun anggaran"), WHOLE, _of("fiscal_year")),
        Column(
            "kode_pd", _("Kode perangkat daerah di portal"), TEXT, lambda r: r.process.agency.code
        ),
        Column(
            "perangkat_daerah", _("Nama perangkat daerah"), TEXT, lambda r: r.process.agency.name
        ),
        Column("nama_paket", _("Nama paket"), TEXT, _of("title")),
        Column("program", _("Program (DPA)"), TEXT, _of("program_name")),
        Column("kegiatan", _("Kegiatan (DPA)"), TEXT, _of("activity_name")),
        Column("sub_kegiatan", _("Sub kegiatan (DPA)"), TEXT, _of("sub_activity_name")),
        Column("kode_rekening", _("Kode rekening belanja"), TEXT, _of("account_code")),
        Column(
            "sumber_dana",
            _("Sumber dana"),
            LIST,
            lambda r: list(r.process.funding_sources or []),
        ),
        Column(
            "jenis_pengadaan",
            _("Jenis pengadaan (nama)"),
            TEXT,
            lambda r: r.process.get_category_display() if r.process.category else "",
        ),
        Column(
            "metode_pemilihan",
            _("Metode pemilihan penyedia (nama)"),
            TEXT,
            lambda r: r.process.get_method_display() if r.process.method else "",
        ),
        Column(
            "kecamatan",
            _(
                "Setiap kecamatan yang disebut lokasi paket, kecamatan utama lebih dulu (beberapa "
                "dipisah ;)"
            ),
            TEXT,
            lambda r: kecamatan_of(r.process),
        ),
        Column("desa", _("Desa/kelurahan lokasi"), TEXT, _of("location_desa")),
        Column("pagu", _("Pagu anggaran paket"), MONEY, _of("budget_amount")),
        Column("hps", _("Harga perkiraan sendiri (HPS)"), MONEY, _of("hps_amount")),
        Column("kode_tender", _("Kode tender di LPSE"), TEXT, _of("tender_code")),
        Column(
            "jumlah_peserta",
            _("Jumlah penyedia yang mendaftar di LPSE (bukan jumlah penawar)"),
            WHOLE,
            _of("number_of_tenderers"),
        ),
        Column(
            "npwp_pemenang",
            _("NPWP pemenang, seperti tertulis di sumbernya"),
            TEXT,
            _winner("npwp"),
        ),
        Column("pemenang", _("Nama pemenang"), TEXT, _winner("name")),
        Column("nilai_penetapan", _("Nilai penetapan pemenang"), MONEY, _of("award_amount")),
        Column("nomor_kontrak", _("Nomor kontrak"), TEXT, _of("contract_number")),
        Column(
            "nilai_kontrak", _("Nilai kontrak saat ditandatangani"), MONEY, _of("contract_amount")
        ),
        Column(
            "tanggal_kontrak", _("Tanggal kontrak ditandatangani"), DATE, _of("contract_signed")
        ),
        Column(
            "tanggal_serah_terima",
            _("Tanggal serah terima pekerjaan (PHO)"),
            DATE,
            _of("pho_date"),
        ),
        Column(
            "tahap_tercapai",
            _("Tahap terakhir yang dicapai paket (nama)"),
            TEXT,
            lambda r: r.process.get_stage_reached_display(),
        ),
        Column(
            "semua_tahap_lengkap",
            _("Data setiap tahap yang berlaku lengkap"),
            YES_NO,
            lambda r: bool(r.process.all_complete),
        ),
        Column(
            "jumlah_dokumen",
            _("Jumlah dokumen PDF paket (tanpa dokumen perangkat daerah)"),
            WHOLE,
            lambda r: len(r.lists["documents"]),
        ),
        Column(
            "tanda",
            _("Kode tanda untuk dicermati"),
            LIST,
            lambda r: sorted(flag.flag for flag in r.process.flags.all()),
        ),
        Column("dipublikasikan", _("Waktu paket dipublikasikan"), MOMENT, _of("published_at")),
        Column("diperbarui", _("Waktu data paket terakhir diubah"), MOMENT, _of("updated_at")),
        Column("url", _("Halaman paket di portal"), URL, lambda r: package_url(r.process)),
        # New columns go last, so that readers of the older files by position keep working.
        Column(
            "npwp_pemenang_lolos_uji",
            _("NPWP pemenang lolos uji angka pemeriksa"),
            YES_NO,
            lambda r: _passes(r.process.supplier),
        ),
    ),
    lambda process, lists: [Row(process, lists)],
)


@dataclass(frozen=True)
class DocumentEntry:
    """A row of dokumen.csv: a PDF of the package, or a progress photo (a document of the
    implementation in the OCDS too, with the same id there)."""

    id: Any
    stage: str
    type_name: str
    ocds_code: str
    title: str
    filename: str
    pages: Any
    size: Any
    sha256: str
    uploaded: Any
    url: str


def _document_entries(process, lists):
    for document in lists["documents"]:
        entry = DocumentEntry(
            document.pk,
            document.get_stage_display(),
            document.document_type.name,
            document.document_type.ocds_code,
            document.title,
            document.original_filename,
            document.page_count,
            document.size,
            document.sha256,
            document.uploaded_at,
            document_url(document),
        )
        yield Row(process, lists, entry)
    for report in lists["progress"]:
        for photo in report.photos.all():
            entry = DocumentEntry(
                f"foto-kemajuan-{photo.pk}",
                Stage.IMPLEMENTATION.label,
                "Foto kemajuan pekerjaan",  # i18n: data (the files' wording, as the OCDS)
                "physicalProgressReport",
                f"Foto kemajuan pekerjaan {report.date.isoformat()}",  # i18n: data
                "",  # the camera's file name is not kept
                None,
                photo.size,
                "",
                photo.created_at,
                photo_url(photo),
            )
            yield Row(process, lists, entry)


DOKUMEN = Table(
    "dokumen",
    _("satu baris per dokumen PDF dan foto kemajuan"),
    (
        OCID,
        Column(
            "id_dokumen", _("Pengenal dokumen (foto: foto-kemajuan-<nomor>)"), TEXT, _item("id")
        ),
        Column("tahap", _("Tahap paket (nama)"), TEXT, _item("stage")),
        Column("jenis", _("Jenis dokumen"), TEXT, _item("type_name")),
        Column(
            "document_type", _("Kode jenis dokumen OCDS (documentType)"), TEXT, _item("ocds_code")
        ),
        Column("judul", _("Judul dokumen"), TEXT, _item("title")),
        Column("nama_berkas", _("Nama berkas saat diunggah"), TEXT, _item("filename")),
        Column("halaman", _("Jumlah halaman"), WHOLE, _item("pages")),
        Column("ukuran_bita", _("Ukuran berkas (bita)"), WHOLE, _item("size")),
        Column("sha256", _("Sidik SHA-256 berkas"), TEXT, _item("sha256")),
        Column("diunggah", _("Waktu diunggah"), MOMENT, _item("uploaded")),
        Column("url", _("Alamat unduhan dokumen"), URL, _item("url")),
    ),
    _document_entries,
)

PESERTA = Table(
    "peserta",
    _("satu baris per peserta tender"),
    (
        OCID,
        Column(
            "npwp",
            _("NPWP peserta, seperti tertulis di sumbernya"),
            TEXT,
            lambda r: r.item.supplier.npwp,
        ),
        Column("nama", _("Nama peserta"), TEXT, lambda r: r.item.supplier.name),
        Column("nilai_penawaran", _("Nilai penawaran"), MONEY, _item("bid_amount")),
        Column(
            "harga_terkoreksi", _("Harga penawaran terkoreksi"), MONEY, _item("corrected_amount")
        ),
        Column(
            "pemenang",
            _("Peserta ini pemenang paket"),
            YES_NO,
            lambda r: r.item.supplier_id == r.process.supplier_id,
        ),
        Column(
            "npwp_lolos_uji",
            _("NPWP peserta lolos uji angka pemeriksa"),
            YES_NO,
            lambda r: _passes(r.item.supplier),
        ),
    ),
    lambda process, lists: [Row(process, lists, bidder) for bidder in lists["bidders"]],
)

PEMENANG = Table(
    "pemenang",
    _("satu baris per penetapan pemenang"),
    (
        OCID,
        Column("tanggal_penetapan", _("Tanggal penetapan pemenang"), DATE, _of("award_date")),
        Column("nilai_penetapan", _("Nilai penetapan pemenang"), MONEY, _of("award_amount")),
        Column("hps", _("Harga perkiraan sendiri (HPS)"), MONEY, _of("hps_amount")),
        Column("pagu", _("Pagu anggaran paket"), MONEY, _of("budget_amount")),
        Column(
            "npwp_pemenang",
            _("NPWP pemenang, seperti tertulis di sumbernya"),
            TEXT,
            _winner("npwp"),
        ),
        Column("pemenang", _("Nama pemenang"), TEXT, _winner("name")),
        Column(
            "npwp_pemenang_lolos_uji",
            _("NPWP pemenang lolos uji angka pemeriksa"),
            YES_NO,
            lambda r: _passes(r.process.supplier),
        ),
    ),
    lambda process, lists: (
        [Row(process, lists)] if process.supplier_id or process.award_amount else []
    ),
)

TANDA = Table(
    "tanda",
    _("satu baris per tanda untuk dicermati"),
    (
        OCID,
        Column("tanda", _("Kode tanda"), TEXT, _item("flag")),
        Column("nama_tanda", _("Nama tanda"), TEXT, lambda r: r.item.get_flag_display()),
        Column("alasan", _("Alasan tanda, dengan angkanya"), TEXT, _item("reason")),
        Column(
            "dasar",
            _("Dasar ambang batasnya"),
            TEXT,
            lambda r: r.item.threshold.source if r.item.threshold else "",
        ),
    ),
    lambda process, lists: [
        Row(process, lists, flag) for flag in sorted(process.flags.all(), key=lambda f: f.flag)
    ],
)

KONTRAK = Table(
    "kontrak",
    _("satu baris per kontrak"),
    (
        OCID,
        Column("nomor_kontrak", _("Nomor kontrak"), TEXT, _of("contract_number")),
        Column(
            "tanggal_tanda_tangan",
            _("Tanggal kontrak ditandatangani"),
            DATE,
            _of("contract_signed"),
        ),
        Column("mulai", _("Tanggal mulai kontrak"), DATE, _of("contract_start")),
        Column("akhir", _("Tanggal akhir kontrak saat ditandatangani"), DATE, _of("contract_end")),
        Column(
            "nilai_kontrak", _("Nilai kontrak saat ditandatangani"), MONEY, _of("contract_amount")
        ),
        Column(
            "npwp_penyedia",
            _("NPWP penyedia, seperti tertulis di sumbernya"),
            TEXT,
            _winner("npwp"),
        ),
        Column("penyedia", _("Nama penyedia"), TEXT, _winner("name")),
        Column("jumlah_adendum", _("Jumlah adendum"), WHOLE, lambda r: len(r.lists["amendments"])),
        Column(
            "total_pembayaran",
            _("Jumlah pembayaran yang tercatat"),
            MONEY,
            lambda r: sum(payment.amount for payment in r.lists["payments"]),
        ),
        Column(
            "tanggal_serah_terima", _("Tanggal serah terima pekerjaan (PHO)"), DATE, _of("pho_date")
        ),
        Column(
            "npwp_penyedia_lolos_uji",
            _("NPWP penyedia lolos uji angka pemeriksa"),
            YES_NO,
            lambda r: _passes(r.process.supplier),
        ),
    ),
    lambda process, lists: (
        [Row(process, lists)]
        if process.contract_number or process.contract_amount or process.contract_signed
        else []
    ),
)

# In the order of the CSV files and of the workbook's sheets.
TABLES = {table.name: table for table in (PAKET, DOKUMEN, PESERTA, PEMENANG, TANDA, KONTRAK)}


def package_values(process, names, lists=None):
    """{name: JSON value} of these paket columns for one package: the API's fields that are
    also columns of paket.csv, so that the two never disagree."""
    row = Row(process, lists or {})
    columns = {column.name: column for column in PAKET.columns}
    return {name: as_json(columns[name].get(row)) for name in names}
