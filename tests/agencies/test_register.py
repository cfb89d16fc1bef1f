from collections import Counter

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from agencies.models import Agency
from agencies.register import RegisterError, load_register

HEADER = "code,name,short_name,kind,sirup_id_satker,sirup_name,source\n"

# The register's README: 23 dinas, 6 badan, 1 sekretariat, 1 inspektorat, 1 satpol PP,
# 11 bagian, 3 RSUD, 28 kecamatan.
EXPECTED_KINDS = {
    "dinas": 23,
    "badan": 6,
    "sekretariat": 1,
    "inspektorat": 1,
    "satpol_pp": 1,
    "bagian": 11,
    "rsud": 3,
    "kecamatan": 28,
}


@pytest.mark.django_db
def test_migrations_load_the_74_agencies_of_the_register():
    assert Agency.objects.count() == 74
    assert Counter(Agency.objects.values_list("kind", flat=True)) == EXPECTED_KINDS
    dinkes = Agency.objects.get(code="dinas-kesehatan")
    assert (dinkes.name, dinkes.short_name, dinkes.sirup_id) == (
        "Dinas Kesehatan",
        "Dinkes",
        "74472",
    )
    # Six kecamatan have no SiRUP id; the others are unique.
    assert Agency.objects.filter(sirup_id="").count() == 6


@pytest.mark.django_db
def test_a_second_load_changes_nothing():
    before = {a.code: (a.name, a.updated_at) for a in Agency.objects.all()}
    result = load_register(path=settings.PORTAL["AGENCY_REGISTER"])
    assert result.created == [] and result.updated == [] and result.differing == []
    assert len(result.unchanged) == 74
    assert {a.code: (a.name, a.updated_at) for a in Agency.objects.all()} == before


@pytest.mark.django_db
def test_corrections_made_by_administrators_survive_a_reload():
    Agency.objects.filter(code="dinas-kesehatan").update(short_name="DINKES")
    result = load_register(path=settings.PORTAL["AGENCY_REGISTER"])
    assert result.differing == ["dinas-kesehatan"]
    assert Agency.objects.get(code="dinas-kesehatan").short_name == "DINKES"

    result = load_register(path=settings.PORTAL["AGENCY_REGISTER"], update=True)
    assert result.updated == ["dinas-kesehatan"]
    assert Agency.objects.get(code="dinas-kesehatan").short_name == "Dinkes"


@pytest.mark.django_db
def test_missing_agencies_are_added_back():
    Agency.objects.filter(kind="kecamatan", code="kecamatan-bojonegoro").delete()
    result = load_register(path=settings.PORTAL["AGENCY_REGISTER"])
    assert result.created == ["kecamatan-bojonegoro"]
    assert Agency.objects.count() == 74


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,name,kind\nx,X,dinas\n", "kolom wajib tidak ada: short_name, sirup_id_satker"),
        (HEADER + "dinas-baru,Dinas Baru,DB,dinas,,,\nbad,Bad,B,kantor,,,\n", "baris 3"),
        (HEADER + "dinas-baru,Dinas Baru,DB,dinas,,,\ndinas-baru,Lagi,L,dinas,,,\n", "sudah ada"),
        (HEADER + ",Tanpa Kode,TK,dinas,,,\n", "kode dan nama wajib"),
    ],
)
def test_a_bad_register_is_refused_whole(tmp_path, content, message):
    path = tmp_path / "register.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegisterError, match=message):
        load_register(path=path)
    assert not Agency.objects.filter(code="dinas-baru").exists()
    assert Agency.objects.count() == 74


@pytest.mark.django_db
def test_a_register_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes((HEADER + "dinas-baru,Dinas Baru,DB,dinas,,,\n").encode("utf-16"))
    with pytest.raises(RegisterError, match="bukan teks UTF-8"):
        load_register(path=path)


@pytest.mark.django_db
def test_command_reports_counts_and_errors(tmp_path, capsys):
    call_command("load_agencies")
    assert "74 baris; 0 ditambahkan, 0 diperbarui, 74 tetap" in capsys.readouterr().out

    path = tmp_path / "register.csv"
    path.write_text("code\n", encoding="utf-8")
    with pytest.raises(CommandError, match="kolom wajib tidak ada"):
        call_command("load_agencies", file=path)
