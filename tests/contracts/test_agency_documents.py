"""Agency documents: a DPA, Renja SKPD or jadwal kegiatan uploaded once per agency and fiscal
year, counted for all its packages, stored once, published once per package with one URL and
searched as itself."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts import completeness, services
from contracts.models import AgencyDocument, DocumentType, Process, Release, StageCompleteness
from contracts.ocds import related_lists, related_lists_of, release, with_related
from contracts.pdf import inspect_upload
from tests import pdfs
from tests.factories import (
    make_agency,
    make_operator,
    make_process,
    make_supervisor,
    planning_fields,
)


def upload_agency_document(operator, *, code="dpa", year=2018, lines=("Isi DPA.",), **extra):
    uploaded = SimpleUploadedFile(f"{code} {year}.pdf", pdfs.good_pdf(code.upper(), lines))
    (document,) = services.add_agency_documents(
        agency=operator.agency,
        fiscal_year=year,
        document_type=DocumentType.objects.get(code=code),
        uploads=[(uploaded, inspect_upload(uploaded))],
        by=operator,
        **extra,
    )
    return document


def missing_planning_documents(process):
    row = StageCompleteness.objects.get(process=process, stage="perencanaan")
    return {item["code"] for item in row.missing if item["kind"] == "document"}


@pytest.fixture
def agency():
    return make_agency()


@pytest.fixture
def operator(agency):
    return make_operator(agency)


@pytest.mark.django_db
def test_the_seeded_per_agency_types_are_dpa_renja_and_the_schedule():
    assert set(DocumentType.objects.per_agency().values_list("code", flat=True)) == {
        "dpa",
        "renja",
        "jadwal-kegiatan",
    }


@pytest.mark.django_db
def test_one_dpa_completes_the_dpa_requirement_of_every_package_of_that_agency_year(
    operator, media_root, django_assert_num_queries
):
    packages = [make_process(operator.agency, fiscal_year=2018) for _ in range(30)]
    other_year = make_process(operator.agency, fiscal_year=2019)
    other_agency = make_process(make_agency(), fiscal_year=2018)
    for process in [*packages, other_year, other_agency]:
        assert "dpa" in missing_planning_documents(process)

    upload_agency_document(operator)

    for process in packages:
        assert missing_planning_documents(process) == {
            "jadwal-kegiatan",
            "kak-perencanaan",
            "renja",
        }
    assert "dpa" in missing_planning_documents(other_year)
    assert "dpa" in missing_planning_documents(other_agency)

    # Set-based: the same fixed count as without agency documents (the packages' own and the
    # agency-year documents are read in one query), whatever the number of packages.
    rules = completeness.Rules.load()
    with django_assert_num_queries(24):
        completeness.refresh([p.pk for p in packages], rules=rules)


@pytest.mark.django_db
def test_a_document_naming_a_kegiatan_covers_only_that_kegiatans_packages(operator, media_root):
    road = make_process(operator.agency, activity_code="1.03.01")
    school = make_process(operator.agency, activity_code="1.01.02")
    upload_agency_document(operator, activity_code="1.03.01", pages="12-18")
    assert "dpa" not in missing_planning_documents(road)
    assert "dpa" in missing_planning_documents(school)


@pytest.mark.django_db
def test_the_file_is_stored_once_and_sending_it_again_stores_nothing(operator, media_root):
    for _ in range(40):
        make_process(operator.agency)
    document = upload_agency_document(operator)
    again = SimpleUploadedFile("DPA lagi.pdf", pdfs.good_pdf("DPA", ("Isi DPA.",)))
    assert (
        services.add_agency_documents(
            agency=operator.agency,
            fiscal_year=2018,
            document_type=DocumentType.objects.get(code="dpa"),
            uploads=[(again, inspect_upload(again))],
            by=operator,
        )
        == []
    )
    assert AgencyDocument.objects.count() == 1
    stored = [name for name in default_storage.listdir("dokumen")[1]]
    assert stored == [document.file.name.removeprefix("dokumen/")]


@pytest.mark.django_db
def test_another_agencys_operator_can_neither_upload_nor_see_drafts(operator, client, media_root):
    document = upload_agency_document(operator)
    make_process(operator.agency)  # a draft: nothing of this agency-year is public
    outsider = make_operator(make_agency())

    uploaded = SimpleUploadedFile("DPA.pdf", pdfs.good_pdf("DPA lain"))
    with pytest.raises(PermissionDenied):
        services.add_agency_documents(
            agency=operator.agency,
            fiscal_year=2018,
            document_type=DocumentType.objects.get(code="dpa"),
            uploads=[(uploaded, inspect_upload(uploaded))],
            by=outsider,
        )
    assert AgencyDocument.objects.count() == 1

    url = reverse("contracts:agency-document-download", args=[document.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    admin_list = client.get(reverse("admin:contracts_agencydocument_changelist"))
    assert admin_list.status_code == 200
    assert document.original_filename not in admin_list.text
    change_url = reverse("admin:contracts_agencydocument_change", args=[document.pk])
    assert client.get(change_url).status_code in (302, 404)
    # Through the admin's form, the other agency is not among the choices.
    response = client.post(
        reverse("admin:contracts_agencydocument_add"),
        {
            "agency": operator.agency.pk,
            "fiscal_year": 2018,
            "document_type": DocumentType.objects.get(code="renja").pk,
            "revision": 0,
            "upload": SimpleUploadedFile("Renja.pdf", pdfs.good_pdf("Renja")),
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert AgencyDocument.objects.count() == 1

    client.logout()
    assert client.get(url).status_code == 404  # the public, before any package is published
    client.force_login(operator)
    assert client.get(url).status_code == 200
    client.force_login(make_supervisor())
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_an_operator_uploads_through_the_admin_and_bad_pdfs_are_refused(
    operator, client, media_root
):
    make_process(operator.agency)
    client.force_login(operator)
    add = reverse("admin:contracts_agencydocument_add")
    fields = {
        "agency": operator.agency.pk,
        "fiscal_year": 2018,
        "document_type": DocumentType.objects.get(code="dpa").pk,
        "revision": 1,
    }
    refused = client.post(add, {**fields, "upload": SimpleUploadedFile("DPA.pdf", b"bukan pdf")})
    assert refused.status_code == 200
    assert "bukan berkas PDF" in refused.text
    assert not AgencyDocument.objects.exists()

    response = client.post(
        add, {**fields, "upload": SimpleUploadedFile("DPA-P 2018.pdf", pdfs.good_pdf("DPA-P"))}
    )
    assert response.status_code == 302
    (document,) = AgencyDocument.objects.all()
    assert (document.agency, document.revision, document.uploaded_by) == (
        operator.agency,
        1,
        operator,
    )
    # A KAK is a package's own document, never an agency document.
    kak = DocumentType.objects.get(code="kak-perencanaan")
    uploaded = SimpleUploadedFile("KAK.pdf", pdfs.good_pdf("KAK"))
    with pytest.raises(Exception, match="bukan dokumen perangkat daerah"):
        services.add_agency_documents(
            agency=operator.agency,
            fiscal_year=2018,
            document_type=kak,
            uploads=[(uploaded, inspect_upload(uploaded))],
            by=operator,
        )


@pytest.mark.django_db
def test_the_same_file_stored_meanwhile_by_another_tab_is_said_not_added(
    operator, client, media_root, monkeypatch
):
    """Two tabs send the same DPA: each form finds no such file when it checks; the second
    save finds the first's, stores nothing and says so instead of "added"."""
    from django.contrib.admin.models import LogEntry

    content = pdfs.good_pdf("DPA", ("Isi DPA.",))
    dpa = DocumentType.objects.get(code="dpa")
    real = services.add_agency_documents

    def after_the_other_tab(**kwargs):
        other = SimpleUploadedFile("DPA dari tab lain.pdf", content)
        real(**{**kwargs, "uploads": [(other, inspect_upload(other))], "title": "Tab lain"})
        return real(**kwargs)

    monkeypatch.setattr(services, "add_agency_documents", after_the_other_tab)
    client.force_login(operator)
    response = client.post(
        reverse("admin:contracts_agencydocument_add"),
        {
            "agency": operator.agency.pk,
            "fiscal_year": 2018,
            "document_type": dpa.pk,
            "revision": 0,
            "upload": SimpleUploadedFile("DPA 2018.pdf", content),
        },
    )
    (held,) = AgencyDocument.objects.all()
    assert held.title == "Tab lain"
    assert response.status_code == 302
    change = reverse("admin:contracts_agencydocument_change", args=[held.pk])
    assert response["Location"] == f"{change}#pesan"  # it opens on the warning
    assert default_storage.listdir("dokumen")[1] == [held.file.name.removeprefix("dokumen/")]
    said = [(m.level_tag, str(m)) for m in client.get(change).context["messages"]]
    assert said == [
        (
            "warning",
            f"DPA 2018.pdf sama persis (SHA-256 sama) dengan {dpa} TA 2018 yang sudah "
            "diunggah (DPA dari tab lain.pdf) dan tidak disimpan dua kali.",
        )
    ]
    assert not LogEntry.objects.filter(object_id=str(held.pk)).exists()


@pytest.mark.django_db
def test_ocds_lists_it_once_per_package_with_the_same_url(operator, media_root, settings):
    packages = [make_process(operator.agency, **planning_fields()) for _ in range(3)]
    for process in packages:
        services.publish_process(process=process, by=operator)
    document = upload_agency_document(operator)

    url = f"{settings.PORTAL['BASE_URL']}/dokumen-opd/{document.pk}/"
    releases = []
    for process in packages:
        process = with_related(Process.objects.filter(pk=process.pk)).get()
        planning = release(process, **related_lists(process))["planning"]["documents"]
        ours = [d for d in planning if d["url"] == url]
        assert len(ours) == 1
        # DPA's local code, as the package's own DPA would have.
        assert ours[0]["documentType"] == "budgetExecutionDocument"
        releases.append(Release.objects.filter(process=process).latest("sequence"))
    # The upload published a new release of each package, listing the document.
    for stored in releases:
        assert stored.tags == ["planningUpdate"]
        assert [d["url"] for d in stored.data["planning"]["documents"]] == [url]
    # The many-package reader gives the same.
    lists = related_lists_of([p.pk for p in packages])
    assert all([d.pk for d in lists[p.pk]["agency_documents"]] == [document.pk] for p in packages)

    # The public page of each package links it.
    from django.test import Client

    page = Client().get(reverse("contracts:process-detail", args=[packages[0].pk]))
    assert reverse("contracts:agency-document-download", args=[document.pk]) in page.text
    assert Client().get(f"/dokumen-opd/{document.pk}/").status_code == 200


@pytest.mark.django_db
def test_search_finds_the_agency_document_not_its_packages(operator, client, media_root):
    packages = [make_process(operator.agency, **planning_fields()) for _ in range(3)]
    for process in packages:
        services.publish_process(process=process, by=operator)
    upload_agency_document(operator, lines=("Normalisasi saluran irigasi Kedungadem.",))

    response = client.get(reverse("contracts:process-list"), {"q": "irigasi"})
    assert response.context["page"].paginator.count == 0
    found = list(response.context["agency_documents"]())
    assert [d.document_type.code for d in found] == ["dpa"]
    assert reverse("contracts:agency-document-download", args=[found[0].pk]) in response.text
    assert not Process.objects.filter(search_vector="irigasi").exists()


@pytest.mark.django_db
def test_the_to_do_says_dpa_missing_once_per_agency_year_not_per_package(
    operator, client, media_root
):
    for _ in range(3):
        make_process(operator.agency, fiscal_year=2019)
    client.force_login(operator)
    page = client.get(reverse("dashboards:todo"))
    lacking = [str(m) for m in page.context["agency_documents"]]
    assert "DPA (Dokumen Pelaksanaan Anggaran) 2019 belum diunggah" in lacking
    assert {m.packages for m in page.context["agency_documents"]} == {3}
    assert page.text.count("DPA (Dokumen Pelaksanaan Anggaran) 2019 belum diunggah") == 1
    # Each package's own list no longer repeats it.
    for item in page.context["items"]:
        assert "dpa" not in {m["code"] for m in item.things}

    upload_agency_document(operator, year=2019)
    page = client.get(reverse("dashboards:todo"))
    assert "DPA (Dokumen Pelaksanaan Anggaran) 2019" not in page.text
    assert {m.document_type.code for m in page.context["agency_documents"]} == {
        "renja",
        "jadwal-kegiatan",
    }


@pytest.mark.django_db
def test_the_to_dos_filters_reach_the_agency_documents(operator, client):
    import datetime

    past, future = datetime.date(2018, 3, 1), datetime.date(2099, 3, 1)
    for year in [2018, 2019, 2020]:
        make_process(operator.agency, fiscal_year=year, planned_start=past)
    make_process(operator.agency, fiscal_year=2021, planned_start=future)
    client.force_login(operator)

    def lacking(**params):
        page = client.get(reverse("dashboards:todo"), params)
        return {(m.fiscal_year, m.document_type.code) for m in page.context["agency_documents"]}

    kinds = {"dpa", "renja", "jadwal-kegiatan"}
    assert lacking() == {(year, code) for year in [2018, 2019, 2020, 2021] for code in kinds}
    assert lacking(tahun="2019") == {(2019, code) for code in kinds}
    assert (
        "DPA (Dokumen Pelaksanaan Anggaran) 2018"
        not in client.get(reverse("dashboards:todo"), {"tahun": "2019"}).content.decode()
    )
    # They are Perencanaan documents: another stage, or fields only, has none of them.
    assert lacking(tahap="perencanaan", tahun="2020") == {(2020, code) for code in kinds}
    assert lacking(tahap="pemilihan") == set()
    assert lacking(jenis="isian") == set()
    assert lacking(jenis="dokumen", tahun="2018") == {(2018, code) for code in kinds}
    # Late: the planned start has passed (2021's is still to come).
    assert {year for year, _ in lacking(jenis="terlambat")} == {2018, 2019, 2020}


@pytest.mark.django_db
def test_the_matrix_lists_a_missing_dpa_once_per_agency(operator, client, media_root):
    for _ in range(4):
        make_process(operator.agency, fiscal_year=2019)
    done = make_agency(name="Dinas Sudah Unggah")
    done_operator = make_operator(done)
    make_process(done, fiscal_year=2019)
    upload_agency_document(done_operator, year=2019)

    client.force_login(make_supervisor())
    page = client.get(reverse("dashboards:matrix"), {"tahun": 2019})
    lacking = dict(page.context["missing_documents"]())
    assert [(str(m), m.packages) for m in lacking[operator.agency]] == [
        ("DPA (Dokumen Pelaksanaan Anggaran) 2019 belum diunggah", 4),
        ("Renja SKPD 2019 belum diunggah", 4),
        ("Jadwal kegiatan 2019 belum diunggah", 4),
    ]
    assert "dpa" not in {m.document_type.code for m in lacking[done]}
    assert page.text.count(f'data-agency="{operator.agency.code}"><strong>') == 1
