"""Requests no page can honour, answered before any view: a NUL byte in the address, a body
larger than the page can take, a form the multipart parser refuses.

PostgreSQL text cannot hold NUL (0x00), so a filter or search carrying one would fail in the
database. It is never typed by a person; it comes from broken links and probing tools, and
gets a 400 that says what was wrong (JSON under /api/), not a server error.

A body is measured by its Content-Length before anything reads it, so an oversized report
is refused before the report form's rate limit and before a worker reads it (the proxy caps
bodies too: this is the portal's own bound, per kind of page). A form the parser cannot
read (a file name too long for a part's header, thousands of fields) gets a page that
says why, in Indonesian, instead of Django's bare 400.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string

MESSAGE = "Alamat ini memuat karakter NUL (0x00) yang tidak sah; periksa kembali tautannya."
# Addresses read by programs (the API, each package's OCDS): their refusals are JSON too.
JSON_PREFIXES = ("/api/", "/ocds/")
# The field page (dashboards.field), where an operator's phone sends progress photos.
FIELD_PAGES = "/pengawasan/lapangan/"


def answers_json(request):
    return request.path.startswith(JSON_PREFIXES)


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if answers_json(request):
                response = JsonResponse({"galat": MESSAGE}, status=400)
                response["Access-Control-Allow-Origin"] = "*"
                return response
            return HttpResponseBadRequest(
                render_to_string("400.html", {"message": MESSAGE}, request=request)
            )
        return self.get_response(request)


def body_limit(path):
    """The largest body, in bytes, a request to `path` may send."""
    if path.startswith("/admin/imports/"):
        return settings.IMPORT_MAX_BYTES + settings.FORM_MAX_BYTES
    if path.startswith("/admin/"):
        return settings.WORKSPACE_REQUEST_MAX_BYTES
    if path.endswith("/lapor/") or path.startswith(FIELD_PAGES):
        # A citizen's report and the field page's progress report both carry a few photos.
        return settings.REPORT_REQUEST_MAX_BYTES
    return settings.FORM_MAX_BYTES


def _refuse(request, status, message):
    if answers_json(request):
        response = JsonResponse({"galat": message}, status=status)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    template = "413.html" if status == 413 else "400.html"
    return HttpResponse(
        render_to_string(template, {"message": message}, request=request), status=status
    )


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(request.path)
        if length > limit:
            return _refuse(
                request,
                413,
                f"Kiriman ini {filesizeformat(length)}, lebih dari batas {filesizeformat(limit)} "
                "untuk halaman ini. Tidak ada yang disimpan.",
            )
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 (read here, so a refusal is ours, not a bare 400)
            except TooManyFilesSent:
                return _refuse(
                    request,
                    413,
                    "Terlalu banyak berkas dalam satu kiriman. Tidak ada yang disimpan.",
                )
            except (TooManyFieldsSent, RequestDataTooBig):
                return _refuse(
                    request,
                    413,
                    "Terlalu banyak isian dalam satu kiriman. Tidak ada yang disimpan.",
                )
            except MultiPartParserError:
                return _refuse(
                    request,
                    400,
                    "Kiriman ini tidak dapat dibaca; biasanya karena nama berkas yang terlalu "
                    "panjang. Ganti nama berkasnya (paling banyak 200 karakter) lalu kirim ulang. "
                    "Tidak ada yang disimpan.",
                )
        return self.get_response(request)
