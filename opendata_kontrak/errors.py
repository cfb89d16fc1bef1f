"""Error pages Django does not route through a template of ours by itself."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without a valid token (open too long, signed out in
    another tab, cookies refused) gets the portal's Indonesian page, HTTP 403. `reason` is
    Django's English diagnosis; it is logged by Django and not shown."""
    return render(request, "403_csrf.html", status=403)
