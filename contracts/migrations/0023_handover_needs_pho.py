"""The hand-over's rules, each in its own words: an end of the maintenance period needs a PHO
(new: it was accepted without one, even before the contract's start), and "FHO without a PHO"
and "FHO before the PHO" become two constraints instead of one message asking for both.
"""

from django.db import migrations, models


def refuse_maintenance_end_without_pho(apps, schema_editor):
    # Rather than PostgreSQL's "violated by some row", or clearing a date someone typed: name
    # the packages to fix (add their PHO, or empty the maintenance end) before migrating.
    Process = apps.get_model("contracts", "Process")
    rows = Process.objects.filter(maintenance_end__isnull=False, pho_date__isnull=True)
    found = list(rows.order_by("pk").values_list("pk", "title")[:20])
    if found:
        listed = "; ".join(f"{pk}: {title}" for pk, title in found)
        raise RuntimeError(
            f"{rows.count()} packages have an end of the maintenance period but no PHO "
            f"(first ones, id: title: {listed}). Record their PHO or empty the maintenance end, "
            "then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0022_staged_photos"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="process",
            name="process_pho_date_before_fho_date",
        ),
        migrations.RunPython(refuse_maintenance_end_without_pho, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="process",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("maintenance_end__isnull", True), ("pho_date__isnull", False), _connector="OR"
                ),
                name="process_maintenance_end_needs_pho_date",
                violation_error_message="Akhir masa pemeliharaan menyusul serah terima pertama (PHO): isi tanggal PHO lebih dahulu, karena masa pemeliharaan dihitung sejak PHO.",
            ),
        ),
        migrations.AddConstraint(
            model_name="process",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("fho_date__isnull", True), ("pho_date__isnull", False), _connector="OR"
                ),
                name="process_fho_date_needs_pho_date",
                violation_error_message="Serah terima akhir (FHO) menyusul serah terima pertama (PHO): isi tanggal PHO lebih dahulu.",
            ),
        ),
        migrations.AddConstraint(
            model_name="process",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("fho_date__isnull", True),
                    ("pho_date__isnull", True),
                    ("pho_date__lte", models.F("fho_date")),
                    _connector="OR",
                ),
                name="process_pho_date_before_fho_date",
                violation_error_message="Serah terima akhir (FHO) tidak boleh sebelum serah terima pertama (PHO): periksa kedua tanggal.",
            ),
        ),
    ]
