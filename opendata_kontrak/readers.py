"""Reading an export as rows: CSV or XLSX, first row the column names.

What a file is comes from its content, not its name (an XLSX is a zip archive; anything else is
read as CSV text); a CSV's separator is sniffed (Excel with Indonesian regional settings writes
`;`), and its encoding is UTF-8 or, failing that, Excel's Windows-1252.
"""

import csv
import io
import zipfile
from pathlib import Path


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing is written."""


ZIP_MAGIC = b"PK\x03\x04"
SEPARATORS = ",;\t|"


def read_rows(handle, filename, required_columns):
    """Return [(line number, {column: value})], checking the columns before any row."""
    header, rows = read_table(handle, filename)
    check_columns(header, required_columns, filename)
    return rows


def read_table(handle, filename):
    """(the column names, [(line number, {column: value})]) of a CSV or XLSX export."""
    start = handle.read(4)
    handle.seek(0)
    if isinstance(start, bytes) and start == ZIP_MAGIC:
        return _xlsx(handle, filename)
    if Path(filename).suffix.lower() in {".xlsx", ".xlsm"}:
        raise ImportFileError(
            f"{filename}: bukan berkas XLSX yang utuh (rusak, terpotong saat diunduh, atau "
            "berkas lain yang diberi nama .xlsx). Unduh atau simpan ulang dari program "
            "spreadsheetnya sebagai XLSX, lalu unggah lagi."
        )
    if Path(filename).suffix.lower() in {".xls", ".ods", ".pdf", ".doc", ".docx"}:
        raise ImportFileError(
            f"{filename}: hanya berkas CSV atau XLSX yang dapat diimpor; simpan ulang "
            "sebagai XLSX atau CSV"
        )
    return _csv(handle, filename)


def check_columns(header, required_columns, filename):
    missing = [column for column in required_columns if column not in header]
    if missing:
        raise ImportFileError(
            f"{filename}: kolom wajib tidak ada: {', '.join(missing)}. "
            "Pastikan baris pertama berisi nama kolom ekspor aslinya."
        )


def _csv(handle, filename):
    raw = handle.read()
    content = raw if isinstance(raw, str) else _decode(raw, filename)
    if "\x00" in content:
        raise ImportFileError(f"{filename}: berisi karakter NUL; ini bukan berkas CSV teks")
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=_separator(content))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration as error:
        raise ImportFileError(f"{filename}: berkas kosong") from error
    except csv.Error as error:
        raise ImportFileError(f"{filename}: bukan CSV yang terbaca ({error})") from error
    rows = []
    try:
        # Rows numbered as a spreadsheet shows them (the header is row 1), not as lines of
        # the file: a cell with line breaks in it is still one row.
        for line, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            rows.append((line, _row(header, values)))
    except csv.Error as error:
        raise ImportFileError(f"{filename} baris {reader.line_num}: {error}") from error
    return header, rows


def _decode(raw, filename):
    """UTF-8 (with or without its mark); else UTF-16 with its mark (Excel's "Unicode Text") or
    Windows-1252 (Excel's plain CSV on Indonesian Windows), taken only when the header line it
    gives is plain ASCII, as every export's column names are."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problem = error
    fallbacks = ["utf-16"] if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else []
    if b"\x00" not in raw:
        fallbacks.append("cp1252")
    for encoding in fallbacks:
        try:
            content = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        header = content.lstrip("\ufeff").split("\n", 1)[0].strip()
        if header and header.isascii() and header.isprintable():
            return content
    raise ImportFileError(
        f"{filename}: bukan teks UTF-8 (byte ke-{problem.start + 1} tidak terbaca). "
        "Simpan ulang sebagai “CSV UTF-8” lalu unggah kembali."
    )


def _separator(content):
    """The separator of a CSV: csv.Sniffer's reading of the first lines, checked against the
    header (the separator that splits the header into the most columns wins a tie)."""
    sample = content[: 64 * 1024]
    header_line = sample.splitlines()[0] if sample else ""
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        sniffed = None
    counts = {sep: len(next(csv.reader([header_line], delimiter=sep), [])) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    if sniffed and counts.get(sniffed, 0) >= counts[best]:
        return sniffed
    return best


def check_unpacked_size(
    handle, filename, advice="Pecah ekspornya per tahun atau unggah sebagai CSV."
):
    """Refuse an XLSX (a zip archive) whose members declare more than
    IMPORT_XLSX_MAX_UNPACKED_BYTES, before anything parses it, with `advice` on what to do;
    ImportFileError too for a file that is no zip at all. `handle` is left at its start."""
    from django.conf import settings

    # An XLSX is a zip: a small file can unpack to gigabytes (a decompression bomb). The
    # sizes its members declare bound what reading them can produce; refuse before parsing.
    try:
        with zipfile.ZipFile(handle) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError(f"{filename}: bukan berkas XLSX yang terbaca") from error
    limit = settings.IMPORT_XLSX_MAX_UNPACKED_BYTES
    if unpacked > limit:
        raise ImportFileError(
            f"{filename}: isinya {unpacked // 2**20:,} MB setelah dibuka, lebih dari batas "
            f"{limit // 2**20:,} MB. {advice}"
        )
    handle.seek(0)


def _xlsx(handle, filename):
    from openpyxl import load_workbook

    check_unpacked_size(handle, filename)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"{filename}: bukan berkas XLSX yang terbaca") from error
    sheet = workbook.worksheets[0]
    # Some programs declare a smaller sheet than they write; read-only mode trusts the
    # declaration unless it is reset, and would drop the rows beyond it.
    sheet.reset_dimensions()
    lines = sheet.iter_rows(values_only=True)
    try:
        header = [str(value or "").strip() for value in next(lines)]
    except StopIteration as error:
        raise ImportFileError(f"{filename}: lembar pertama kosong") from error
    rows = []
    for line, values in enumerate(lines, start=2):
        if not any(value not in (None, "") for value in values):
            continue
        rows.append((line, _row(header, ["" if v is None else v for v in values])))
    workbook.close()
    return header, rows


def _row(header, values):
    row = dict(zip(header, values, strict=False))
    for column in header[len(values) :]:
        row[column] = ""
    return row
