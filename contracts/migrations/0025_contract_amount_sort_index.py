"""The list's "Nilai kontrak terbesar" sort reads its order off an index: the largest contract
first and packages without a contract (NULL) last, as `SORTS["kontrak"]` asks, so a page of
it costs an index scan, not a sort of every published package."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0024_facets_cover_samples"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="process",
            index=models.Index(
                models.F("status"),
                models.OrderBy(models.F("contract_amount"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="process_contract_amount",
            ),
        ),
    ]
