"""Every object the workspace names in a message ("… “X” berhasil ditambahkan") or its change
history has a name: each model registered in the admin by the portal's own apps, saved the
way the admin saves it, has a non-empty str. A newly registered model without a builder here
fails, so it gets checked too."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Kecamatan, PlaceAlias, UnresolvedPlace
from contracts import services
from contracts.models import AgencyDocument, AuditEntry, DocumentType, StageExemption, Supplier
from contracts.pdf import inspect_upload
from imports.models import ImportRun
from participation.models import Report
from tests import pdfs
from tests.factories import make_operator, make_process

OUR_APPS = {"agencies", "contracts", "imports", "participation", "integrity", "followups"}


def build(operator):
    """One saved object of each registered model that the migrations do not seed, made as
    the workspace makes it (blank optional fields left blank)."""
    process = make_process(operator.agency)
    services.record(process=process, by=operator, action=AuditEntry.Action.CHANGE)
    uploaded = SimpleUploadedFile("DPA 2018.pdf", pdfs.good_pdf("DPA"))
    services.add_agency_documents(
        agency=operator.agency,
        fiscal_year=2018,
        document_type=DocumentType.objects.get(code="dpa"),
        uploads=[(uploaded, inspect_upload(uploaded))],
        by=operator,
    )
    kecamatan = Kecamatan.objects.first()
    PlaceAlias.objects.create(text="dander kota", kecamatan=kecamatan, created_by=operator)
    UnresolvedPlace.objects.create(
        text="tidak dikenal", example="Tidak Dikenal", last_seen=timezone.now()
    )
    Supplier.objects.create(name="CV Sehat Sentosa", npwp="0012345678901000")
    StageExemption.objects.get_or_create(method="swakelola", stage="pemenang")
    ImportRun.objects.create(
        kind=ImportRun._meta.get_field("kind").choices[0][0],
        filename="sirup-2018.xlsx",
        sha256="0" * 64,
        user=operator,
        rows=1,
    )
    Report.objects.create(
        process=process, topic=Report._meta.get_field("topic").choices[0][0], body="Atap bocor"
    )
    Group.objects.create(name="Tim OGP")


@pytest.mark.django_db
def test_every_registered_model_names_its_saved_objects(media_root):
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    build(operator)
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        saved = list(model.objects.all()[:50])
        assert saved, f"{model._meta.label}: add a builder to tests/test_admin_names.py"
        for obj in saved:
            assert str(obj).strip(), f"{model._meta.label} {obj.pk} has an empty name"


@pytest.mark.django_db
def test_the_agency_document_added_through_the_admin_is_named_in_the_message(client, media_root):
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    make_process(operator.agency)
    client.force_login(operator)
    response = client.post(
        reverse("admin:contracts_agencydocument_add"),
        {
            "agency": operator.agency.pk,
            "fiscal_year": 2018,
            "document_type": DocumentType.objects.get(code="dpa").pk,
            "revision": 1,
            "upload": SimpleUploadedFile("DPA-P 2018.pdf", pdfs.good_pdf("DPA-P")),
        },
        follow=True,
    )
    html = response.content.decode()
    agency = operator.agency.short_name or operator.agency.name
    document = AgencyDocument.objects.get()
    assert str(document) == f"{document.document_type.name} perubahan ke-1 {agency} TA 2018"
    assert "“”" not in html
    change = reverse("admin:contracts_agencydocument_change", args=[document.pk])
    assert (
        f'Dokumen perangkat daerah “<a href="{change}">{document}</a>” berhasil ditambahkan.'
        in html
    )
