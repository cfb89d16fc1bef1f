from django.db import migrations

from integrity.thresholds import seed_thresholds


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_initial")]

    operations = [migrations.RunPython(seed_thresholds, migrations.RunPython.noop)]
