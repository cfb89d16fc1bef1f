from django.db import migrations, models


def answered_from_threads(apps, schema_editor):
    """Requests marked done were answered when last changed; an open one was answered when the
    last step of its thread is a reply by one of its agency's operators."""
    FollowUp = apps.get_model("followups", "FollowUp")
    FollowUpEntry = apps.get_model("followups", "FollowUpEntry")
    FollowUp.objects.filter(status="selesai").update(answered_at=models.F("updated_at"))
    for followup in FollowUp.objects.filter(status="terbuka").only("pk", "agency_id"):
        last = (
            FollowUpEntry.objects.filter(followup=followup)
            .select_related("by")
            .order_by("-at", "-pk")
            .first()
        )
        if last and last.action == "jawab" and last.by and last.by.agency_id == followup.agency_id:
            FollowUp.objects.filter(pk=followup.pk).update(answered_at=last.at)


class Migration(migrations.Migration):
    dependencies = [("followups", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="answered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dijawab"),
        ),
        migrations.RunPython(answered_from_threads, migrations.RunPython.noop),
    ]
