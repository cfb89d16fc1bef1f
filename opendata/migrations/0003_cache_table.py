from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", verbosity=0)
    # Cached aggregates need no crash safety: an unlogged table writes without the WAL.
    schema_editor.execute("ALTER TABLE portal_cache SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0002_rate_counter")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
