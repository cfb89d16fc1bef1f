import pytest

from contracts.models import DocumentType
from contracts.recognition import (
    candidate_document_types,
    file_name_words,
    recognise_document_type,
)


@pytest.mark.parametrize(
    ("filename", "words"),
    [
        ("KAK_Pelaksanaan-final.PDF", ["kak", "pelaksanaan", "final"]),
        ("LaporanKemajuan2.pdf", ["laporan", "kemajuan", "2"]),
        ("SPK.027.2019 Jalan.pdf", ["spk", "027", "2019", "jalan"]),
    ],
)
def test_file_names_split_at_separators_case_changes_and_digits(filename, words):
    assert file_name_words(filename) == words


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "code", "stage"),
    [
        # The issue's names, as operators typed them.
        ("SPK Pembangunan Jalan Desa Sumberrejo.pdf", "kontrak", "kontrak"),
        ("Laporan Kemajuan Juli.pdf", "laporan-fisik", "implementasi"),
        ("laporan kemjuan agustus 2019.pdf", "laporan-fisik", "implementasi"),
        ("Laporan_Kemajuann_Minggu_3.pdf", "laporan-fisik", "implementasi"),
        ("KAK Pelaksanaan.pdf", "kak-pelaksanaan", "pemilihan"),
        ("kak_pelaksanan rehab puskesmas.PDF", "kak-pelaksanaan", "pemilihan"),
        # The five training PDFs of Perencanaan: four of stage 1, one of stage 2.
        ("DPA Dinkes 2018.pdf", "dpa", "perencanaan"),
        ("RENJA SKPD 2018.pdf", "renja", "perencanaan"),
        ("Jadwal Kegiatan.pdf", "jadwal-kegiatan", "perencanaan"),
        ("KAK-Perencanaan final.pdf", "kak-perencanaan", "perencanaan"),
        ("Surat Perjanjian Kerja 12.pdf", "kontrak", "kontrak"),
        ("SPMK no 12.pdf", "spmk", "kontrak"),
        # Perpres 16/2018 renamed "lelang" to tender; older names still arrive.
        ("Dokumen Lelang Jembatan.pdf", "dokumen-pemilihan", "pemilihan"),
        ("BAHP paket 7.pdf", "ba-hasil-pemilihan", "pemilihan"),
        ("Penetapan Pemenang.pdf", "pengumuman-pemenang", "pemenang"),
        ("SPPBJ.pdf", "sppbj", "pemenang"),
        ("Adendum Kontrak I.pdf", "adendum", "kontrak"),
        ("BA PHO.pdf", "bast", "implementasi"),
        ("SP2D termin 1.pdf", "laporan-keuangan", "implementasi"),
    ],
)
def test_document_types_are_recognised_across_stages(filename, code, stage):
    recognised = recognise_document_type(filename, DocumentType.objects.all())
    assert (recognised.code, recognised.stage) == (code, stage)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filename",
    [
        "scan0001.pdf",
        "dokumen.pdf",
        # Names two types equally: the operator chooses.
        "KAK Perencanaan dan KAK Pelaksanaan.pdf",
        # Short abbreviations are not guessed from a letter off.
        "DPD 2018.pdf",
    ],
)
def test_unclear_names_are_left_to_the_operator(filename):
    assert recognise_document_type(filename, DocumentType.objects.all()) is None


@pytest.mark.django_db
def test_a_type_added_by_the_administrator_is_recognised_by_its_code_words():
    added = DocumentType.objects.create(
        code="berita-acara-uji-mutu", name="BA uji mutu", stage="implementasi", ocds_code="x"
    )
    types = DocumentType.objects.all()
    assert recognise_document_type("Berita Acara Uji Mutu Beton.pdf", types) == added


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "codes"),
    [
        # "KAK" is the terms of reference of planning or of execution (DOMAIN.md): both.
        ("KAK.pdf", {"kak-perencanaan", "kak-pelaksanaan"}),
        ("Laporan Juli.pdf", {"laporan-fisik", "laporan-keuangan"}),
        ("Pengumuman.pdf", {"pengumuman-pemilihan", "pengumuman-pemenang"}),
        # A name naming one type gives that one; a name saying nothing of a type, none.
        ("KAK Pelaksanaan.pdf", {"kak-pelaksanaan"}),
        ("Notulen rapat.pdf", set()),
    ],
)
def test_a_name_fitting_several_types_names_them_all(filename, codes):
    types = DocumentType.objects.exclude(per_agency=True)
    assert {t.code for t in candidate_document_types(filename, types)} == codes
