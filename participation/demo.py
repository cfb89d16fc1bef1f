"""The demo's citizen report: on each published sample package that reached implementation,
a report with the agency's answer, so the participation section of its page has one."""

from django.db import transaction

from agencies.models import User
from contracts.demo import SAMPLES
from participation import services as participation
from participation.models import FollowUp, Moderation, Report


@transaction.atomic
def add_sample_reports(processes):
    """`processes`: what contracts.demo.create_sample_processes returned (in SAMPLES' order;
    none when the samples existed already)."""
    if not processes:
        return
    for sample, process in zip(SAMPLES, processes, strict=True):
        if sample["published"] and sample["stages"] >= 5:
            _sample_report(process, User.objects.get(username=sample["operator"]))


def _sample_report(process, operator):
    """A citizen's report with the agency's answer, so the participation section has one."""
    report = Report.objects.create(
        process=process,
        topic="kualitas_pekerjaan",
        body="[CONTOH] Beberapa bagian pekerjaan sudah retak sebulan setelah serah terima.",
        place="Lokasi pekerjaan",
        name="Warga (contoh)",
    )
    participation.moderate(
        report=report,
        by=operator,
        moderation=Moderation.PUBLISHED,
        rejection_reason="",
        status=FollowUp.IN_PROGRESS,
        answer="[CONTOH] Penyedia sudah kami minta memperbaiki dalam masa pemeliharaan.",
    )
