from django.db import migrations

from agencies.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("integrity", "0002_thresholds"), ("participation", "0002_roles")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
