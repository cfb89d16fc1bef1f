from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

# The database cache's table (settings.CACHES without REDIS_URL). Created whichever cache the
# settings name now: a deployment on Redis that later drops REDIS_URL falls back on it, and
# `createcachetable` alone creates only the tables of caches configured at that moment (with
# REDIS_URL, none: the ALTER below then failed on a fresh database).
TABLE = "portal_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)
    # Cached aggregates need no crash safety: an unlogged table writes without the WAL.
    schema_editor.execute(f"ALTER TABLE {TABLE} SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0002_rate_counter")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
