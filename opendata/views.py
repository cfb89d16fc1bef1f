"""Open data: each package in OCDS at a stable URL, and every package in bulk, streamed."""

import json

from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from contracts.models import Process
from contracts.ocds import record_package, related_lists, release, release_package, with_related

CHUNK = 500


def _published(ocid):
    found = with_related(Process.objects.published().filter(ocid=ocid)).first()
    if found is None:
        raise Http404("Paket tidak ditemukan atau belum dipublikasikan.")
    return found


def _json(data):
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def package_release(request, ocid):
    process = _published(ocid)
    uri = request.build_absolute_uri()
    return _json(release_package([release(process, **related_lists(process))], uri=uri))


def package_record(request, ocid):
    process = _published(ocid)
    return _json(
        record_package(process, uri=request.build_absolute_uri(), **related_lists(process))
    )


def _years():
    return sorted(
        Process.objects.published().values_list("fiscal_year", flat=True).distinct(),
        reverse=True,
    )


def _selection(scope):
    packages = Process.objects.published()
    if scope != "semua":
        if not scope.isdigit():
            raise Http404
        packages = packages.filter(fiscal_year=int(scope))
    return with_related(packages.order_by("pk"))


def _releases(packages):
    # Rows are fetched 500 at a time with their related rows, so memory stays flat.
    for process in packages.iterator(chunk_size=CHUNK):
        yield release(process, **related_lists(process))


def bulk_json(request, scope):
    packages = _selection(scope)
    head = release_package([], uri=request.build_absolute_uri())
    opening = json.dumps(head, ensure_ascii=False)[: -len("[]}")] + "["

    def stream():
        yield opening
        for index, item in enumerate(_releases(packages)):
            yield ("," if index else "") + json.dumps(item, ensure_ascii=False)
        yield "]}"

    return _download(stream(), f"ocds-{scope}.json", "application/json")


def bulk_jsonl(request, scope):
    packages = _selection(scope)

    def stream():
        for item in _releases(packages):
            yield json.dumps(item, ensure_ascii=False) + "\n"

    return _download(stream(), f"ocds-{scope}.jsonl", "application/x-ndjson")


def _download(chunks, filename, content_type):
    response = StreamingHttpResponse(chunks, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def index(request):
    years = _years()
    scopes = [(str(year), f"Tahun anggaran {year}") for year in years] + [("semua", "Semua tahun")]
    return render(
        request,
        "opendata/index.html",
        {
            "downloads": [
                {
                    "label": label,
                    "count": Process.objects.published()
                    .filter(**({} if scope == "semua" else {"fiscal_year": int(scope)}))
                    .count(),
                    "json": reverse("opendata:bulk-json", args=[scope]),
                    "jsonl": reverse("opendata:bulk-jsonl", args=[scope]),
                }
                for scope, label in scopes
            ],
        },
    )
