from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0006_sign_in_audit_to_axes"),
    ]

    operations = [
        migrations.DeleteModel(name="LoginAttempt"),
    ]
