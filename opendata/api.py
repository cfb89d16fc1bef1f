"""A read-only JSON API (/api/v1/): published packages with the public site's filters, agencies
and suppliers. Open to any origin for GET, rate-limited per client address.

Lists are paginated: `count` is the total, `next` and `previous` are full URLs (null at either
end), so a client walks every result by following `next`. Page numbers reach 10,000 rows deep;
where the order is plain columns (the default, by name) `next` is a cursor (`setelah`) that
costs the same at any depth.
"""

import functools

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import gettext, ngettext
from django.views.decorators.csrf import csrf_exempt

from agencies.models import Agency
from contracts import public_cache
from contracts.amendments import spans_fiscal_years
from contracts.filters import PackageFilter
from contracts.models import STAGE_ORDER, Bidder, Process, Stage, Supplier, shown_publicly
from opendata import openapi, ratelimit
from opendata.columns import absolute, as_json, document_url, kecamatan_of, package_values
from opendata_kontrak.languages import api_language, canonical_reverse
from opendata_kontrak.params import whole_number

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class ApiError(Exception):
    def __init__(self, status, message, problems=()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = list(problems)


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    return response


def _reply(data, status=200, headers=None):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return _cors(response)


def refusal_of_writes(request):
    """The answer to a CORS preflight (204) or to anything but GET and HEAD (405), or None."""
    if request.method == "OPTIONS":
        response = _cors(JsonResponse({}, status=204))
        response.content = b""
        return response
    if request.method not in ("GET", "HEAD"):
        response = _reply({"galat": gettext("API ini hanya untuk dibaca (GET).")}, status=405)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response
    return None


def endpoint(view):
    """GET only, rate-limited, errors as JSON in the client's language (`api_language`), CORS
    open on every answer."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if (refusal := refusal_of_writes(request)) is not None:
            return refusal
        limit, window = settings.API_RATE_LIMIT
        verdict = ratelimit.hit(
            "api", ratelimit.client_address(request), limit=limit, window=window
        )
        headers = {
            "X-RateLimit-Limit": str(verdict.limit),
            "X-RateLimit-Remaining": str(verdict.remaining),
        }
        if not verdict.allowed:
            headers["Retry-After"] = str(verdict.retry_after)
            return _reply(
                {
                    "galat": gettext(
                        "Terlalu banyak permintaan: paling banyak %(limit)s per %(window)s "
                        "detik. Coba lagi %(retry)s detik lagi."
                    )
                    % {"limit": limit, "window": window, "retry": verdict.retry_after}
                },
                status=429,
                headers=headers,
            )
        try:
            # Answers depend on the address, the data and the language of the messages: computed
            # once per version and language. The data themselves carry no language (links are
            # the canonical addresses, labels the Indonesian of the data), but the answer is
            # built under the client's language, so nothing translated (a label made lazy
            # later, a sentence from a filter) can reach a client of the other language.
            data = public_cache.remember(
                "api",
                (
                    request.path,
                    sorted(request.GET.lists()),
                    request.build_absolute_uri("/"),
                    translation.get_language(),
                ),
                lambda: view(request, *args, **kwargs),
            )
        except ApiError as error:
            body = {"galat": error.message}
            if error.problems:
                body["masalah"] = error.problems
            return _reply(body, status=error.status, headers=headers)
        return _reply(data, headers=headers)

    return read_only(wrapper)


def read_only(view):
    """Exempt from CSRF: the view itself refuses every method but GET and HEAD with a 405,
    which the CSRF check, coming first, would have turned into a 403 for methods it does not
    know to be safe (QUERY, PROPFIND, ...). Its messages in the client's language
    (`in_api_language`)."""
    return csrf_exempt(in_api_language(view))


def in_api_language(view):
    """Run `view` in the client's language (`api_language`): its messages (errors, refusals,
    a filter's problems) are translated, its data are not. The answer says which language
    (`Content-Language`) and that it varies by `Accept-Language`."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        language = api_language(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        # A view whose body has a language of its own (the OpenAPI document) names it itself.
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language",))
        return response

    return wrapper


def _absolute(request, path):
    """Every link of an answer on the portal's public address (PORTAL_BASE_URL), as in the
    bulk files: one host in one answer, whichever name the client used. `request` is kept
    for the callers' sake (and a later per-request base)."""
    return absolute(path)


# Page numbers reach this many rows deep; beyond, OFFSET would make the database step over
# every earlier row (6 s at a million), so `next` carries a cursor instead (`setelah`).
MAX_OFFSET = 10_000


def _keyset(queryset):
    """The queryset's order as [(field, descending)] when a cursor can follow it: plain model
    fields ending with the id. Orders by expressions (nulls last, search rank) have none."""
    order = queryset.query.order_by
    if not order or order[-1] not in ("pk", "-pk", "id", "-id"):
        return None
    fields = [str(item).removeprefix("-") for item in order]
    if not all(isinstance(item, str) for item in order) or any(
        field in queryset.query.annotations for field in fields
    ):
        return None
    return [(field, item.startswith("-")) for field, item in zip(fields, order, strict=True)]


def _after(keyset, anchor):
    """Rows after `anchor` in the keyset order: (a < x) or (a = x and b < y) and so on."""
    condition, equal = Q(), {}
    for field, descending in keyset:
        condition |= Q(**equal, **{f"{field}__{'lt' if descending else 'gt'}": anchor[field]})
        equal[field] = anchor[field]
    return condition


def _paginate(request, queryset, serialize):
    """One page of `queryset` with its total and the links either side.

    By page number (`halaman`) up to MAX_OFFSET rows deep; where its order allows a keyset,
    `next` is a cursor (`setelah=<id of the last row>`) that costs the same at any depth.
    """
    keyset = _keyset(queryset)
    number = whole_number(request.GET.get("halaman", "1"), max_digits=9)
    size = whole_number(request.GET.get("per_halaman", str(PAGE_SIZE)), max_digits=9)
    if number is None or size is None:
        raise ApiError(400, gettext("halaman dan per_halaman harus bilangan bulat."))
    if number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError(
            400,
            gettext("halaman mulai dari 1; per_halaman antara 1 dan %(max)s.")
            % {"max": MAX_PAGE_SIZE},
        )
    after = request.GET.get("setelah")
    filters = sorted(
        (k, v) for k, v in request.GET.lists() if k not in ("halaman", "per_halaman", "setelah")
    )

    def total(stale=True):
        return public_cache.remember(
            "api-jumlah", (request.path, filters), queryset.count, stale=stale
        )

    stale_before = public_cache.served_stale()
    count = total()
    stale_count = public_cache.served_stale() > stale_before
    pages = max((count + size - 1) // size, 1)
    if stale_count and after is None and number > pages:
        count = total(stale=False)  # the page may exist by now: not a 404 on a stale count
        pages, stale_count = max((count + size - 1) // size, 1), False
    if after is not None:
        if keyset is None:
            raise ApiError(400, gettext("setelah tidak berlaku untuk urutan ini; pakai halaman."))
        anchor_id = whole_number(after)
        if anchor_id is None:
            raise ApiError(400, gettext("setelah harus sebuah id, seperti pada tautan next."))
        fields = [field for field, _ in keyset]
        # The anchor is looked up in the list itself, never in the whole table: an id the
        # list does not show (a draft, another filter's row) answers exactly as a missing one.
        anchor = queryset.filter(pk=anchor_id).values(*fields).first()
        if anchor is None:
            raise ApiError(
                400, gettext("id pada setelah tidak ada di daftar ini; mulai lagi dari awal.")
            )
        rows = list(queryset.filter(_after(keyset, anchor))[: size + 1])
        number = None
    else:
        if (number - 1) * size >= MAX_OFFSET:
            raise ApiError(
                400,
                gettext(
                    "Nomor halaman hanya sampai %(last)s untuk per_halaman %(size)s. "
                    "Lebih jauh: ikuti tautan next (urutan terbaru atau nama), persempit "
                    "saringan, atau unduh berkas massal."
                )
                % {"last": MAX_OFFSET // size, "size": size},
            )
        if number > pages:
            raise ApiError(
                404,
                ngettext(
                    "Halaman %(number)s tidak ada: hanya ada %(pages)s halaman.",
                    "Halaman %(number)s tidak ada: hanya ada %(pages)s halaman.",
                    pages,
                )
                % {"number": number, "pages": pages},
            )
        rows = list(queryset[(number - 1) * size : number * size + 1])
    if stale_count and count < ((number or 1) - 1) * size + len(rows):
        # The stale count is below the rows listed (and the row past this page, when there is
        # one): computed now, so `count` and `jumlah_halaman` cover what `results` shows.
        count = total(stale=False)
        pages = max((count + size - 1) // size, 1)
    more, rows = len(rows) > size, rows[:size]

    def link(**changes):
        query = request.GET.copy()
        for key, value in changes.items():
            if value is None:
                query.pop(key, None)
            else:
                query[key] = value
        return _absolute(request, f"{request.path}?{query.urlencode()}")

    following = None
    if more and keyset is not None:
        following = link(setelah=rows[-1].pk, halaman=None)
    elif more and number * size < MAX_OFFSET:
        following = link(halaman=number + 1)
    return {
        "count": count,
        "halaman": number,
        "jumlah_halaman": pages,
        "per_halaman": size,
        "next": following,
        "previous": link(halaman=number - 1) if number and number > 1 else None,
        "results": [serialize(request, row) for row in rows],
    }


# --- packages ------------------------------------------------------------------------------


def _agency(agency):
    return {"kode": agency.code, "nama": agency.name, "jenis": agency.kind}


def _supplier(request, supplier):
    if supplier is None:
        return None
    return {
        "id": supplier.pk,
        "npwp": supplier.npwp,
        # False: the NPWP fails its check digit (a typing slip at its source, most likely);
        # it is shown as the source wrote it, and OCDS does not publish it as an identifier.
        "npwp_lolos_uji": supplier.npwp_passes_check,
        "nama": supplier.name,
        "api": _absolute(request, canonical_reverse("opendata:api-supplier", args=[supplier.pk])),
    }


_date = as_json  # dates as ISO 8601, moments in WIB with their offset (opendata.columns)

# The fields of a package that are columns of paket.csv too, read from the one definition of
# each (opendata.columns.PAKET): same value, same convention. The API keeps its own for the
# codes (metode_pemilihan, jenis_pengadaan, tahap_tercapai: codes here, names in the tables),
# the nested agency and supplier. `kecamatan` is the tables' value (every kecamatan, ";").
SUMMARY_COLUMNS = [
    "ocid",
    "nama_paket",
    "tahun_anggaran",
    "kode_rup",
    "pagu",
    "hps",
    "nilai_kontrak",
    "semua_tahap_lengkap",
    "tanda",
    "dipublikasikan",
    "diperbarui",
    "url",
]
DETAIL_COLUMNS = [
    "program",
    "kegiatan",
    "sub_kegiatan",
    "kode_rekening",
    "desa",
    "kode_tender",
    "jumlah_peserta",
    "nilai_penetapan",
    "nomor_kontrak",
    "tanggal_kontrak",
    "tanggal_serah_terima",
]


def package_summary(request, process):
    shared = package_values(process, SUMMARY_COLUMNS)
    return {
        "ocid": shared["ocid"],
        "nama_paket": shared["nama_paket"],
        "tahun_anggaran": shared["tahun_anggaran"],
        "kode_rup": shared["kode_rup"],
        "perangkat_daerah": _agency(process.agency),
        "metode_pemilihan": process.method,
        "jenis_pengadaan": process.category,
        "sumber_dana": process.funding_sources,
        "kecamatan": kecamatan_of(process),
        "pagu": shared["pagu"],
        "hps": shared["hps"],
        "nilai_kontrak": shared["nilai_kontrak"],
        "penyedia": _supplier(request, process.supplier),
        "tahap_tercapai": process.stage_reached,
        "semua_tahap_lengkap": shared["semua_tahap_lengkap"],
        "tanda": shared["tanda"],
        "dipublikasikan": shared["dipublikasikan"],
        "diperbarui": shared["diperbarui"],
        # The page on the portal's public address, as in paket.csv (not the host asked).
        "url": shared["url"],
        "api": _absolute(request, canonical_reverse("opendata:api-package", args=[process.ocid])),
        "ocds": _absolute(request, canonical_reverse("opendata:release", args=[process.ocid])),
    }


def _public_packages(queryset=None):
    queryset = Process.objects.published() if queryset is None else queryset
    return queryset.select_related("agency", "supplier").prefetch_related("flags")


@endpoint
def packages(request):
    package_filter = PackageFilter.from_query(request.GET)
    if package_filter.problems:
        # The site ignores a bad filter and says so; an API refuses, naming each one.
        problems = [problem.split(";")[0] + "." for problem in package_filter.problems]
        raise ApiError(400, gettext("Ada saringan yang tidak valid."), problems)
    queryset = package_filter.apply(_public_packages())
    return _paginate(request, queryset, package_summary)


@endpoint
def package(request, ocid):
    # A withdrawn package stays readable at its ocid, as in its OCDS: with the reason.
    process = (
        _public_packages(Process.objects.open_data())
        .prefetch_related("documents__document_type", "bidders__supplier", "completeness")
        .filter(ocid=ocid)
        .first()
    )
    if process is None:
        raise ApiError(404, gettext("Paket tidak ditemukan atau belum dipublikasikan."))
    withdrawn = not process.is_published
    completeness = {row.stage: row for row in process.completeness.all()}
    shared = package_values(process, DETAIL_COLUMNS)
    return {
        **package_summary(request, process),
        # The site no longer shows a withdrawn package (no page); its documents are off line.
        **({"url": None} if withdrawn else {}),
        "status": process.status,
        "ditarik": _date(process.withdrawn_at),
        "alasan_penarikan": process.withdrawn_reason or None,
        "uraian": process.description,
        "program": shared["program"],
        "kegiatan": shared["kegiatan"],
        "sub_kegiatan": shared["sub_kegiatan"],
        "kode_rekening": shared["kode_rekening"],
        "desa": shared["desa"],
        "rencana_mulai": _date(process.planned_start),
        "rencana_selesai": _date(process.planned_end),
        "kode_tender": shared["kode_tender"],
        "jumlah_peserta": shared["jumlah_peserta"],
        "nilai_penetapan": shared["nilai_penetapan"],
        "tanggal_penetapan": _date(process.award_date),
        "nomor_kontrak": shared["nomor_kontrak"],
        "tanggal_kontrak": shared["tanggal_kontrak"],
        "mulai_kontrak": _date(process.contract_start),
        "akhir_kontrak": _date(process.contract_end),
        "tanggal_serah_terima": shared["tanggal_serah_terima"],
        "akhir_masa_pemeliharaan": _date(process.maintenance_end),
        "tanggal_serah_terima_akhir": _date(process.fho_date),
        # As signed: an addendum pushing a single-year contract past December is not one.
        "kontrak_tahun_jamak": spans_fiscal_years(process.contract_start, process.contract_end),
        "tahap": [
            {
                "tahap": stage,
                "nama": Stage(stage).label,
                "berlaku": completeness[stage].is_required if stage in completeness else None,
                "lengkap": completeness[stage].is_complete if stage in completeness else None,
                "belum_ada": [item["label"] for item in completeness[stage].missing]
                if stage in completeness
                else [],
            }
            for stage in STAGE_ORDER
        ],
        "dokumen": [
            {
                "id": document.pk,
                "tahap": document.stage,
                "jenis": document.document_type.name,
                "document_type": document.document_type.ocds_code,
                "judul": document.title,
                "halaman": document.page_count,
                "ukuran_bita": document.size,
                "sha256": document.sha256,
                "url": document_url(document),
            }
            for document in sorted(process.documents.all(), key=lambda d: d.pk)
        ],
        "peserta": [
            {
                "penyedia": _supplier(request, bidder.supplier),
                "nilai_penawaran": bidder.bid_amount,
                "harga_terkoreksi": bidder.corrected_amount,
            }
            for bidder in sorted(process.bidders.all(), key=lambda b: b.pk)
        ],
        "tanda_rinci": [
            {
                "tanda": flag.flag,
                "nama": flag.get_flag_display(),
                "alasan": flag.reason,
                "angka": flag.figures,
            }
            for flag in sorted(process.flags.all(), key=lambda f: f.flag)
        ],
        "ocds_rekaman": _absolute(
            request, canonical_reverse("opendata:record", args=[process.ocid])
        ),
    }


# --- agencies ------------------------------------------------------------------------------


def _agency_figures(queryset):
    published = shown_publicly("processes__")
    return queryset.annotate(
        paket=Count("processes", filter=published),
        pagu=Sum("processes__budget_amount", filter=published),
        nilai_kontrak=Sum("processes__contract_amount", filter=published),
    )


def agency_row(request, agency):
    return {
        **_agency(agency),
        "singkatan": agency.short_name,
        "paket": agency.paket,
        "pagu": agency.pagu,
        "nilai_kontrak": agency.nilai_kontrak,
        "url": _absolute(request, canonical_reverse("contracts:agency-detail", args=[agency.code])),
        "api": _absolute(request, canonical_reverse("opendata:api-agency", args=[agency.code])),
        "paket_api": _absolute(
            request, canonical_reverse("opendata:api-packages") + f"?pd={agency.code}"
        ),
    }


@endpoint
def agencies(request):
    queryset = _agency_figures(Agency.objects.active()).order_by("name", "pk")
    return _paginate(request, queryset, agency_row)


@endpoint
def agency(request, code):
    found = _agency_figures(Agency.objects.active().filter(code=code)).first()
    if found is None:
        raise ApiError(404, gettext("Perangkat daerah tidak ditemukan."))
    per_year = Process.objects.published().filter(agency=found).figures_per_year()
    return {
        **agency_row(request, found),
        "per_tahun": [
            {
                "tahun_anggaran": row["fiscal_year"],
                "paket": row["packages"],
                "pagu": row["budget"],
                "nilai_kontrak": row["contracts"],
                "semua_tahap_lengkap": row["complete"],
            }
            for row in per_year
        ],
    }


# --- suppliers -----------------------------------------------------------------------------


def supplier_row(request, supplier):
    return {
        **_supplier(request, supplier),
        "url": _absolute(
            request, canonical_reverse("contracts:supplier-detail", args=[supplier.pk])
        ),
        "paket_api": _absolute(
            request, canonical_reverse("opendata:api-packages") + f"?penyedia={supplier.pk}"
        ),
    }


@endpoint
def suppliers(request):
    queryset = Supplier.objects.public().order_by("name", "pk")
    text = " ".join(request.GET.get("q", "").split())[:100]
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        match = Q(name__icontains=text)
        if len(digits) >= 6:
            match |= Q(npwp__startswith=digits)
        queryset = queryset.filter(match)
    return _paginate(request, queryset, supplier_row)


@endpoint
def supplier(request, pk):
    found = Supplier.objects.public().filter(pk=pk).first()
    if found is None:
        raise ApiError(404, gettext("Penyedia tidak ditemukan."))
    won = (
        Process.objects.published()
        .filter(supplier=found)
        .values("fiscal_year")
        .annotate(paket=Count("pk"), nilai_penetapan=Sum("award_amount"))
        .order_by("-fiscal_year")
    )
    return {
        **supplier_row(request, found),
        "alamat": found.address,
        "menang_per_tahun": [
            {
                "tahun_anggaran": row["fiscal_year"],
                "paket": row["paket"],
                "nilai_penetapan": row["nilai_penetapan"],
            }
            for row in won
        ],
        "ikut_tender": Bidder.objects.filter(
            supplier=found, process__in=Process.objects.published()
        ).count(),
    }


@endpoint
def root(request):
    return {
        "versi": "1",
        "dokumentasi": _absolute(request, canonical_reverse("opendata:api-docs")),
        "openapi": _absolute(request, canonical_reverse("opendata:api-openapi")),
        "paket": _absolute(request, canonical_reverse("opendata:api-packages")),
        "perangkat_daerah": _absolute(request, canonical_reverse("opendata:api-agencies")),
        "penyedia": _absolute(request, canonical_reverse("opendata:api-suppliers")),
        "lisensi": "https://creativecommons.org/licenses/by/4.0/",
    }


@read_only
def openapi_document(request):
    """The OpenAPI 3.1 description of this API (opendata/openapi.py), as JSON.

    Not counted by the rate limit: it changes only with a deploy, so clients may keep it
    (`Cache-Control`) and ask again with `If-None-Match` (304 when unchanged).
    """
    if (refusal := refusal_of_writes(request)) is not None:
        return refusal
    body, etag = openapi.served()
    response = HttpResponse(body, content_type="application/json")
    response["Content-Language"] = settings.LANGUAGE_CODE  # one Indonesian document
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=3600"
    # Django's reading of If-None-Match (weak tags, lists, "*"); a 304 keeps the headers above.
    return _cors(get_conditional_response(request, etag=etag, response=response))


@read_only
def not_found(request, rest):
    """Any other address under /api/v1/: a 404 in JSON, as the API's own, not the site's page.

    An address that only lacks its final slash is sent on to it, as Django's APPEND_SLASH
    would have done had this catch-all not made every address under the API a valid one.
    """
    if not request.path.endswith("/"):
        try:
            match = resolve(f"{request.path}/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api-not-found":
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    if (refusal := refusal_of_writes(request)) is not None:
        return refusal
    return error_reply(
        gettext("Alamat API ini tidak ada; lihat /api/v1/ untuk daftarnya."), status=404
    )


def error_reply(message, *, status):
    """An error in the API's shape ({"galat": message}), open to every origin."""
    return _reply({"galat": message}, status=status)
