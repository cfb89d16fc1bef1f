"""CSV and XLSX of what the supervisors see, safe to open in a spreadsheet.

Text that starts like a formula keeps a leading ' in CSV (the common practice: a CSV cell has
no type); in XLSX it is a text cell, shown exactly as written and never evaluated.
"""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from opendata_kontrak.text import printable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """A cell a spreadsheet will not run and can hold: control characters become spaces, and
    text that starts like a formula gets a leading '."""
    value = printable(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_response(filename, header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe(value) for value in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class _Line:
    """A file-like target for csv.writer that hands back the line just written."""

    def write(self, line):
        return line


def csv_stream(filename, header, rows):
    """Like csv_response, but written while `rows` (any iterable, e.g. a queryset iterator)
    is read: a download of every row never holds them all in memory."""
    writer = csv.writer(_Line())

    def lines():
        yield "\ufeff" + writer.writerow(header)  # the BOM spreadsheets read UTF-8 by
        for row in rows:
            yield writer.writerow([safe(value) for value in row])

    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines()), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def text_cell(sheet, value):
    """A text cell of a write-only `sheet` holding exactly `value` (control characters as
    spaces): "=1+1" is text too, with no apostrophe shown, never a formula."""
    cell = WriteOnlyCell(sheet, value=printable(value))
    cell.data_type = "s"  # openpyxl would take text that starts with = for a formula
    return cell


def xlsx_value(sheet, value):
    """A cell of a write-only `sheet`: text always a text cell, anything else as is."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    # openpyxl makes a formula of text that starts with = and an error of "#N/A" and its
    # kind; any other text it writes as text already (no cell object to make per value).
    return text_cell(sheet, value) if value.startswith(("=", "#")) else value


def xlsx_response(filename, header, rows, *, sheet=None):
    """An XLSX download `filename`.xlsx of one sheet, titled `sheet` (the reader's language;
    default the file's name), cut to the 31 characters a sheet's title may have."""
    title = sheet or filename
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_value(sheet, value) for value in header])
    for row in rows:
        sheet.append([xlsx_value(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
