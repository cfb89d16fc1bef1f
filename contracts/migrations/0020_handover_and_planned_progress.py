"""One hand-over date becomes two (PHO and FHO, with the end of the maintenance period between
them), and the planned physical progress (kurva S) gets its rows.

The BAST date already held is the provisional hand-over (PHO): the column is renamed, so every
value stays. What names the field by its old name elsewhere (the completeness rules, the stored
completeness of each stage, what the last import said) is renamed with it.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from agencies.roles import sync_roles

OLD, NEW = "completion_date", "pho_date"
NEW_LABEL = "tanggal serah terima pertama (PHO/BAST)"


def _rename_in_missing(missing, old, new, label):
    changed = False
    for item in missing:
        if item.get("kind") == "field" and item.get("code") == old:
            item["code"] = new
            if label:
                item["label"] = label
            changed = True
    return changed


def rename_field_references(apps, schema_editor, old=OLD, new=NEW, label=NEW_LABEL):
    """Rename the field in the rows that name it: StageRequirement.field_name, the `missing`
    lists of StageCompleteness, and the keys of Process.source_values."""
    StageRequirement = apps.get_model("contracts", "StageRequirement")
    StageCompleteness = apps.get_model("contracts", "StageCompleteness")
    Process = apps.get_model("contracts", "Process")
    StageRequirement.objects.filter(field_name=old).update(field_name=new)
    for row in StageCompleteness.objects.filter(missing__contains=[{"code": old}]).iterator():
        if _rename_in_missing(row.missing, old, new, label):
            row.save(update_fields=["missing"])
    for process in Process.objects.filter(source_values__has_key=old).only("source_values"):
        process.source_values[new] = process.source_values.pop(old)
        process.save(update_fields=["source_values"])


def rename_field_references_back(apps, schema_editor):
    rename_field_references(
        apps, schema_editor, old=NEW, new=OLD, label="tanggal serah terima (BAST)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0019_bulk_uploads"),
    ]

    operations = [
        migrations.RenameField(model_name="process", old_name=OLD, new_name=NEW),
        migrations.AlterField(
            model_name="process",
            name="pho_date",
            field=models.DateField(
                blank=True,
                help_text="Tanggal berita acara serah terima pekerjaan setelah pekerjaan selesai "
                "100%.",
                null=True,
                verbose_name="tanggal serah terima pertama (PHO/BAST)",
            ),
        ),
        migrations.AddField(
            model_name="process",
            name="maintenance_end",
            field=models.DateField(
                blank=True,
                help_text="Untuk pekerjaan dengan masa pemeliharaan (pekerjaan konstruksi).",
                null=True,
                verbose_name="akhir masa pemeliharaan",
            ),
        ),
        migrations.AddField(
            model_name="process",
            name="fho_date",
            field=models.DateField(
                blank=True,
                help_text="Tanggal berita acara serah terima akhir, setelah masa pemeliharaan "
                "berakhir.",
                null=True,
                verbose_name="tanggal serah terima akhir (FHO)",
            ),
        ),
        migrations.RunPython(rename_field_references, rename_field_references_back),
        migrations.AddConstraint(
            model_name="process",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("pho_date__isnull", True),
                    ("contract_start__isnull", True),
                    ("contract_start__lte", models.F("pho_date")),
                    _connector="OR",
                ),
                name="process_contract_start_before_pho_date",
                violation_error_message="Serah terima pertama (PHO) tidak boleh sebelum mulai "
                "kontrak: pekerjaan diserahterimakan setelah dikerjakan. Periksa kedua tanggal.",
            ),
        ),
        migrations.AddConstraint(
            model_name="process",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("maintenance_end__isnull", True),
                    ("pho_date__isnull", True),
                    ("pho_date__lte", models.F("maintenance_end")),
                    _connector="OR",
                ),
                name="process_pho_date_before_maintenance_end",
                violation_error_message="Akhir masa pemeliharaan tidak boleh sebelum serah terima "
                "pertama (PHO): masa pemeliharaan dihitung sejak PHO.",
            ),
        ),
        migrations.AddConstraint(
            model_name="process",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("fho_date__isnull", True),
                    models.Q(("pho_date__isnull", False), ("pho_date__lte", models.F("fho_date"))),
                    _connector="OR",
                ),
                name="process_pho_date_before_fho_date",
                violation_error_message="Serah terima akhir (FHO) menyusul serah terima pertama "
                "(PHO): isi tanggal PHO, dan FHO tidak boleh sebelum PHO.",
            ),
        ),
        migrations.CreateModel(
            name="PlannedProgress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="akhir periode")),
                (
                    "period",
                    models.CharField(
                        blank=True,
                        help_text="Mis. “Minggu ke-3” atau “Agustus 2018”.",
                        max_length=60,
                        verbose_name="periode",
                    ),
                ),
                (
                    "planned_percent",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="rencana progres fisik kumulatif (%)",
                    ),
                ),
                (
                    "process",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="planned_progress",
                        to="contracts.process",
                    ),
                ),
            ],
            options={
                "verbose_name": "rencana progres",
                "verbose_name_plural": "rencana progres (kurva S)",
                "ordering": ["date", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("process", "date"),
                        name="plannedprogress_once_per_date",
                        violation_error_message="Rencana progres untuk akhir periode ini sudah "
                        "ada: satu angka rencana per tanggal.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("planned_percent__gte", 0), ("planned_percent__lte", 100)
                        ),
                        name="plannedprogress_percent_in_range",
                        violation_error_message="Rencana progres fisik antara 0 dan 100 persen.",
                    ),
                ],
            },
        ),
        # Operators keep their packages' planned progress; supervisors read every agency's.
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
