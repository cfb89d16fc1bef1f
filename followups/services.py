"""Every write to a supervisor's request: who may, what changes, and its line in the audit
trail (contracts.AuditEntry, beside the package's other changes)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from contracts import public_cache
from contracts.models import AuditEntry
from followups.models import TEXT_LIMIT, FollowUp, FollowUpEntry


def can_ask(user):
    """Supervisors and administrators ask; operators answer."""
    return user.is_authenticated and (user.is_supervisor or user.is_administrator)


def can_answer(user, followup):
    """The request's agency's operators, and administrators (who may act for any agency)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_administrator or (user.is_operator and user.agency_id == followup.agency_id)


can_close = can_ask


def _text(text, *, required):
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(gettext("Tuliskan isinya."))
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            gettext("Paling banyak %(limit)s karakter (sekarang %(length)s); persingkat isinya.")
            % {"limit": TEXT_LIMIT, "length": len(text)}
        )
    return text


def _audit(followup, by, action, text=""):
    changes = {"permintaan": followup.text[:200]}
    if followup.stage:
        changes["tahap"] = followup.get_stage_display()
    if text:
        changes["isi"] = text[:500]
    AuditEntry.objects.create(
        process=followup.process,
        process_label=followup.subject[:500],
        agency_id=followup.agency_id,
        user=by,
        action=action,
        changes=changes,
    )
    # The supervisors' matrix counts open requests: retire its cached copies, not the public's
    # (the cache is in the database: a rolled-back request rolls this back too).
    public_cache.changed(public=False)


@transaction.atomic
def ask(*, by, text, agency=None, process=None, stage=""):
    """A new request about `process` (its agency is the request's) or, without one, about
    `agency`. Raises PermissionDenied for anyone but a supervisor or administrator,
    ValidationError for an empty or too long text."""
    if not can_ask(by):
        raise PermissionDenied(gettext("Hanya pengawas atau administrator yang dapat meminta."))
    if process is not None:
        agency = process.agency
    if agency is None:
        raise ValidationError(gettext("Pilih perangkat daerah atau paket yang dimaksud."))
    followup = FollowUp.objects.create(
        agency=agency,
        process=process,
        stage=stage or "",
        text=_text(text, required=True),
        created_by=by,
    )
    _audit(followup, by, AuditEntry.Action.REQUEST)
    return followup


def _lock(followup):
    return (
        # Only the request's row: the package may be absent (an outer join cannot be locked).
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("process", "agency")
        .get(pk=followup.pk)
    )


@transaction.atomic
def answer(*, followup, by, text, done=False):
    """The operator's reply; with `done`, the request is marked done for the supervisor to
    close. A reply without `done` may be empty only when it marks done."""
    if not can_answer(by, followup):
        raise PermissionDenied(gettext("Permintaan ini untuk operator perangkat daerah lain."))
    followup = _lock(followup)
    if followup.status == FollowUp.Status.CLOSED:
        raise ValidationError(gettext("Permintaan ini sudah ditutup pengawas."))
    text = _text(text, required=not done)
    followup.answered_at = timezone.now()
    if done:
        followup.status = FollowUp.Status.DONE
        followup.save(update_fields=["status", "answered_at", "updated_at"])
        FollowUpEntry.objects.create(
            followup=followup, action=FollowUpEntry.Action.DONE, text=text, by=by
        )
        _audit(followup, by, AuditEntry.Action.REQUEST_DONE, text)
    else:
        followup.save(update_fields=["answered_at", "updated_at"])
        FollowUpEntry.objects.create(
            followup=followup, action=FollowUpEntry.Action.REPLY, text=text, by=by
        )
        _audit(followup, by, AuditEntry.Action.REQUEST_REPLY, text)
    return followup


@transaction.atomic
def comment(*, followup, by, text):
    """A supervisor's word in the thread without changing the status."""
    if not can_close(by):
        raise PermissionDenied(
            gettext("Hanya pengawas atau administrator yang dapat menanggapi di sini.")
        )
    followup = _lock(followup)
    if followup.status == FollowUp.Status.CLOSED:
        raise ValidationError(gettext("Permintaan ini sudah ditutup; buka lagi untuk menanggapi."))
    text = _text(text, required=True)
    # A supervisor's word in the thread is the agency's turn again.
    followup.answered_at = None
    followup.save(update_fields=["answered_at", "updated_at"])
    FollowUpEntry.objects.create(
        followup=followup, action=FollowUpEntry.Action.REPLY, text=text, by=by
    )
    _audit(followup, by, AuditEntry.Action.REQUEST_REPLY, text)
    return followup


@transaction.atomic
def close(*, followup, by, text=""):
    if not can_close(by):
        raise PermissionDenied(
            gettext("Hanya pengawas atau administrator yang dapat menutup permintaan.")
        )
    followup = _lock(followup)
    if followup.status == FollowUp.Status.CLOSED:
        raise ValidationError(gettext("Permintaan ini sudah ditutup."))
    text = _text(text, required=False)
    followup.status = FollowUp.Status.CLOSED
    followup.closed_at = timezone.now()
    followup.save(update_fields=["status", "closed_at", "updated_at"])
    FollowUpEntry.objects.create(
        followup=followup, action=FollowUpEntry.Action.CLOSE, text=text, by=by
    )
    _audit(followup, by, AuditEntry.Action.REQUEST_CLOSE, text)
    return followup


@transaction.atomic
def reopen(*, followup, by, text=""):
    """Back to the operators: after they marked it done, or after it was closed."""
    if not can_close(by):
        raise PermissionDenied(
            gettext("Hanya pengawas atau administrator yang dapat membuka lagi.")
        )
    followup = _lock(followup)
    if followup.status == FollowUp.Status.OPEN:
        raise ValidationError(gettext("Permintaan ini masih terbuka."))
    text = _text(text, required=False)
    followup.status = FollowUp.Status.OPEN
    followup.closed_at = None
    followup.answered_at = None
    followup.save(update_fields=["status", "closed_at", "answered_at", "updated_at"])
    FollowUpEntry.objects.create(
        followup=followup, action=FollowUpEntry.Action.REOPEN, text=text, by=by
    )
    _audit(followup, by, AuditEntry.Action.REQUEST_REOPEN, text)
    return followup
