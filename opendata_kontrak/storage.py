"""How the portal's documents are stored: one place that both settings and tests build from."""

from django.utils.translation import gettext, gettext_noop

# A hung object store (it accepts the connection, never answers) must fail one request with the
# form's "storage unreachable" message, not hold a worker thread until nginx gives up: each
# attempt waits at most CONNECT + READ seconds, and MAX_ATTEMPTS attempts (the first included)
# of 3 + 10 s (26 s) stay under gunicorn's 30 s worker timeout and nginx's 60 s wait.
S3_CONNECT_TIMEOUT_SECONDS = 3
S3_READ_TIMEOUT_SECONDS = 10
S3_MAX_ATTEMPTS = 2


def s3_client_config(*, connect_timeout, read_timeout, max_attempts):
    """botocore's client settings for the bucket: timeouts in seconds (float), `max_attempts`
    the total number of tries of one call, the first included (botocore's standard retry mode,
    which retries throttling, 5xx and connection and read timeouts with jittered backoff).

    Given a client config, django-storages no longer builds its own, so the signature version
    it would have set is set here."""
    from botocore.config import Config

    return Config(
        signature_version="s3v4",
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
    )


def s3_storage(
    *,
    bucket,
    endpoint_url,
    access_key,
    secret_key,
    region,
    url_expire_seconds,
    connect_timeout=S3_CONNECT_TIMEOUT_SECONDS,
    read_timeout=S3_READ_TIMEOUT_SECONDS,
    max_attempts=S3_MAX_ATTEMPTS,
):
    """STORAGES["default"] for an S3-compatible bucket (django-storages' S3Storage)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "access_key": access_key,
            "secret_key": secret_key,
            "region_name": region,
            # Drafts' documents must stay private: no public ACL, only short-lived signed URLs.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": url_expire_seconds,
            "signature_version": "s3v4",
            # Never overwrite: a new upload gets a new name, so the old file outlives a failed save.
            "file_overwrite": False,
            "client_config": s3_client_config(
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                max_attempts=max_attempts,
            ),
        },
    }


def local_storage(*, location, base_url):
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location, "base_url": base_url},
    }


def serve(name, *, content_type, missing, filename=None, attachment=False, public=True, etag=None):
    """A stored file as a response: read in chunks from local media, or, from object storage,
    a redirect to a short-lived signed URL so the file never streams through a worker.

    `missing` is the 404 message when the file is gone. A public file may be kept by any
    cache but must be revalidated on every use (`no-cache`, with ETag and Last-Modified, so
    an unchanged file costs a 304): when its package is withdrawn the next request gets
    the 404, not a copy an hour old. A file not public is never stored (`private, no-store`).
    Callers wrap their view in `conditional_page` so that a matching request gets the 304.
    """
    from django.core.files.storage import default_storage
    from django.http import FileResponse, Http404, HttpResponseRedirect
    from django.utils.http import content_disposition_header, http_date, quote_etag

    if not is_local(default_storage):
        parameters = {"ResponseContentType": content_type}
        if filename:
            parameters["ResponseContentDisposition"] = content_disposition_header(
                attachment, filename
            )
        response = HttpResponseRedirect(default_storage.url(name, parameters=parameters))
        # A signed URL expires: neither it nor the redirect to it is kept.
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404(missing) from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=attachment, filename=filename or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    if public:
        modified = default_storage.get_modified_time(name)
        response["Cache-Control"] = "public, no-cache"
        response["Last-Modified"] = http_date(modified.timestamp())
        response["ETag"] = quote_etag(
            etag or f"{int(modified.timestamp() * 1e6):x}-{default_storage.size(name):x}"
        )
    else:
        response["Cache-Control"] = "private, no-store"
    return response


def is_local(storage):
    # Local storage knows file paths; object storage has none.
    try:
        storage.path("")
    except NotImplementedError:
        return False
    return True


def unavailable_errors():
    """The exceptions that mean "the file store cannot take this now": a full or failing disk,
    an unreachable or refusing bucket."""
    errors = [OSError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - django-storages[s3] brings botocore
        pass
    else:
        errors += [BotoCoreError, ClientError]
    return tuple(errors)


# What a refused save asks to be chosen again (unavailable_message's `files`).
FILES_AGAIN = (gettext_noop("berkasnya"), gettext_noop("fotonya"))


def unavailable_message(error, *, files="berkasnya"):
    """What the person whose save failed is told, in the active language: nothing was kept,
    what they typed is still there, and `files` (one of FILES_AGAIN, in Indonesian) must be
    chosen again."""
    import errno

    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        cause = gettext("Ruang penyimpanan berkas penuh")
        advice = gettext("Beri tahu administrator portal.")
    else:
        cause = gettext("Penyimpanan berkas sedang tidak dapat dijangkau")
        advice = gettext("Coba kirim lagi beberapa saat lagi.")
    return gettext(
        "%(cause)s; tidak ada yang tersimpan dari pengiriman ini. %(advice)s Isian Anda masih "
        "di formulir; pilih ulang %(files)s."
    ) % {"cause": cause, "advice": advice, "files": gettext(files)}
