"""Labels stored in Indonesian (what a stage still lacks, the document types' names and
descriptions, seeded from contracts/rules.py) are translated where an English page shows them,
and shown as stored on the Indonesian page (from the try-out: the English package page listed
"program, kegiatan, … KAK Pelaksanaan")."""

import re

import pytest

from agencies.models import Agency
from tests.contracts.test_public import publish
from tests.factories import make_operator, make_process


def missing_line(html):
    match = re.search(r'<p class="missing">(.*?)</p>', html, re.S)
    assert match, "no missing-data line"
    return match.group(1)


@pytest.mark.django_db
def test_what_a_stage_lacks_in_the_page_language(client):
    health = Agency.objects.get(code="dinas-kesehatan")
    process = publish(
        make_process(health, title="Rehabilitasi Puskesmas Dander", fiscal_year=2019),
        make_operator(health),
    )
    indonesian = missing_line(client.get(f"/paket/{process.pk}/").content.decode())
    english = missing_line(client.get(f"/en/paket/{process.pk}/").content.decode())
    assert indonesian.startswith("Data yang belum ada:")
    assert english.startswith("Data still missing:")
    assert "programme" in english and "activity" in english
    for word in ("program,", "kegiatan", "rencana mulai", "KAK Pelaksanaan"):
        assert word not in english, word
    assert "kegiatan" in indonesian


@pytest.mark.django_db
def test_the_local_codes_describe_each_document_type_in_english(client):
    english = client.get("/en/data-terbuka/kode-lokal/").content.decode()
    assert "The agency\u2019s annual work plan." in english
    assert "Renja SKPD (the agency\u2019s annual work plan)" in english
    assert "Rencana kerja tahunan perangkat daerah." not in english
    indonesian = client.get("/data-terbuka/kode-lokal/").content.decode()
    assert "Rencana kerja tahunan perangkat daerah." in indonesian


@pytest.mark.django_db
def test_the_thresholds_count_packages_and_days_in_the_plural(client):
    english = client.get("/en/tanda/").content.decode()
    assert re.search(r'data-label="Threshold">\d+ packages<', english), "no plural packages"
    assert not re.search(r">\d+ package<", english.replace(">1 package<", ""))
    indonesian = client.get("/tanda/").content.decode()
    assert re.search(r'data-label="Ambang">\d+ paket<', indonesian)


@pytest.mark.django_db
def test_the_sources_of_funds_are_named_not_coded(client):
    health = Agency.objects.get(code="dinas-kesehatan")
    process = publish(
        make_process(health, title="Jalan Dander", funding_sources=["APBDP", "DAK"]),
        make_operator(health),
    )
    indonesian = client.get(f"/paket/{process.pk}/").content.decode()
    assert "<dd>APBD Perubahan, DAK</dd>" in indonesian
    english = client.get(f"/en/paket/{process.pk}/").content.decode()
    assert "<dd>APBD-P (revised regional budget), DAK (special allocation fund)</dd>" in english


def test_an_audit_entrys_status_change_reads_as_names_not_codes():
    from django.utils import translation

    from contracts.models import AuditEntry
    from contracts.templatetags.rupiah import audit_changes

    entry = AuditEntry(changes={"status": ["withdrawn", "published"], "nama paket": ["A", "B"]})
    with translation.override("id"):
        shown = str(audit_changes(entry))
    assert "<strong>status</strong>: Ditarik → Dipublikasikan" in shown
    assert "<strong>nama paket</strong>: A → B" in shown
    with translation.override("en"):
        shown = str(audit_changes(entry))
    assert "<strong>status</strong>: Withdrawn → Published" in shown
    assert "<strong>package name</strong>: A → B" in shown
