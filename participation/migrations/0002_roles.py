from django.db import migrations

from agencies.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial"), ("agencies", "0002_roles_and_register")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
