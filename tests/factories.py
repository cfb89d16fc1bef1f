"""Test data built the way the portal builds it: real rows in the real database."""

from itertools import count

from django.contrib.auth.models import Group

from agencies import roles
from agencies.models import Agency, User

_sequence = count(1)


def make_agency(**fields):
    number = next(_sequence)
    defaults = {
        "code": f"dinas-uji-{number}",
        "name": f"Dinas Uji {number}",
        "short_name": f"DU{number}",
        "kind": "dinas",
    }
    return Agency.objects.create(**{**defaults, **fields})


def make_user(*, role=None, agency=None, password="kata-sandi-uji-123", **fields):
    number = next(_sequence)
    user = User.objects.create_user(
        username=fields.pop("username", f"pengguna-{number}"),
        password=password,
        agency=agency,
        is_staff=role is not None,
        **fields,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_operator(agency, **fields):
    return make_user(role=roles.OPERATOR, agency=agency, **fields)


def make_supervisor(**fields):
    return make_user(role=roles.SUPERVISOR, **fields)


def make_administrator(**fields):
    return make_user(role=roles.ADMINISTRATOR, **fields)


def make_process(agency, **fields):
    """A draft package with its completeness stored, as the services leave one."""
    from contracts import completeness
    from contracts.models import Process

    number = next(_sequence)
    defaults = {"fiscal_year": 2018, "title": f"Paket uji {number}"}
    process = Process.objects.create(agency=agency, **{**defaults, **fields})
    completeness.refresh([process.pk])
    return process


PLANNING_FIELDS = {
    "program_name": "Program Peningkatan Infrastruktur Jalan",
    "activity_name": "Rehabilitasi Jalan Kabupaten",
    "rup_code": "17654321",
    "budget_amount": 1_250_000_000,
    "funding_sources": ["APBD"],
    "category": "pekerjaan_konstruksi",
    "method": "tender",
    "location_kecamatan": "Dander",
    "pa_kpa_name": "Ir. Kepala Dinas",
    "ppk_name": "Pejabat Pembuat Komitmen",
    "pptk_name": "Pejabat Teknis",
}


def planning_fields(**overrides):
    import datetime

    return {
        **PLANNING_FIELDS,
        "rup_code": str(17_000_000 + next(_sequence)),
        "planned_start": datetime.date(2018, 3, 1),
        "planned_end": datetime.date(2018, 11, 30),
        **overrides,
    }


def answered_report(process, by, answer, **fields):
    """A citizen's report, published by `by` with a public answer, follow-up in progress."""
    from participation import services
    from participation.models import FollowUp, Moderation, Report

    report = Report.objects.create(process=process, **{"topic": "lainnya", **fields})
    services.moderate(
        report=report,
        by=by,
        moderation=Moderation.PUBLISHED,
        rejection_reason="",
        status=FollowUp.IN_PROGRESS,
        answer=answer,
    )
    return report


def add_document(process, by, data, name="DPA Dinkes 2018.pdf"):
    """One PDF through the real intake and the upload service, as a DPA of Perencanaan."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contracts import services
    from contracts.models import DocumentType
    from contracts.pdf import inspect_upload

    uploaded = SimpleUploadedFile(name, data)
    (document,) = services.add_documents(
        process=process,
        stage="perencanaan",
        document_type=DocumentType.objects.get(code="dpa"),
        uploads=[(uploaded, inspect_upload(uploaded))],
        by=by,
    )
    return document
