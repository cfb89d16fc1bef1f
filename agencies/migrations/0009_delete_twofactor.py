from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0008_authenticators_to_django_otp"),
    ]

    operations = [
        migrations.DeleteModel(name="TwoFactor"),
    ]
