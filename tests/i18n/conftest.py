import pytest


def pytest_collection_modifyitems(items):
    """The English tests check words, formats and addresses, none of which depends on which
    PostgreSQL server answers: CI runs them on the embedded server only (the `once` marker)."""
    for item in items:
        if "/tests/i18n/" in str(item.path):
            item.add_marker(pytest.mark.once)
