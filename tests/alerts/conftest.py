"""Fixtures of the alerts' tests (defined in tests/alerts/fixtures.py, which tests/i18n shares;
helpers in tests/alerts/following.py)."""

from tests.alerts.fixtures import health, portal_address  # noqa: F401 (fixtures)
