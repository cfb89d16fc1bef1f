"""How the portal's documents are stored: one place that both settings and tests build from."""


def s3_storage(*, bucket, endpoint_url, access_key, secret_key, region, url_expire_seconds):
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
        },
    }


def local_storage(*, location, base_url):
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location, "base_url": base_url},
    }
