import csv
from pathlib import Path

import pytest

from contracts.models import DocumentType, StageExemption, StageRequirement

CODELIST = Path(__file__).resolve().parents[2] / "contracts/ocds/1.1.5/codelists/documentType.csv"


def official_codes():
    with open(CODELIST, newline="", encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


@pytest.mark.django_db
def test_document_types_use_the_codelist_or_a_documented_local_code():
    codes = official_codes()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for document_type in DocumentType.objects.all():
        if document_type.is_local:
            assert document_type.ocds_code not in codes, document_type
            assert f"`{document_type.ocds_code}`" in readme, document_type
            assert document_type.description
        else:
            assert document_type.ocds_code in codes, document_type


@pytest.mark.django_db
def test_seeded_rules_follow_the_domain():
    # Every stage has rules; Swakelola skips supplier selection and award.
    assert set(StageRequirement.objects.values_list("stage", flat=True)) == {
        "perencanaan",
        "pemilihan",
        "pemenang",
        "kontrak",
        "implementasi",
    }
    assert set(StageExemption.objects.values_list("method", "stage")) == {
        ("swakelola", "pemilihan"),
        ("swakelola", "pemenang"),
    }
    planning_documents = set(
        StageRequirement.objects.filter(
            stage="perencanaan", document_type__isnull=False
        ).values_list("document_type__code", flat=True)
    )
    assert planning_documents == {"dpa", "renja", "jadwal-kegiatan", "kak-perencanaan"}
