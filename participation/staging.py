"""Photos of a refused report, kept for the citizen's next try: nothing to choose again.

A photo that passed its checks (opendata_kontrak.photos) while another field was refused is
stored at once under laporan/, where report photos live, and the form carries a token for it:
its storage name and its facts, signed (django.core.signing), so a form can only name a file
the portal itself staged for it. No row names a staged file until the report is sent; an
unsent one is deleted by the orphan sweep (opendata_kontrak.orphans) once an hour old, which
is why a token is honoured for an hour only.
"""

import datetime

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from participation.models import ReportPhoto, photo_upload_to

SALT = "participation.foto-sementara"
MAX_AGE = datetime.timedelta(hours=1)


def stage(photos):
    """Store each cleaned photo (photos.CleanPhoto); return their tokens, in order."""
    tokens = []
    for photo in photos:
        row = ReportPhoto(content_type=photo.content_type, width=photo.width, height=photo.height)
        name = default_storage.save(photo_upload_to(row, ""), ContentFile(photo.content))
        tokens.append(
            signing.dumps(
                {
                    "name": name,
                    "type": photo.content_type,
                    "width": photo.width,
                    "height": photo.height,
                    "size": len(photo.content),
                },
                salt=SALT,
                compress=True,
            )
        )
    return tokens


def read(token):
    """The staged photo a token names, as a dict (name, type, width, height, size), or None
    when the token is not the portal's, is older than MAX_AGE or its file is gone."""
    try:
        staged = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return staged if default_storage.exists(staged["name"]) else None
