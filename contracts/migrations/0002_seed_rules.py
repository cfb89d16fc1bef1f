"""Seeds the document types and completeness rules (contracts/rules.py) and the roles."""

from django.db import migrations

from agencies.roles import sync_roles
from contracts.rules import seed_rules


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("agencies", "0002_roles_and_register"),
    ]

    operations = [
        migrations.RunPython(seed_rules, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
