"""While the database is unreachable (a restart, a failover), citizens get a short "back in a
moment" page with Retry-After, not a server error. Nothing needs restarting afterwards: each
request checks its connection first (CONN_HEALTH_CHECKS) and opens a new one when the old one
died with the server.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy

from opendata_kontrak.languages import answer_language
from opendata_kontrak.request_guard import answers_json

logger = logging.getLogger(__name__)

MESSAGE = gettext_lazy(
    "Basis data portal sedang tidak dapat dijangkau. Coba lagi dalam satu menit."
)
RETRY_AFTER_SECONDS = 30


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return unavailable(request, exception)


def unavailable(request, exception):
    """The 503 answer (page or JSON, with Retry-After) for a database error: from a view
    (process_exception above) or from a middleware below this one, which Django turns into
    its 500 handler instead (opendata_kontrak.errors.server_error)."""
    logger.error("Basis data tidak terjangkau: %s", exception)
    json = answers_json(request)
    # Set here: a middleware's database error comes before PortalLocaleMiddleware has run.
    with translation.override(answer_language(request, answers_json=json)):
        if json:
            response = JsonResponse({"galat": str(MESSAGE)}, status=503)
            response["Access-Control-Allow-Origin"] = "*"
        else:
            # Rendered without the request: no context processor may ask the database.
            response = HttpResponse(render_to_string("503.html", {"message": MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
