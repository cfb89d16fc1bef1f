"""Requests no page can honour, answered before any view: a NUL byte in the address.

PostgreSQL text cannot hold NUL (0x00), so a filter or search carrying one would fail in the
database. It is never typed by a person; it comes from broken links and probing tools, and
gets a 400 that says what was wrong (JSON under /api/), not a server error.
"""

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

MESSAGE = "Alamat ini memuat karakter NUL (0x00) yang tidak sah; periksa kembali tautannya."


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                response = JsonResponse({"galat": MESSAGE}, status=400)
                response["Access-Control-Allow-Origin"] = "*"
                return response
            return HttpResponseBadRequest(
                render_to_string("400.html", {"message": MESSAGE}, request=request)
            )
        return self.get_response(request)
