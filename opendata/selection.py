"""The public list's current selection to take away: `/paket/unduh.csv`, `.xlsx`, `.json`.

The list's filters (`contracts.filters.PackageFilter`, read from the same query string) choose
the packages, `Process.objects.published()` decides what may be shown, and the list's sort
orders them; every row is built from the columns of the bulk files (`opendata.columns.PAKET`),
so a row of the selection reads exactly like the same package's row of `paket.csv` (in JSON,
numbers, yes/no and lists typed as JSON's).

The packages are read in chunks of CHUNK (opendata_kontrak/chunked.py: the selection's keys
in order, then each chunk's packages, documents and flags in one query each; no server-side
cursor, so behind a transaction-mode pooler too): the number of queries grows with the
chunks, never with the rows, and a worker holds one chunk at a time (and 8 bytes a package
for the keys), whatever the size of the selection. Nothing is capped.

Where the filters are written:
- JSON: a `saringan` object (the query's names and values as the list reads them) beside the
  source address, the time and `jumlah_paket`, which closes the document;
- XLSX: a second sheet "Keterangan" with each filter (its label and value), the source address,
  the time and the row count;
- CSV: the file keeps the bulk file's shape (one header line, then rows), so the filters are in
  its name (`paket-pilihan-tahun-2018-metode-tender.csv`) and the `Link` header points back to
  the list page that describes the selection (`rel="describedby"`).

A filter the list would drop (malformed, or an unknown agency code) is refused with a 400 that
names it: a script would otherwise take every package for its selection.
"""

import csv
import tempfile
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from agencies.models import AgencyKind
from contracts import filter_words
from contracts.filters import COMPLETENESS, SORTS, PackageFilter
from contracts.models import Category, Document, FundingSource, Method, Process, Stage, Supplier
from dashboards.exports import text_cell
from integrity.models import Flag, PackageFlag
from opendata.bulk import XLSX, Sheets
from opendata.columns import PAKET, as_json, as_text
from opendata_kontrak import chunked

# Packages read (and held) at a time.
CHUNK = 2000
FORMATS = {"csv": "text/csv", "xlsx": XLSX, "json": "application/json"}
COLUMNS = PAKET.names

# Each filter of the list, its label, and how its value reads (codes by their names). Labels
# and names are read by a person (the "Keterangan" sheet, `keterangan_saringan`), so they are
# in the language of the page the download was asked from (`/en/paket/unduh.xlsx`: English);
# the names a program reads (columns, `saringan`'s keys and values, sheet names) never change.
LABELS = {
    "q": (_("Kata kunci"), None),
    "tahun": (_("Tahun anggaran"), None),
    "pd": (_("Perangkat daerah (kode)"), None),
    "jenis_pd": (_("Jenis perangkat daerah"), AgencyKind),
    "tahap": (_("Tahap terakhir"), Stage),
    "metode": (_("Metode pemilihan"), Method),
    "jenis": (_("Jenis pengadaan"), Category),
    "dana": (_("Sumber dana"), FundingSource),
    "kecamatan": (_("Kecamatan"), None),
    "penyedia": (_("Penyedia (menang atau ikut)"), None),
    "nilai_min": (_("Pagu dari (Rp)"), None),
    "nilai_max": (_("Pagu sampai (Rp)"), None),
    "lengkap": (_("Kelengkapan"), COMPLETENESS),
    "tanda": (_("Tanda untuk dicermati"), Flag),
    "urut": (_("Urutan"), {key: label for key, (label, _order) in SORTS.items()}),
}


def packages(package_filter):
    """The selection's packages in the list's order, with what a row of paket.csv reads: the
    agency and the winner joined, the documents (their ids) and flags prefetched per chunk."""
    return package_filter.apply(
        Process.objects.published().without_bookkeeping().select_related("agency", "supplier")
    ).prefetch_related(
        Prefetch("documents", queryset=Document.objects.only("pk", "process_id")),
        Prefetch("flags", queryset=PackageFlag.objects.only("pk", "process_id", "flag")),
    )


def rows(package_filter):
    """Each package of the selection as a row of paket.csv (domain values of
    opendata.columns.PAKET: ints, text, booleans, lists, dates, aware datetimes), one at a
    time."""
    for process in chunked.in_order(packages(package_filter), CHUNK):
        lists = {"documents": process.documents.all()}
        yield from PAKET.values(process, lists)


def described_filters(package_filter):
    """[(name, label, value as read)] for each filter in use, the sort last; the supplier by
    name and id (one query). Label and value as read in the active language: the
    vocabularies' names are kept Indonesian in the data (`gettext_noop`) and translated here."""
    params = {**package_filter.params, "urut": package_filter.sort}
    described = []
    for name, value in params.items():
        label, names = LABELS[name]
        if name == "penyedia":
            supplier = Supplier.objects.filter(pk=value).only("name").first()
            shown = (
                f"{supplier.name} (id {value})"
                if supplier
                else gettext("id %(id)s (tidak dikenal)") % {"id": value}
            )
        elif names is None:
            shown = str(value)
        elif isinstance(names, dict):
            shown = gettext(names[value]) if value in names else value
        else:
            shown = gettext(names(value).label)
        described.append((name, str(label), shown))
    return described


def filename(package_filter, extension):
    """`paket-pilihan[-name-value…].ext`: the filters in the name, at most 150 characters."""
    parts = [f"{name}-{value}" for name, value in package_filter.params.items()]
    stem = slugify(" ".join(["paket-pilihan", *parts]))[:150].rstrip("-")
    return f"{stem}.{extension}"


REFUSED = _(
    "Unduhan tidak dibuat: ada saringan yang tidak valid, dan tanpa saringan itu berkas ini "
    "berisi paket di luar pilihan Anda. Perbaiki atau hapus saringan itu, lalu unduh lagi."
)


def refused(fmt, problems):
    """400 naming each refused filter: {"galat": REFUSED, "masalah": [sentence]} for JSON (the
    API's shape), else the same as plain text, one sentence a line."""
    problems = [problem.split(";")[0].rstrip(".") + "." for problem in problems]
    refusal = str(REFUSED)  # in the language of the page asked from
    if fmt == "json":
        response = JsonResponse(
            {"galat": refusal, "masalah": problems},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        text = "\n".join([refusal, "", *problems]) + "\n"
        response = HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _disposition(name):
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"


@require_safe
def download(request, fmt):
    """The list's selection (`/paket/?...` filters, sort) as CSV, XLSX or JSON; 404 for any
    other extension.

    A filter the list would ignore (a malformed value, an unknown agency code: `refused`) is a
    400 naming it, as plain text (JSON for `.json`): the list says it drops it beside its
    results, but a script would take the whole portal for its selection."""
    if fmt not in FORMATS:
        raise Http404(gettext("Format unduhan tidak dikenal: pilih csv, xlsx atau json."))
    package_filter = PackageFilter.from_query(request.GET)
    problems = filter_words.check(package_filter, notes=False)
    if problems:
        return refused(fmt, problems)
    query = package_filter.query_string()
    source = request.build_absolute_uri(reverse("contracts:process-list"))
    source += f"?{query}" if query else ""
    made = timezone.localtime()
    writer = {"csv": _csv, "xlsx": _xlsx, "json": _json}[fmt]
    response = writer(package_filter, source=source, made=made)
    response["Content-Disposition"] = _disposition(filename(package_filter, fmt))
    response["Link"] = f'<{source}>; rel="describedby"; type="text/html"'
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"  # open data, like the bulk files and the API
    return response


class _Line:
    def write(self, line):
        return line


def _csv(package_filter, *, source, made):
    """The bulk file's shape: the byte-order mark, one header line, rows with formula-looking
    text neutralised, dates in ISO 8601, streamed as it is read."""
    writer = csv.writer(_Line())

    def lines():
        yield ("\ufeff" + writer.writerow(COLUMNS)).encode()
        for row in rows(package_filter):
            yield writer.writerow([as_text(value) for value in row]).encode()

    return StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")


def _json(package_filter, *, source, made):
    """{"sumber", "dibuat", "saringan", "keterangan_saringan", "kolom", "paket": [{column:
    value}], "jumlah_paket"}, streamed: the count comes last, once the rows are written."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)

    def parts():
        head = {
            "sumber": source,
            "dibuat": made.isoformat(),
            "saringan": {**package_filter.params, "urut": package_filter.sort},
            "keterangan_saringan": {
                name: f"{label}: {shown}"
                for name, label, shown in described_filters(package_filter)
            },
            "kolom": COLUMNS,
        }
        yield encoder.encode(head)[:-1] + ', "paket": ['
        count = 0
        for row in rows(package_filter):
            item = dict(zip(COLUMNS, [as_json(value) for value in row], strict=True))
            yield ("," if count else "") + encoder.encode(item)
            count += 1
        yield f'], "jumlah_paket": {count}}}'

    return StreamingHttpResponse(
        (part.encode() for part in parts()), content_type="application/json; charset=utf-8"
    )


def _xlsx(package_filter, *, source, made):
    """The bulk workbook's "paket" sheet (continued on "paket (2)" past a sheet's 1,048,576
    rows), then "Keterangan": the filters, the source, the time and the row count.

    openpyxl's write-only mode writes each row to a temporary file as it comes, so memory stays
    flat; a ZIP's directory is written last, so the workbook is finished in a temporary file
    and then served from it (FileResponse: read in blocks, with its length)."""
    sheets = Sheets(tables=("paket",))
    count = 0
    for row in rows(package_filter):
        sheets.append("paket", row)
        count += 1
    # The sheet keeps its name in every language (a program finds it by name, as it finds
    # "paket"); what it says is read by a person, in the page's language.
    notes = sheets.workbook.create_sheet("Keterangan")
    notes.append([gettext("Keterangan"), gettext("Nilai")])
    notes.append([gettext("Sumber"), text_cell(notes, source)])
    notes.append([gettext("Dibuat (WIB)"), made.replace(tzinfo=None)])
    notes.append([gettext("Jumlah paket"), count])
    for _name, label, shown in described_filters(package_filter):
        # A filter's value as typed (a keyword "=1+1" too): a text cell, never a formula.
        notes.append([gettext("Saringan: %(label)s") % {"label": label}, text_cell(notes, shown)])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    sheets.save(handle)
    handle.seek(0)
    return FileResponse(handle, content_type=XLSX)
