from django.db import migrations

from agencies.places import load_places
from agencies.roles import sync_roles


def load_place_register(apps, schema_editor):
    load_places(
        models=(apps.get_model("agencies", "Kecamatan"), apps.get_model("agencies", "Desa"))
    )


class Migration(migrations.Migration):
    dependencies = [("agencies", "0004_place_register")]

    operations = [
        migrations.RunPython(load_place_register, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
