"""Reading an export as rows: CSV (UTF-8) or XLSX, first row the column names."""

import csv
import io
import zipfile
from pathlib import Path


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing is written."""


def read_rows(handle, filename, required_columns):
    """Return [(line number, {column: value})], checking the columns before any row."""
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        header, rows = _xlsx(handle, filename)
    elif suffix in {".csv", ".txt"}:
        header, rows = _csv(handle, filename)
    else:
        raise ImportFileError(f"{filename}: hanya berkas CSV atau XLSX yang dapat diimpor")
    missing = [column for column in required_columns if column not in header]
    if missing:
        raise ImportFileError(
            f"{filename}: kolom wajib tidak ada: {', '.join(missing)}. "
            "Pastikan baris pertama berisi nama kolom ekspor aslinya."
        )
    return rows


def _csv(handle, filename):
    raw = handle.read()
    if isinstance(raw, str):
        content = raw
    else:
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"{filename}: bukan teks UTF-8 (byte ke-{error.start + 1} tidak terbaca). "
                "Simpan ulang sebagai “CSV UTF-8” lalu unggah kembali."
            ) from error
    if "\x00" in content:
        raise ImportFileError(f"{filename}: berisi karakter NUL; ini bukan berkas CSV teks")
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration as error:
        raise ImportFileError(f"{filename}: berkas kosong") from error
    except csv.Error as error:
        raise ImportFileError(f"{filename}: bukan CSV yang terbaca ({error})") from error
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            rows.append((line, _row(header, values)))
    except csv.Error as error:
        raise ImportFileError(f"{filename} baris {reader.line_num}: {error}") from error
    return header, rows


def _xlsx(handle, filename):
    from django.conf import settings
    from openpyxl import load_workbook

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
            f"{limit // 2**20:,} MB. Pecah ekspornya per tahun atau unggah sebagai CSV."
        )
    handle.seek(0)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"{filename}: bukan berkas XLSX yang terbaca") from error
    sheet = workbook.worksheets[0]
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
