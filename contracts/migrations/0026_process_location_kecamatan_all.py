"""Every kecamatan a package's location names (`Process.location_kecamatan_all`), so that a
package in several kecamatan ("Kecamatan Sumberrejo, Balen, Kedungadem") is found on each
one's page, not on none; filled for the packages already here by the place resolver."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models


def fill(apps, schema_editor):
    # The resolver reads the place register (agencies) as it is now; the packages are the
    # historical model's, written one column at a time.
    from agencies.places import PlaceResolver
    from contracts.locations import kecamatan_named

    Process = apps.get_model("contracts", "Process")
    resolver = PlaceResolver()
    rows = Process.objects.values_list(
        "pk", "location_kecamatan", "location_desa", "location_detail"
    ).order_by("pk")
    batch = []
    for pk, kecamatan, desa, detail in rows.iterator(chunk_size=2000):
        named = kecamatan_named((kecamatan, desa, detail), resolver)
        if named:
            batch.append(Process(pk=pk, location_kecamatan_all=named))
        if len(batch) >= 1000:
            Process.objects.bulk_update(batch, ["location_kecamatan_all"])
            batch = []
    Process.objects.bulk_update(batch, ["location_kecamatan_all"])


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0010_constraint_messages"),
        ("contracts", "0025_contract_amount_sort_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="process",
            name="location_kecamatan_all",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=100),
                blank=True,
                db_default=models.Value(
                    [],
                    output_field=django.contrib.postgres.fields.ArrayField(
                        models.CharField(max_length=100)
                    ),
                ),
                default=list,
                editable=False,
                size=None,
                verbose_name="kecamatan yang disebut lokasi",
            ),
        ),
        migrations.AddIndex(
            model_name="process",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["location_kecamatan_all"], name="process_kecamatan_all"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
