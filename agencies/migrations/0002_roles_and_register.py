from django.conf import settings
from django.db import migrations

from agencies.register import load_register
from agencies.roles import sync_roles


def load_agency_register(apps, schema_editor):
    load_register(
        path=settings.PORTAL["AGENCY_REGISTER"], agency_model=apps.get_model("agencies", "Agency")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        migrations.RunPython(load_agency_register, migrations.RunPython.noop),
    ]
