import pytest

# The alerts' fixtures (the mails' address, the followed agency), for test_alerts_language.py.
from tests.alerts.fixtures import health, portal_address  # noqa: F401 (fixtures)


def pytest_collection_modifyitems(items):
    """The English tests check words, formats and addresses, none of which depends on which
    PostgreSQL server answers: CI runs them on the embedded server only (the `once` marker)."""
    for item in items:
        if "/tests/i18n/" in str(item.path):
            item.add_marker(pytest.mark.once)
