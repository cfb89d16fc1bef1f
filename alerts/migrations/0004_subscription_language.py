"""The language a subscription was asked in: its mails are written in it. Every subscription
stored before is Indonesian, the only language the pages had."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0003_subscription_keys_by_search_words_and_register_kecamatan"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="language",
            field=models.CharField(default="id", max_length=8, verbose_name="bahasa"),
        ),
    ]
