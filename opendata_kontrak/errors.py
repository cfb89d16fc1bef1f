"""Error pages Django does not route through a template of ours by itself."""

import sys

from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.views import defaults

from opendata_kontrak import outage


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without a valid token (open too long, signed out in
    another tab, cookies refused) gets the portal's Indonesian page, HTTP 403. `reason` is
    Django's English diagnosis; it is logged by Django and not shown."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """handler500: Django's 500 page, except for a database that went away.

    DatabaseOutageMiddleware answers 503 for a view's database error, but not for one raised
    in a middleware below it: a signed-in user's session is read when the two-step check asks
    for request.user, Django turns that error into a response at once and this handler is
    what runs. `make cluster` saw it in its failover: operators' form pages answered 500
    while citizens' got the 503 page. The error being handled is the one in sys.exc_info().
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return outage.unavailable(request, error)
    return defaults.server_error(request)
