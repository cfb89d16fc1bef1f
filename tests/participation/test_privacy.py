"""A reporter's contact is for the agency only: no public page, feed, export or API shows it."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency
from contracts import services as contract_services
from opendata.bulk import build, files_for
from participation.models import Report
from tests.factories import (
    answered_report,
    make_operator,
    make_process,
    make_supervisor,
    planning_fields,
)

EMAIL = "rahasia.pelapor@contoh.id"
PHONE = "+62 812 3456 7890"


def text_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # an XLSX: look inside every part of the zip
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def assert_private(text, where):
    for secret in [EMAIL, PHONE, "812 3456 7890", "81234567890"]:
        assert secret not in text, f"{secret} appears in {where}"


@pytest.mark.django_db
def test_the_contact_appears_on_no_public_page_feed_export_or_api(media_root):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    process = make_process(health, **planning_fields(title="Rehabilitasi Puskesmas Dander"))
    contract_services.publish_process(process=process, by=operator)
    answered = answered_report(
        process,
        operator,
        "Mulai minggu depan.",
        topic="keterlambatan",
        body="Belum dimulai.",
        name="Pak Budi",
        contact=EMAIL,
    )
    Report.objects.create(process=process, topic="lainnya", body="Menunggu.", contact=PHONE)

    client = Client()
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "Pak Budi" in page and "Mulai minggu depan." in page  # the report itself is public
    urls = [
        "/",
        reverse("contracts:process-detail", args=[process.pk]),
        reverse("contracts:process-list"),
        reverse("contracts:process-list") + "?q=rahasia",
        reverse("contracts:agency-detail", args=[health.code]),
        reverse("contracts:feed"),
        reverse("sitemap"),
        reverse("opendata:index"),
        reverse("opendata:release", args=[process.ocid]),
        reverse("opendata:record", args=[process.ocid]),
        reverse("opendata:api-root"),
        reverse("opendata:api-packages"),
        reverse("opendata:api-package", args=[process.ocid]),
        reverse("opendata:api-agency", args=[health.code]),
        reverse("integrity:summary"),
        reverse("participation:poll"),
        reverse("dashboards:openness"),
    ]
    build(base_url="https://contoh")
    for scope in ["semua", str(process.fiscal_year)]:
        urls += [reverse("opendata:download", args=[scope, name]) for name in files_for(scope)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private(text_of(response), url)

    # Nor the supervisors' exports and pages, which are not the moderation screen.
    client.force_login(make_supervisor())
    year = process.fiscal_year
    for url in [
        reverse("dashboards:matrix") + "?format=csv",
        reverse("dashboards:matrix") + "?format=xlsx",
        reverse("dashboards:cell", args=[year, health.code, "perencanaan"]) + "?format=csv",
        reverse("dashboards:cell", args=[year, health.code, "perencanaan"]) + "?format=xlsx",
        reverse("participation:open-reports"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private(text_of(response), url)
    # The moderators do see it, in the workspace, to answer the reporter.
    client.force_login(operator)
    change = client.get(reverse("admin:participation_report_change", args=[answered.pk]))
    assert EMAIL in change.content.decode()
