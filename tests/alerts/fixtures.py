"""Fixtures of the alerts' tests, shared with the language tests (tests/i18n), which follow the
same agency by mail in English. Helpers are in tests/alerts/following.py."""

import pytest

from tests.alerts.following import BASE
from tests.factories import make_agency, make_operator


@pytest.fixture
def portal_address(settings):
    """The mails' links on BASE (a module asks for it through an autouse fixture)."""
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": BASE}
    settings.DEFAULT_FROM_EMAIL = "Open Data Kontrak <noreply@bojonegorokab.go.id>"


@pytest.fixture
def health():
    """(agency, its operator): Dinas Kesehatan Uji, code dinkes-uji."""
    agency = make_agency(code="dinkes-uji", name="Dinas Kesehatan Uji")
    return agency, make_operator(agency)
