from django.db import migrations

from agencies.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("imports", "0001_initial"), ("contracts", "0003_alter_process_account_code")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
