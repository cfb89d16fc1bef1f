"""Every write of a report: a citizen's submission and its moderation."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from participation import mail
from participation.models import Moderation, Report, ReportPhoto, photo_upload_to


def submit_report(
    *, process, topic, body, place, name, contact, key, photos, staged=(), language="id"
):
    """Store a report with its cleaned photos, all or nothing; a repeated key adds nothing.
    `staged`: photos kept from a refused try (participation.staging.read's dicts), already in
    storage, attached as they are (kept in storage if this fails, for the next try).
    An author who gave an e-mail address gets a receipt (participation.mail), queued with the
    report: a report that fails sends none. `report.receipt` says what became of it
    (participation.mail.RECEIPT_QUEUED or RECEIPT_LIMITED; None without an address or when
    the report existed already). `language`: the code of the page it was sent from (one of
    settings.LANGUAGES; anything else is Indonesian), the language of its receipt and of every
    later mail about it.

    Returns (report, created).
    """
    existing = Report.objects.filter(submission_key=key).first()
    if existing is not None:
        existing.receipt = None
        return existing, False
    stored = []
    try:
        with transaction.atomic():
            report = Report.objects.create(
                process=process,
                topic=topic,
                body=body,
                place=place,
                name=name,
                contact=contact,
                submission_key=key,
                language=language if language in dict(settings.LANGUAGES) else "id",
            )
            for kept in staged:
                ReportPhoto.objects.create(
                    report=report,
                    file=kept["name"],
                    content_type=kept["type"],
                    width=kept["width"],
                    height=kept["height"],
                    size=kept["size"],
                )
            for photo in photos:
                row = ReportPhoto(
                    report=report,
                    content_type=photo.content_type,
                    width=photo.width,
                    height=photo.height,
                    size=len(photo.content),
                )
                name_in_storage = default_storage.save(
                    photo_upload_to(row, ""), ContentFile(photo.content)
                )
                stored.append(name_in_storage)
                row.file.name = name_in_storage
                row.save()
            report.receipt = mail.queue_receipt(report)
    except IntegrityError:
        _delete(stored)
        # The same form sent twice at once: the first one won.
        existing = Report.objects.filter(submission_key=key).first()
        if existing is None:
            raise
        existing.receipt = None
        return existing, False
    except BaseException:
        _delete(stored)
        raise
    return report, True


def _delete(names):
    for name in names:
        default_storage.delete(name)


def can_moderate(user, report):
    return Report.objects.moderated_by(user).filter(pk=report.pk).exists()


@transaction.atomic
def moderate(*, report, by, moderation, rejection_reason, status, answer):
    """Publish or reject, set the follow-up status, answer publicly; only the allowed may.
    The one path every moderation takes (the admin's form and its bulk action): the author is
    mailed once for what changed, and followers learn of a public answer (participation.mail).
    """
    current = Report.objects.select_for_update().get(pk=report.pk)
    if not can_moderate(by, current):
        raise PermissionDenied(gettext("Laporan ini bukan untuk perangkat daerah Anda."))
    rejection_reason = (rejection_reason or "").strip()
    answer = (answer or "").strip()
    if moderation == Moderation.REJECTED and not rejection_reason:
        raise ValidationError({"rejection_reason": gettext("Alasan penolakan wajib diisi.")})
    before = mail.State.of(current)
    now = timezone.now()
    if moderation != current.moderation:
        current.moderation = moderation
        current.moderated_by = by
        current.moderated_at = now
    current.rejection_reason = rejection_reason if moderation == Moderation.REJECTED else ""
    current.status = status
    if answer != current.answer:
        current.answer = answer
        current.answered_by = by if answer else None
        current.answered_at = now if answer else None
    current.save()
    mail.report_moderated(current, before)
    return current
