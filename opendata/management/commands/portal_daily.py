import datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from opendata import quality
from opendata_kontrak import orphans


class Command(BaseCommand):
    help = (
        "Pekerjaan harian portal: hitung ulang tanda untuk dicermati, buang catatan percobaan "
        "masuk yang lebih dari setahun, hapus berkas tanpa pemilik, antrekan penghitungan "
        "kualitas data terbuka."
    )

    def handle(self, *args, **options):
        call_command("refresh_flags", stdout=self.stdout)
        forgotten = forget_old_sign_ins()
        swept = orphans.sweep()
        # In the job queue, not here: the report reads every published package.
        queued = quality.request_refresh()
        self.stdout.write(
            f"{forgotten} catatan percobaan masuk lama dibuang; "
            f"{len(swept)} berkas tanpa pemilik dihapus."
        )
        self.stdout.write(
            "Penghitungan kualitas data " + ("diantrekan." if queued else "sudah ada di antrean.")
        )


def forget_old_sign_ins(days=365):
    """The sign-in audit (django-axes' access and failure logs) keeps a year: enough to look
    back at an incident, not a record of every address forever."""
    from axes.models import AccessFailureLog, AccessLog

    cutoff = timezone.now() - datetime.timedelta(days=days)
    return sum(
        model.objects.filter(attempt_time__lt=cutoff).delete()[0]
        for model in (AccessLog, AccessFailureLog)
    )
