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
from django.utils import translation
from django.utils.translation import gettext_lazy

from opendata_kontrak.languages import answer_language

MESSAGE = gettext_lazy(
    "Alamat ini memuat karakter NUL (0x00) yang tidak sah; periksa kembali tautannya."
)
TOO_BIG = gettext_lazy(
    "Kiriman ini %(size)s, lebih dari batas %(limit)s untuk halaman ini. Tidak ada yang disimpan."
)
TOO_MANY_FILES = gettext_lazy("Terlalu banyak berkas dalam satu kiriman. Tidak ada yang disimpan.")
TOO_MANY_FIELDS = gettext_lazy("Terlalu banyak isian dalam satu kiriman. Tidak ada yang disimpan.")
UNREADABLE = gettext_lazy(
    "Kiriman ini tidak dapat dibaca; biasanya karena nama berkas yang terlalu panjang. Ganti "
    "nama berkasnya (paling banyak 200 karakter) lalu kirim ulang. Tidak ada yang disimpan."
)


class Sized(int):
    """A size in bytes that writes itself as filesizeformat does in the active language."""

    def __str__(self):
        return filesizeformat(int(self))


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
            # Refused before PortalLocaleMiddleware: in the answer's language, set here.
            with translation.override(answer_language(request, answers_json=answers_json(request))):
                if answers_json(request):
                    response = JsonResponse({"galat": str(MESSAGE)}, status=400)
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


def _refuse(request, status, message, **values):
    """The refusal, in the answer's language (this runs before PortalLocaleMiddleware):
    `message` an Indonesian gettext_lazy text, `values` its %(name)s values."""
    json = answers_json(request)
    with translation.override(answer_language(request, answers_json=json)):
        text = str(message) % values if values else str(message)
        if json:
            response = JsonResponse({"galat": text}, status=status)
            response["Access-Control-Allow-Origin"] = "*"
            return response
        template = "413.html" if status == 413 else "400.html"
        return HttpResponse(
            render_to_string(template, {"message": text}, request=request), status=status
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
                TOO_BIG,
                size=Sized(length),
                limit=Sized(limit),
            )
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 (read here, so a refusal is ours, not a bare 400)
            except TooManyFilesSent:
                return _refuse(request, 413, TOO_MANY_FILES)
            except (TooManyFieldsSent, RequestDataTooBig):
                return _refuse(request, 413, TOO_MANY_FIELDS)
            except MultiPartParserError:
                return _refuse(request, 400, UNREADABLE)
        return self.get_response(request)
