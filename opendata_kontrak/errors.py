"""Error pages Django does not route through a template of ours by itself.

An error page speaks the language of the address it answers (opendata_kontrak/languages.py):
English under /en/, the workspace in the operator's choice, Indonesian elsewhere. A view's
error (404, 403, a form refused for its CSRF token) is rendered after PortalLocaleMiddleware
has set the language; an error raised before it, or in it, is not, so these handlers set the
language themselves (`page_language`) rather than trust what the thread last activated.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils import translation
from django.views import defaults

from opendata_kontrak import outage
from opendata_kontrak.languages import page_language


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without a valid token (open too long, signed out in
    another tab, cookies refused) gets the portal's page in the page's language, HTTP 403.
    `reason` is Django's English diagnosis; it is logged by Django and not shown."""
    with translation.override(page_language(request)):
        return render(request, "403_csrf.html", status=403)


def bad_request(request, exception):
    """handler400: Django's 400 page (our 400.html, with the request) in the address's
    language. A request Django refuses while it is read (too many fields in the address: a
    TooManyFieldsSent) may be refused by a middleware above PortalLocaleMiddleware, before
    any language is set for it."""
    with translation.override(page_language(request)):
        return defaults.bad_request(request, exception)


def server_error(request):
    """handler500: Django's 500 page, except for a database that went away.

    DatabaseOutageMiddleware answers 503 for a view's database error, but not for one raised
    in a middleware below it: a signed-in user's session is read when the two-step check asks
    for request.user, Django turns that error into a response at once and this handler is
    what runs. `make cluster` saw it in its failover: operators' form pages answered 500
    while citizens' got the 503 page. The error being handled is the one in sys.exc_info().
    Either page in the address's language.
    """
    error = sys.exc_info()[1]
    with translation.override(page_language(request)):
        if isinstance(error, OperationalError | InterfaceError):
            return outage.unavailable(request, error)
        return defaults.server_error(request)
