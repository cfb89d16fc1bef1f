"""The facets' covering index carries `is_sample`: the public rule (`shown_publicly`) leaves the
"[CONTOH]" samples out once real data is published, and the facet counts and the home figures
must still read the index alone, never the wide table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0023_handover_needs_pho"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="process", name="process_facets"),
        migrations.AddIndex(
            model_name="process",
            index=models.Index(
                fields=["status", "fiscal_year"],
                include=(
                    "agency",
                    "stage_reached",
                    "method",
                    "category",
                    "all_complete",
                    "budget_amount",
                    "contract_amount",
                    "is_sample",
                ),
                name="process_facets",
            ),
        ),
    ]
