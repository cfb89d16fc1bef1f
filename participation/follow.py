"""A citizen's report followed after sending: its reference number and the author's link.

The reference ("LAP-2026-000123") is derived, never stored: "LAP-", the year the report was
sent (Asia/Jakarta), "-", and the report's id padded to six digits (more digits once ids pass
999,999). It is short enough to read over the phone to an agency, and it is guessable: a
reference alone opens only what is public anyway (a published report). The author's link
adds a key, the reference signed with the portal's SECRET_KEY (django.core.signing), given
only on the page after sending; with it the author sees their report's status and text before
it is published, or after it was not. No page shows the author's contact.
"""

import re

from django.core import signing
from django.urls import reverse
from django.utils import timezone

PREFIX = "LAP"
REFERENCE = re.compile(r"^LAP-(?P<year>\d{4})-(?P<pk>\d{6,12})$")
_SALT = "participation.ikuti-laporan"


def reference(report):
    """'LAP-<year sent, Jakarta>-<id, at least six digits>', e.g. 'LAP-2026-000123'."""
    year = timezone.localtime(report.created_at).year
    return f"{PREFIX}-{year}-{report.pk:06d}"


def parse(text):
    """The report id a reference names, or None when it is not a reference's shape."""
    match = REFERENCE.match(text or "")
    return int(match["pk"]) if match else None


def key(ref):
    """The author's key for `ref`: the signature of the reference (URL-safe base64)."""
    return signing.Signer(salt=_SALT).sign(ref).rsplit(":", 1)[1]


def opens(ref, candidate):
    """Whether `candidate` is the author's key for `ref` (compared in constant time)."""
    if not candidate:
        return False
    try:
        signing.Signer(salt=_SALT).unsign(f"{ref}:{candidate}")
    except signing.BadSignature:
        return False
    return True


def author_url(report):
    """The author's link to follow `report`: its page with the key (a path, no host)."""
    ref = reference(report)
    return f"{reverse('participation:follow', args=[ref])}?kunci={key(ref)}"
