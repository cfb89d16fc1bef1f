"""The database cache's table is made by migration 0003 whichever cache the settings name: with
REDIS_URL the settings configure no database cache, and the migration must still leave the
table (unlogged) for an install that later drops REDIS_URL."""

import importlib

import pytest
from django.db import connection

migration = importlib.import_module("opendata.migrations.0003_cache_table")


def persistence(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [table])
        row = cursor.fetchone()
    return row and row[0]


@pytest.mark.django_db
def test_the_migration_makes_the_table_when_the_cache_is_redis(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # never reached: nothing is cached here
        }
    }
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE portal_cache")  # undone with the test's transaction
    assert persistence("portal_cache") is None
    with connection.schema_editor() as editor:
        migration.create_cache_table(None, editor)
    assert persistence("portal_cache") == "u"  # unlogged
    # Run again on an existing table: nothing to do, no error.
    with connection.schema_editor() as editor:
        migration.create_cache_table(None, editor)
    assert persistence("portal_cache") == "u"
