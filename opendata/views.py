"""Open data: each package in OCDS at a stable URL, and every package in bulk files."""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import get_language, gettext

from contracts.models import Category, DocumentType, Method, Process, Release, Status, Supplier
from contracts.ocds import (
    CATEGORIES,
    METHODS,
    record_package,
    related_lists,
    release_package,
    with_related,
)
from contracts.releases import history
from integrity.models import PackageFlag
from opendata import columns, extensions, openapi, quality
from opendata.api import MAX_PAGE_SIZE, PAGE_SIZE, error_reply, read_only, refusal_of_writes
from opendata.bulk import FILES, SCOPE_ALL, files_for, scopes
from opendata.models import BulkFile
from opendata_kontrak import storage
from opendata_kontrak.languages import canonical_reverse


def _published(ocid):
    found = (
        with_related(Process.objects.open_data().filter(ocid=ocid))
        .prefetch_related(
            Prefetch("releases", queryset=Release.objects.order_by("sequence")),
            Prefetch("flags", queryset=PackageFlag.objects.select_related("threshold")),
        )
        .first()
    )
    if found is None:
        raise Http404(gettext("Paket tidak ditemukan atau belum dipublikasikan."))
    return found


def _ocds(view):
    """An OCDS address: GET and HEAD only (and the CORS preflight), a missing or unpublished
    package a 404 in JSON like the API's, so that a client reading JSON gets JSON."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if (refusal := refusal_of_writes(request)) is not None:
            return refusal
        try:
            return view(request, *args, **kwargs)
        except Http404 as missing:
            return error_reply(str(missing), status=404)

    return read_only(wrapper)


def _json(data):
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@_ocds
def package_release(request, ocid):
    process = _published(ocid)
    releases = history(process, related_lists(process))
    # The package's uri names it, not the address it was asked at: the canonical one (OCDS
    # carries no language), on the host asked.
    uri = request.build_absolute_uri(canonical_reverse("opendata:release", args=[ocid]))
    return _json(release_package(releases, uri=uri))


@_ocds
def package_record(request, ocid):
    process = _published(ocid)
    lists = related_lists(process)
    return _json(
        record_package(
            process,
            uri=request.build_absolute_uri(canonical_reverse("opendata:record", args=[ocid])),
            packages=[
                request.build_absolute_uri(canonical_reverse("opendata:release", args=[ocid]))
            ],
            releases=history(process, lists),
            flags=process.flags.all(),
            **lists,
        )
    )


def download(request, scope, name):
    bulk = BulkFile.objects.filter(scope=scope, name=name).first()
    if bulk is None:
        raise Http404(gettext("Berkas ini tidak ada atau sedang disiapkan."))
    content_type = FILES[name][1]
    if name.endswith((".json", ".jsonl", ".csv")):
        content_type += "; charset=utf-8"
    response = storage.serve(
        bulk.storage_name,
        content_type=content_type,
        missing=gettext("Berkas ini sedang dibangun ulang; coba lagi sebentar lagi."),
        filename=f"opendatakontrak-{scope}-{name}",
        attachment=True,
    )
    if response.status_code != 200:
        return response  # a signed URL of the object store
    response["Cache-Control"] = "public, max-age=600"  # rebuilt at most every 10 minutes
    response["Content-Length"] = bulk.size
    response["Last-Modified"] = http_date(bulk.built_at.timestamp())
    response["Access-Control-Allow-Origin"] = "*"
    return response


def index(request):
    built = {}
    for bulk in BulkFile.objects.order_by("name"):
        built.setdefault(bulk.scope, {})[bulk.name] = bulk
    # What the files hold, said as the rest of the portal counts it: the published packages are
    # in every file, the withdrawn ones only in the OCDS files (with why they were withdrawn).
    held = {}
    for year, status, count in (
        Process.objects.open_data()
        .order_by()
        .values_list("fiscal_year", "status")
        .annotate(n=Count("pk"))
    ):
        for scope in (str(year), SCOPE_ALL):
            held.setdefault(scope, {}).setdefault(status, 0)
            held[scope][status] += count
    sections = []
    for scope in scopes():
        files = built.get(scope, {})
        sections.append(
            {
                "scope": scope,
                "label": (
                    gettext("Semua tahun")
                    if scope == SCOPE_ALL
                    else gettext("Tahun anggaran %(year)s") % {"year": scope}
                ),
                "files": [
                    {"name": name, "about": FILES[name][0], "bulk": files.get(name)}
                    for name in files_for(scope)
                ],
                "built": next(iter(files.values()), None),
                "published": held.get(str(scope), {}).get(Status.PUBLISHED, 0),
                "withdrawn": held.get(str(scope), {}).get(Status.WITHDRAWN, 0),
            }
        )
    return render(request, "opendata/index.html", {"sections": sections})


def policy(request):
    run = quality.last_run()
    return render(
        request,
        "opendata/policy.html",
        {
            "prefix": settings.PORTAL["OCID_PREFIX"],
            "quality_run": run,
            # Aggregate figures only: which packages fail is for supervisors.
            "quality": quality.summary() if run else [],
            "quality_checks": list(quality.CHECKS.values()),
            # Each table file's columns, from their one definition.
            "tables": list(columns.TABLES.values()),
        },
    )


def local_codes(request):
    return render(
        request,
        "opendata/local_codes.html",
        {
            "document_types": DocumentType.objects.order_by("stage", "position", "name"),
            "methods": [(label, METHODS.get(code, "")) for code, label in Method.choices],
            "categories": [(label, CATEGORIES[code]) for code, label in Category.choices],
        },
    )


def api_docs(request):
    """The API's documentation, built from its OpenAPI document: every operation with its
    parameters, answers and example requests, the examples on this portal's own data."""
    spec = openapi.document()
    example = Process.objects.published().order_by("-published_at", "-pk").first()
    supplier = Supplier.objects.public().order_by("pk").first()
    # Path examples taken from the data where there is some, the document's own otherwise.
    live = {}
    if example:
        live.update(ocid=example.ocid, kode=example.agency.code)
    if supplier:
        live["id"] = supplier.pk
    base = request.build_absolute_uri("/").rstrip("/")
    operations = openapi.operations(spec)
    for operation in operations:
        address = operation["path"].format(
            **{
                p["name"]: live.get(p["name"], p["example"])
                for p in operation["parameters"]
                if p["in"] == "path"
            }
        )
        operation["examples"] = [f"{base}{address}"] + [
            f"{base}{address}?{urlencode({p['name']: p['example']})}"
            for p in operation["parameters"]
            if p["in"] == "query" and p["example"] is not None
        ]
    return render(
        request,
        "opendata/api.html",
        {
            "operations": operations,
            "openapi_url": reverse("opendata:api-openapi"),
            "example": example,
            "rate_limit": settings.API_RATE_LIMIT,
            "page_sizes": (PAGE_SIZE, MAX_PAGE_SIZE),
        },
    )


EXTENSION_FILES = {
    "release-schema.json": "application/json",
    "codelists/redFlag.csv": "text/csv",
}


def extension_file(request, name):
    """The red-flags OCDS extension, served so that data users and tools can fetch it."""
    if name == "extension.json":
        return _json(extensions.red_flags_metadata())
    if name not in EXTENSION_FILES:
        raise Http404
    response = HttpResponse(
        (extensions.RED_FLAGS_DIR / name).read_bytes(),
        content_type=f"{EXTENSION_FILES[name]}; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def extension_docs(request):
    """The red-flags extension's documentation, from its READMEs: the `documentationUrl`.
    Both languages on one page (each README in its own section, `#id` and `#en` on every
    address); the reader's language first."""
    language = get_language()
    sections = sorted(
        extensions.red_flags_documentation(), key=lambda section: section[0] != language
    )
    return render(
        request,
        "opendata/extension_docs.html",
        {
            "sections": sections,
            "metadata_url": reverse("opendata:extension-file", args=["extension.json"]),
        },
    )
