"""Documents go through STORAGES: local files by default, an S3-compatible bucket when set."""

import urllib.request

import boto3
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def test_local_storage_keeps_files_under_media_root(media_root):
    name = default_storage.save("dokumen/uji.pdf", ContentFile(b"%PDF-1.7 isi"))
    assert (media_root / name).read_bytes() == b"%PDF-1.7 isi"
    default_storage.delete(name)
    assert not (media_root / name).exists()


def test_s3_storage_stores_privately_and_signs_downloads(s3_storage, s3_endpoint):
    first = default_storage.save("dokumen/kontrak.pdf", ContentFile(b"%PDF-1.7 kontrak"))
    second = default_storage.save("dokumen/kontrak.pdf", ContentFile(b"%PDF-1.7 adendum"))
    # file_overwrite is off: a second upload with the same name never replaces the first.
    assert first != second

    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="uji",
        aws_secret_access_key="rahasia-uji",
    )
    stored = s3.get_object(Bucket=s3_storage, Key=first)["Body"].read()
    assert stored == b"%PDF-1.7 kontrak"

    url = default_storage.url(first)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
        assert response.read() == b"%PDF-1.7 kontrak"
