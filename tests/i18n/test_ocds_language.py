"""OCDS carries no language: a release stored while an operator works in English, and the
OCDS answered under /en/, link to the canonical (Indonesian, unprefixed) addresses."""

import json

import pytest
from django.utils import translation

from agencies.models import Agency
from tests.contracts.test_public import attach, publish
from tests.factories import make_operator, make_process


@pytest.mark.django_db
def test_a_release_stored_in_an_english_request_links_without_en(client, media_root):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    process = make_process(health, title="Rehabilitasi Puskesmas Dander", fiscal_year=2019)
    with translation.override("en"):
        attach(process, operator, "Kerangka acuan kerja")
        publish(process, operator)
    text = json.dumps([release.data for release in process.releases.all()])
    assert process.releases.exists()
    assert "/en/" not in text
    document = process.documents.get()
    assert f'"url": "http://127.0.0.1:8000/dokumen/{document.pk}/"' in text

    english = client.get(f"/en/ocds/{process.ocid}/")
    assert english.status_code == 200
    assert "/en/" not in english.content.decode()
    record = client.get(f"/en/ocds/{process.ocid}/rekam/").content.decode()
    assert "/en/" not in record
    assert f'"uri": "http://testserver/ocds/{process.ocid}/rekam/"' in record
