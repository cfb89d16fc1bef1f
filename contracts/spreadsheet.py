"""An agency's packages as a spreadsheet and back: download, correct in bulk, review, confirm.

The operator downloads one XLSX row per package of their agency and fiscal year (`workbook`),
corrects the editable columns in Excel or LibreOffice, and uploads it again. `read_sheet`
reads the rows back (whatever Excel did to them on re-saving: dates as datetimes, amounts as
floats such as 1250000000.0, text with trailing spaces), `review` compares every row with the
package as it is now and validates each changed cell with the admin's own fields and the
model's rules, and `save_changes` writes the reviewed changes through
`services.save_process`, all of them or none.

Which columns are editable (`COLUMNS`): fields an operator corrects in bulk whose change
touches the package alone: its name, kecamatan, amounts, dates of stages 1 to 4, contract
number, and the officials named on it. Left read-only, with the reason: the kode RUP, kode
tender and fiscal year (they identify the package to the SiRUP/LPSE imports, the bulk PDF
matching and the agency documents that cover it), program/kegiatan codes (which agency
documents cover the package), jenis pengadaan and metode (which stages and documents are
required), the supplier (a row shared with other agencies, NPWP included), publication (its
own confirmation), and the implementation stage (its rows and hand-over dates have their own
forms).

A row carries two hidden, locked cells: the package's id, and its `updated_at` when the sheet
was made (the stamp). A row whose package changed since then is refused, so that the sheet
never undoes an edit made in the meantime.
"""

import datetime
import io
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

from agencies.models import Kecamatan
from contracts import services
from contracts.forms import NipField, RupiahField, RupiahInput, kecamatan_field
from contracts.models import Process, Status
from contracts.templatetags.rupiah import money
from opendata_kontrak.limits import DATE_FORMAT_HINT, say_limits
from opendata_kontrak.params import whole_number
from opendata_kontrak.readers import ZIP_MAGIC, ImportFileError, check_unpacked_size
from opendata_kontrak.text import PrintableTextForm, printable

# The titles a person reads (the sheet's name, its headers) are written in the operator's
# language; a sheet is read back whichever of the portal's languages it was downloaded in.
# The constants are the Indonesian titles; sheet_title() and gettext(KEY_HEADER) the active
# language's.
SHEET_TITLE = "Paket"
KEY_HEADER = gettext_noop("ID paket (jangan diubah)")
STAMP_HEADER = gettext_noop("Versi (jangan diubah)")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What the confirmation carries back (signed): the reviewed rows, good for this long.
CONFIRM_MAX_AGE_SECONDS = 2 * 60 * 60
CONFIRM_SALT = "contracts.spreadsheet.confirm"

TEXT, DATE, RUPIAH, NIP = "teks", "tanggal", "rupiah", "nip"


def sheet_title():
    """The package sheet's name in the active language ("Paket", "Packages")."""
    return gettext("Paket")


def notes_title():
    return gettext("Petunjuk")


def in_each_language(title):
    """A title as each of the portal's languages writes it: [Indonesian, English]. `title`:
    a function giving it in the active language, or a str marked with gettext_noop."""
    written = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            written.append(title() if callable(title) else gettext(title))
    return written


@dataclass(frozen=True)
class Column:
    """One column of the sheet: a Process field, how its cells are typed, whether it is
    the operator's to change."""

    name: str
    kind: str = TEXT
    editable: bool = True
    width: int = 16

    @property
    def header(self):
        """The column's title in the active language."""
        return capfirst(str(Process._meta.get_field(self.name).verbose_name))

    @property
    def headers(self):
        """The column's title in every language a downloaded sheet may carry."""
        return in_each_language(lambda: self.header)


# Read-only first (grey headers), then the editable columns in the order of the stages.
COLUMNS = [
    Column("rup_code", editable=False, width=14),
    Column("tender_code", editable=False, width=14),
    Column("fiscal_year", editable=False, width=10),
    Column("method", editable=False, width=20),
    Column("status", editable=False, width=16),
    Column("title", width=50),
    Column("location_kecamatan", width=18),
    Column("budget_amount", RUPIAH, width=18),
    Column("planned_start", DATE, width=13),
    Column("planned_end", DATE, width=13),
    Column("pa_kpa_name", width=26),
    Column("pa_kpa_nip", NIP, width=22),
    Column("ppk_name", width=26),
    Column("ppk_nip", NIP, width=22),
    Column("pptk_name", width=26),
    Column("pptk_nip", NIP, width=22),
    Column("hps_amount", RUPIAH, width=18),
    Column("tender_announced", DATE, width=13),
    Column("bid_deadline", DATE, width=13),
    Column("award_amount", RUPIAH, width=18),
    Column("award_date", DATE, width=13),
    Column("contract_number", width=24),
    Column("contract_amount", RUPIAH, width=18),
    Column("contract_signed", DATE, width=13),
    Column("contract_start", DATE, width=13),
    Column("contract_end", DATE, width=13),
]
EDITABLE = [column for column in COLUMNS if column.editable]
EDITABLE_NAMES = [column.name for column in EDITABLE]

# Excel stores number formats in the en-US notation and shows them in the reader's locale:
# "#,##0" appears as 1.250.000.000 on an Indonesian Excel. A literal "#.##0" would be read as
# a decimal format instead.
RUPIAH_FORMAT = "#,##0"
DATE_FORMAT = "DD/MM/YYYY"


class SheetError(Exception):
    """The file as a whole cannot be read as this portal's package sheet (in the language
    active when it was raised)."""


def packages_for_sheet(user, fiscal_year=None):
    """The packages an operator's sheet holds and may change: the one rule (editable_by),
    narrowed to the operator's own agency, of one fiscal year if given."""
    packages = Process.objects.editable_by(user).filter(agency_id=user.agency_id)
    if fiscal_year is not None:
        packages = packages.filter(fiscal_year=fiscal_year)
    return packages


def stamp(process):
    """The version a sheet row was made from: the package's last save, to the microsecond."""
    return process.updated_at.isoformat()


# --- download -------------------------------------------------------------------------------


def _shown(process, column):
    value = getattr(process, column.name)
    if column.name == "method":
        # A vocabulary label kept in Indonesian (gettext_noop), shown in the sheet's language.
        return gettext(process.get_method_display()) if value else ""
    if column.name == "status":
        return str(process.get_status_display())
    if column.kind == TEXT or column.kind == NIP:
        return printable(str(value or ""))
    return value


def workbook(processes, *, agency, fiscal_year):
    """The XLSX (bytes) of these packages: sheet "Paket", one row per package.

    Column A holds the package id and column B its stamp, both hidden and locked; read-only
    columns have grey headers and locked cells (sheet protection without a password, which
    only guards against a slip); editable cells are unlocked. Dates are date cells, amounts
    whole-Rupiah number cells, and text is stored as text, never as a formula, whatever it
    starts with.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title()
    grey = PatternFill("solid", fgColor="D9D9D9")
    light_grey = PatternFill("solid", fgColor="F2F2F2")
    editable_fill = PatternFill("solid", fgColor="FFF2CC")
    bold = Font(bold=True)
    unlocked = Protection(locked=False)

    headers = [gettext(KEY_HEADER), gettext(STAMP_HEADER), *(column.header for column in COLUMNS)]
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = bold
        editable = index > 2 and COLUMNS[index - 3].editable
        cell.fill = editable_fill if editable else grey
    sheet.column_dimensions["A"].hidden = True
    sheet.column_dimensions["B"].hidden = True
    for index, column in enumerate(COLUMNS, start=3):
        sheet.column_dimensions[get_column_letter(index)].width = column.width

    for row, process in enumerate(processes, start=2):
        sheet.cell(row=row, column=1, value=process.pk)
        _text_cell(sheet.cell(row=row, column=2), stamp(process))
        for index, column in enumerate(COLUMNS, start=3):
            cell = sheet.cell(row=row, column=index)
            value = _shown(process, column)
            if column.kind == DATE:
                cell.value = value
                cell.number_format = DATE_FORMAT
            elif column.kind == RUPIAH:
                cell.value = value
                cell.number_format = RUPIAH_FORMAT
            else:
                _text_cell(cell, value)
            if column.editable:
                cell.protection = unlocked
            else:
                cell.fill = light_grey
    sheet.freeze_panes = sheet.cell(row=2, column=3 + len(COLUMNS) - len(EDITABLE) + 1)
    sheet.protection.sheet = True
    # Protection guards the locked cells only: widening columns, filtering and sorting stay.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"

    _kecamatan_choices(book, sheet)
    notes = book.create_sheet(notes_title())
    for line in _instructions(agency, fiscal_year):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _kecamatan_choices(book, sheet):
    """A drop-down of the register's kecamatan in the kecamatan column (a hint while typing;
    the upload checks the name against the register again)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    names = list(Kecamatan.objects.order_by("name").values_list("name", flat=True))
    if not names:
        return
    register = book.create_sheet("Kecamatan")
    for row, name in enumerate(names, start=1):
        _text_cell(register.cell(row=row, column=1), name)
    register.sheet_state = "hidden"
    register.protection.sheet = True
    letter = get_column_letter(3 + [c.name for c in COLUMNS].index("location_kecamatan"))
    choice = DataValidation(
        type="list",
        formula1=f"=Kecamatan!$A$1:$A${len(names)}",
        allow_blank=True,
        errorStyle="warning",
        error=gettext("Nama ini tidak ada di register kecamatan; unggahan akan menolaknya."),
        errorTitle=gettext("Kecamatan"),
        showErrorMessage=True,
    )
    choice.add(f"{letter}2:{letter}{max(sheet.max_row, 2)}")
    sheet.add_data_validation(choice)


def _text_cell(cell, value):
    cell.value = value
    # A text that starts with "=" would otherwise be written as a formula and run on opening.
    cell.data_type = "s"
    cell.number_format = "@"


# opendata_kontrak.limits.DATE_FORMAT_HINT, named here so the catalogue holds its English.
gettext_noop("format hh/bb/tttt, misalnya 17/08/2025")


def _instructions(agency, fiscal_year):
    editable = ", ".join(column.header for column in EDITABLE)
    return [
        gettext("Paket %(agency)s, tahun anggaran %(year)s.")
        % {"agency": agency.name, "year": fiscal_year},
        gettext("Ubah hanya kolom berjudul kuning di lembar “%(sheet)s”: %(columns)s.")
        % {"sheet": sheet_title(), "columns": editable},
        gettext(
            "Kolom berjudul abu-abu hanya untuk dibaca. Jangan menambah, menghapus, atau "
            "menyalin baris: setiap baris terikat pada satu paket."
        ),
        gettext("Tanggal diisi sebagai tanggal (%(hint)s); nilai rupiah tanpa sen; NIP 18 angka.")
        % {"hint": gettext(DATE_FORMAT_HINT)},
        gettext(
            "Simpan sebagai XLSX, lalu unggah di halaman Lembar kerja paket. Portal menampilkan "
            "setiap perubahan untuk diperiksa; belum ada yang tersimpan sebelum Anda "
            "mengonfirmasi."
        ),
        gettext(
            "Paket yang diubah di portal setelah berkas ini diunduh tidak dapat diubah lewat "
            "berkas ini: unduh ulang lembarnya."
        ),
    ]


# --- upload ---------------------------------------------------------------------------------


@dataclass
class SheetRow:
    """One row read back: its spreadsheet line, the key and stamp it carries, and the
    editable cells as read ({field name: value}, None for an empty cell)."""

    line: int
    key: object
    stamp: str
    values: dict
    problems: list = field(default_factory=list)


def read_sheet(content, filename):
    """The rows of an uploaded sheet ([SheetRow]); SheetError (in the active language) for a
    file that is not an XLSX, or has no sheet "Paket" (or "Packages": a sheet downloaded in
    either language) with the key columns of this portal's download."""
    from openpyxl import load_workbook

    handle = io.BytesIO(content)
    if content[:4] != ZIP_MAGIC:
        raise SheetError(
            gettext(
                "%(file)s: bukan berkas XLSX. Unggah lembar kerja yang diunduh dari halaman "
                "ini, disimpan sebagai Excel Workbook (.xlsx)."
            )
            % {"file": filename}
        )
    try:
        check_unpacked_size(handle, filename, advice=gettext("Unduh lembar per tahun anggaran."))
        # data_only=False: a formula arrives as a formula, and is refused, never run or
        # taken for the value some other program last cached.
        book = load_workbook(handle, read_only=True, data_only=False)
    except ImportFileError as error:
        raise SheetError(str(error)) from error
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise SheetError(
            gettext("%(file)s: berkas XLSX rusak atau tidak terbaca; simpan ulang sebagai .xlsx.")
            % {"file": filename}
        ) from error
    try:
        title = next((t for t in in_each_language(sheet_title) if t in book.sheetnames), None)
        if title is None:
            raise SheetError(
                gettext(
                    "%(file)s: tidak ada lembar “%(sheet)s”. Unggah berkas yang diunduh dari "
                    "halaman Lembar kerja paket, tanpa mengganti nama lembarnya."
                )
                % {"file": filename, "sheet": sheet_title()}
            )
        sheet = book[title]
        sheet.reset_dimensions()
        lines = sheet.iter_rows()
        header = [str(cell.value or "").strip() for cell in next(lines, ())]
        if not (
            set(in_each_language(KEY_HEADER)) & set(header)
            and set(in_each_language(STAMP_HEADER)) & set(header)
        ):
            raise SheetError(
                gettext(
                    "%(file)s: lembar “%(sheet)s” tidak memuat kolom “%(key)s” dan “%(stamp)s”. "
                    "Unggah berkas yang diunduh dari halaman ini."
                )
                % {
                    "file": filename,
                    "sheet": title,
                    "key": gettext(KEY_HEADER),
                    "stamp": gettext(STAMP_HEADER),
                }
            )
        positions = {name: index for index, name in enumerate(header) if name}
        rows = []
        for line, cells in enumerate(lines, start=2):
            cells = list(cells)
            if all(_empty(cell) for cell in cells):
                continue
            rows.append(_row(line, cells, positions))
        return rows
    finally:
        book.close()


def _empty(cell):
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def _cell(cells, positions, headers):
    """The cell under the first of `headers` (one title in each language) the sheet has."""
    index = next((positions[h] for h in headers if h in positions), None)
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _row(line, cells, positions):
    key_cell = _cell(cells, positions, in_each_language(KEY_HEADER))
    stamp_cell = _cell(cells, positions, in_each_language(STAMP_HEADER))
    row = SheetRow(
        line=line,
        key=_key(key_cell.value if key_cell is not None else None),
        stamp=str(stamp_cell.value or "").strip() if stamp_cell is not None else "",
        values={},
    )
    for column in EDITABLE:
        cell = _cell(cells, positions, column.headers)
        if cell is None:
            continue  # a column taken out of the sheet changes nothing
        if cell.data_type == "f":
            row.problems.append(
                (
                    column,
                    gettext(
                        "berisi rumus; tulis nilainya saja (salin, lalu tempel sebagai nilai)."
                    ),
                )
            )
            continue
        try:
            row.values[column.name] = plain_cell(cell.value, column.kind)
        except ValueError as error:
            row.problems.append((column, str(error)))
    return row


def _key(value):
    """A package id as the key cell holds it (an int, a whole float, digits as text), or None;
    bounded like any number read from outside (opendata_kontrak.params.whole_number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | str):
        return whole_number(value)
    return None


def plain_cell(value, kind):
    """A cell's value as the column's form field takes it, whatever program saved it:
    datetime -> date, a whole float (1250000000.0) -> int, text without surrounding spaces,
    a number in a text column -> its digits; None or "" for an empty cell.
    Raises ValueError (in the active language) for an amount with sen."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if value is None:
        return None
    if kind == NIP and isinstance(value, int | float) and not isinstance(value, bool):
        # A spreadsheet keeps a number in 15 significant digits: an 18-digit NIP typed as a
        # number has lost its last digits already (197001011990031001 -> ...031000), and what
        # is left may still look like a NIP. Only the text the operator typed is trusted.
        raise ValueError(
            gettext(
                "NIP tersimpan sebagai angka, sehingga angka terakhirnya bisa berubah; ketik "
                "ulang sebagai teks (awali dengan tanda petik ' atau format sel sebagai Teks)."
            )
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if kind == DATE:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return str(value)  # a bare number: the date field says how to write a date
    if kind == RUPIAH:
        if isinstance(value, float):
            raise ValueError(gettext("jumlah rupiah ditulis tanpa sen (bilangan bulat)."))
        if isinstance(value, datetime.date):
            raise ValueError(gettext("berisi tanggal, bukan jumlah rupiah."))
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# --- review ---------------------------------------------------------------------------------


def _sheet_formfield(db_field, **kwargs):
    # The admin's own fields for the same columns (contracts.admin.ProcessAdmin).
    if db_field.name.endswith("_nip"):
        return NipField(label=capfirst(db_field.verbose_name))
    if db_field.name.endswith("_amount"):
        return db_field.formfield(form_class=RupiahField, widget=RupiahInput, **kwargs)
    return db_field.formfield(**kwargs)


class PackageSheetForm(PrintableTextForm, forms.ModelForm):
    """The changed cells of one row, checked by the admin's own fields (NIP, Rupiah,
    kecamatan from the register, dates) and the model's rules. `only`: the field names
    present; the form drops the others, so an unchanged cell is never checked."""

    class Meta:
        model = Process
        fields = EDITABLE_NAMES
        formfield_callback = _sheet_formfield

    def __init__(self, *args, only, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in only:
                del self.fields[name]
        if "location_kecamatan" in self.fields:
            current = self.instance.location_kecamatan
            self.fields["location_kecamatan"] = kecamatan_field(current)
            self.fields["location_kecamatan"].error_messages["invalid_choice"] = gettext(
                "“%(value)s” tidak ada di register kecamatan; tulis namanya persis seperti di "
                "register (misalnya Dander)."
            )
        for name, form_field in self.fields.items():
            say_limits(form_field, name)


@dataclass
class Change:
    """A package's reviewed change: [(column header, old shown, new shown)] and the new
    values {field name: value}."""

    line: int
    process: Process
    title: str
    stamp: str
    cells: list
    values: dict
    raw: dict


@dataclass
class Review:
    changes: list
    errors: list
    rows: int
    refused_lines: set = field(default_factory=set)

    @property
    def ok(self):
        return not self.errors

    @property
    def cell_count(self):
        return sum(len(change.cells) for change in self.changes)


def _same(old, new, kind):
    if kind in (TEXT, NIP):
        # As the sheet showed it: without control characters or surrounding spaces.
        return printable(old or "").strip() == (new if new is not None else "")
    if kind == DATE and isinstance(new, str):
        return False
    return old == new


def display(value, kind):
    """A value as the preview shows it, by the active language: Rp 1.250.000.000 and
    dd/mm/yyyy in Indonesian, IDR 1,250,000,000 and yyyy-mm-dd in English; "—" for empty."""
    if value is None or value == "":
        return "—"
    if kind == RUPIAH and isinstance(value, int):
        return money(value)
    if kind == DATE and isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def review(rows, *, user, lock=False):
    """Compare sheet rows with the packages now, and check every changed cell.

    Returns a Review: the changes (only cells whose value differs, after the admin's fields
    cleaned them: a NIP typed with spaces is no change) and the errors, each in the active
    language and
    naming its spreadsheet line and column. A row is refused whole when its key is unknown,
    belongs to a package the user may not change through this sheet, repeats another row, or
    its stamp differs from the package's (changed since the download). `lock`: read the
    packages FOR UPDATE (inside the confirming transaction).
    """
    allowed = packages_for_sheet(user)
    keys = [row.key for row in rows if row.key is not None]
    everything = Process.objects.without_bookkeeping().filter(pk__in=keys)
    if lock:
        everything = everything.select_for_update()
    known = {process.pk: process for process in everything}
    mine = set(allowed.filter(pk__in=keys).values_list("pk", flat=True))
    changes, errors, seen = [], [], {}
    refused = set()

    def refuse(row, message):
        errors.append(
            gettext("Baris %(line)s: %(problem)s") % {"line": row.line, "problem": message}
        )
        refused.add(row.line)

    for row in rows:
        if row.key is None:
            refuse(
                row,
                gettext("kolom “%(key)s” kosong atau diubah; baris ini tidak dikenali.")
                % {"key": gettext(KEY_HEADER)},
            )
            continue
        if row.key in seen:
            refuse(
                row,
                gettext("paket yang sama sudah ada di baris %(line)s; satu baris satu paket.")
                % {"line": seen[row.key]},
            )
            continue
        seen[row.key] = row.line
        process = known.get(row.key)
        if process is None:
            refuse(
                row,
                gettext("paket dengan ID %(id)s tidak ada (mungkin sudah dihapus).")
                % {"id": row.key},
            )
            continue
        if row.key not in mine:
            refuse(
                row,
                gettext(
                    "paket ini bukan milik perangkat daerah Anda; hanya paket perangkat daerah "
                    "Anda yang dapat diubah lewat lembar ini."
                ),
            )
            continue
        for column, problem in row.problems:
            errors.append(
                gettext("Baris %(line)s, kolom %(column)s: %(problem)s")
                % {"line": row.line, "column": column.header, "problem": problem}
            )
            refused.add(row.line)
        candidates = {
            column.name: row.values[column.name]
            for column in EDITABLE
            if column.name in row.values
            and not _same(getattr(process, column.name), row.values[column.name], column.kind)
        }
        if not candidates:
            continue
        title = process.title
        row_errors = []
        change = _check_row(row, process, candidates, row_errors)
        if row.stamp != stamp(process) and (row_errors or change.cells):
            # Its cells are beside the point: the row was written against an older package.
            refuse(
                row,
                gettext(
                    "paket “%(title)s” sudah diubah di portal sejak lembar ini diunduh, jadi "
                    "perubahan baris ini bisa menimpa isian terbaru. Unduh ulang lembarnya, lalu "
                    "ulangi perubahan baris ini."
                )
                % {"title": title},
            )
        elif change is None:
            errors.extend(row_errors)
            refused.add(row.line)
        elif change.cells:
            changes.append(change)
    return Review(changes=changes, errors=errors, rows=len(rows), refused_lines=refused)


def _check_row(row, process, candidates, errors):
    columns = {column.name: column for column in EDITABLE}
    title = process.title
    before = {name: getattr(process, name) for name in candidates}
    data = {name: "" if value is None else value for name, value in candidates.items()}
    form = PackageSheetForm(data=data, instance=process, only=set(candidates))
    if not form.is_valid():
        _say_errors(row, form.errors.as_data(), columns, errors)
        for name, value in before.items():
            setattr(process, name, value)
        return None
    try:
        # What save_process will check: the whole package, so a new end date is also held
        # against the start date the sheet left alone.
        process.full_clean()
    except ValidationError as error:
        _say_errors(row, error.update_error_dict({}), columns, errors)
        return None
    cells, values, raw = [], {}, {}
    for name, old in before.items():
        new = getattr(process, name)
        if new == old:
            continue  # the same value, written another way
        column = columns[name]
        cells.append((column.header, display(old, column.kind), display(new, column.kind)))
        values[name] = new
        raw[name] = candidates[name]
    return Change(
        line=row.line,
        process=process,
        title=title,
        stamp=row.stamp,
        cells=cells,
        values=values,
        raw=raw,
    )


def _say_errors(row, error_dict, columns, errors):
    for name, field_errors in error_dict.items():
        column = columns.get(name)
        if column:
            where = gettext("Baris %(line)s, kolom %(column)s") % {
                "line": row.line,
                "column": column.header,
            }
        elif name in {f.name for f in Process._meta.concrete_fields}:
            # A rule broken by a field the sheet does not hold (an imported value): the
            # package's own page is where it is fixed.
            label = Process._meta.get_field(name).verbose_name
            where = gettext("Baris %(line)s, isian %(field)s (perbaiki di halaman paketnya)") % {
                "line": row.line,
                "field": label,
            }
        else:
            where = gettext("Baris %(line)s") % {"line": row.line}
        for error in field_errors:
            for message in ValidationError(error).messages:
                errors.append(
                    gettext("%(where)s: %(problem)s") % {"where": where, "problem": message}
                )


# --- confirm --------------------------------------------------------------------------------


def _json(value):
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    return value


def _from_json(value):
    if isinstance(value, dict) and "date" in value:
        return datetime.date.fromisoformat(value["date"])
    return value


def confirmation(review_result, *, user):
    """A signed token of the reviewed changes (their keys, stamps and cells as read), which
    the confirming request sends back; nothing of it is trusted beyond being reviewed again."""
    return signing.dumps(
        {
            "user": user.pk,
            "rows": [
                [
                    change.line,
                    change.process.pk,
                    change.stamp,
                    {k: _json(v) for k, v in change.raw.items()},
                ]
                for change in review_result.changes
            ],
        },
        salt=CONFIRM_SALT,
        compress=True,
    )


def rows_from_confirmation(token, *, user):
    """The rows a confirmation token carries ([SheetRow]); SheetError when it is not one of
    this user's, was altered, or is older than CONFIRM_MAX_AGE_SECONDS."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE_SECONDS)
    except signing.SignatureExpired as error:
        raise SheetError(
            gettext(
                "Pratinjau ini sudah lebih dari dua jam; unggah berkasnya lagi untuk memeriksa "
                "perubahannya sekali lagi."
            )
        ) from error
    except signing.BadSignature as error:
        raise SheetError(gettext("Konfirmasi tidak sah; unggah berkasnya lagi.")) from error
    if data.get("user") != user.pk:
        raise SheetError(gettext("Konfirmasi ini milik pengguna lain; unggah berkasnya lagi."))
    return [
        SheetRow(
            line=line,
            key=key,
            stamp=row_stamp,
            values={k: _from_json(v) for k, v in values.items()},
        )
        for line, key, row_stamp, values in data["rows"]
    ]


@transaction.atomic
def save_changes(*, rows, by):
    """Review the rows again with the packages locked, and save every change or none.

    Returns the Review. When it has errors nothing is written; otherwise each package goes
    through services.save_process (permission, audit entry, completeness, OCDS release), in
    this one transaction.
    """
    result = review(rows, user=by, lock=True)
    if result.ok:
        for change in result.changes:
            services.save_process(process=change.process, by=by)
    return result


def published_count(review_result):
    return sum(1 for change in review_result.changes if change.process.status == Status.PUBLISHED)
