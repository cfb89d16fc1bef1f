import urllib.request

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from tests import pdfs
from tests.factories import add_document, make_operator, make_process


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"))


@pytest.mark.django_db
def test_a_published_document_downloads_with_its_name_and_bytes(client, operator, media_root):
    process = make_process(operator.agency)
    data = pdfs.good_pdf("DPA", ["isi"], pages=2)
    document = add_document(process, operator, data)
    url = reverse("contracts:document-download", args=[document.pk])
    assert client.get(url).status_code == 404  # still a draft
    services.publish_process(process=process, by=operator)

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == data

    response = client.get(url, {"unduh": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="DPA Dinkes 2018.pdf"'


@pytest.mark.django_db
def test_a_withdrawn_package_takes_its_documents_off_line(client, operator, media_root):
    process = make_process(operator.agency)
    document = add_document(process, operator, pdfs.good_pdf())
    services.publish_process(process=process, by=operator)
    services.withdraw_process(process=process, by=operator, reason="Dibatalkan")
    assert client.get(reverse("contracts:document-download", args=[document.pk])).status_code == 404


@pytest.mark.django_db
def test_documents_on_object_storage_download_through_a_signed_url(client, operator, s3_storage):
    process = make_process(operator.agency)
    data = pdfs.good_pdf("Kontrak", ["di bucket"])
    document = add_document(process, operator, data, name="Kontrak.pdf")
    services.publish_process(process=process, by=operator)

    response = client.get(reverse("contracts:document-download", args=[document.pk]))
    assert response.status_code == 302
    signed = response["Location"]
    assert "X-Amz-Signature=" in signed
    with urllib.request.urlopen(signed, timeout=5) as answer:  # noqa: S310 (loopback S3)
        assert answer.read() == data
        assert answer.headers["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_caches_revalidate_a_public_document_so_a_withdrawal_takes_it_off_them(
    client, operator, media_root
):
    """Finding 10 of issue 17: published files were sent `public, max-age=3600`, so a shared
    cache kept a withdrawn package's documents for an hour."""
    process = make_process(operator.agency)
    document = add_document(process, operator, pdfs.good_pdf())
    url = reverse("contracts:document-download", args=[document.pk])
    client.force_login(operator)
    assert client.get(url)["Cache-Control"] == "private, no-store"  # a draft's, to its people
    client.logout()
    services.publish_process(process=process, by=operator)
    response = client.get(url)
    assert response["Cache-Control"] == "public, no-cache"
    assert response["ETag"] == f'"{document.sha256}"' and response["Last-Modified"]
    # A cache revalidating the unchanged file gets a 304, without the file ...
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    # ... until the package is withdrawn: then the revalidation answers 404.
    services.withdraw_process(process=process, by=operator, reason="Salah unggah")
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 404
