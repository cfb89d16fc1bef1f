"""Plans and tenders in any order converge on one package per contracting process; the doubles
an older database already has merge into one."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db.models import Sum

from agencies.models import Agency
from contracts.models import AuditEntry, Bidder, Process, Status
from imports.models import ImportKind
from imports.services import run_import
from tests.factories import make_operator
from tests.imports.test_imports import csv_bytes, import_plans, sirup_row

TENDER_HEADER = [
    "kode_lelang", "id_rup", "nama_paket", "satker", "kategori", "sistem_pengadaan", "tahun_ang",
    "peserta", "nama_pemenang", "npwp_pemenang", "hps", "pagu", "lokasi",
]  # fmt: skip


def tender_row(**overrides):
    return {
        "kode_lelang": "5009244",
        "id_rup": "17000001",
        "nama_paket": "Rehabilitasi Puskesmas Dander (tender)",
        "satker": "DINAS KESEHATAN",
        "kategori": "Pekerjaan Konstruksi",
        "sistem_pengadaan": "Tender - Pascakualifikasi Satu File - Harga Terendah",
        "tahun_ang": "2018",
        "peserta": "9",
        "nama_pemenang": "CV. CONTOH KARYA",
        "npwp_pemenang": "71.242.031.4-601.000",
        "hps": "1.200.000.000",
        "pagu": "1.250.000.000",
        "lokasi": "Kecamatan Dander - Bojonegoro (Kab.)",
        **overrides,
    }


def import_tenders(rows, **kwargs):
    return run_import(
        kind=ImportKind.LPSE_TENDER,
        content=csv_bytes(rows, header=TENDER_HEADER),
        filename="tender.csv",
        commit=True,
        **kwargs,
    )


def import_bidders(lines):
    content = "kd_lelang,peserta,npwp,penawaran,harga_terkoreksi\n" + "\n".join(lines) + "\n"
    return run_import(
        kind=ImportKind.LPSE_BIDDER,
        content=content.encode(),
        filename="peserta.csv",
        commit=True,
    )


PLANS = [
    sirup_row(),
    sirup_row(kode_rup="17000002", nama_paket="Pengadaan Obat", pagu_rup="500.000.000"),
]
TENDERS = [tender_row(), tender_row(kode_lelang="5009245", id_rup="17000002", nama_paket="Obat")]
BIDDERS = [
    "5009244,CV. CONTOH KARYA,71.242.031.4-601.000,1190000000,",
    "5009244,CV. LAIN,,1210000000,",
]
STEPS = {
    "plans": lambda: import_plans(csv_bytes(PLANS)),
    "tenders": lambda: import_tenders(TENDERS),
    "bidders": lambda: import_bidders(BIDDERS),
}


def picture():
    """What a citizen sees: each package's plan code, tender, pagu, winner and bidders."""
    return sorted(
        (
            p.rup_code,
            p.tender_code,
            p.budget_amount,
            p.supplier.name if p.supplier else "",
            p.title,
            tuple(
                sorted(Bidder.objects.filter(process=p).values_list("supplier__name", flat=True))
            ),
        )
        for p in Process.objects.select_related("supplier")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("order", list(itertools.permutations(STEPS)), ids="-".join)
def test_any_import_order_gives_the_same_packages_and_totals(order):
    for step in order:
        STEPS[step]()
    # And again: nothing doubles, and bidders that came before their tender now find it.
    for step in order:
        STEPS[step]()
    assert Process.objects.count() == 2
    assert Process.objects.aggregate(total=Sum("budget_amount"))["total"] == 1_750_000_000
    expected = [
        ("17000001", "5009244", 1_250_000_000, "CV. CONTOH KARYA", "Rehabilitasi Puskesmas Dander",
         ("CV. CONTOH KARYA", "CV. LAIN")),
        ("17000002", "5009245", 500_000_000, "CV. CONTOH KARYA", "Pengadaan Obat", ()),
    ]  # fmt: skip
    assert picture() == expected


@pytest.mark.django_db
def test_a_tender_keeps_its_plan_code_until_the_plan_arrives():
    import_tenders([tender_row()])
    process = Process.objects.get()
    assert process.rup_code == "17000001"
    import_plans(csv_bytes([sirup_row()]))
    process = Process.objects.get()
    assert (process.rup_code, process.tender_code) == ("17000001", "5009244")
    assert process.title == "Rehabilitasi Puskesmas Dander"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "0", "000", "abc", "17000001x"])
def test_an_empty_or_malformed_plan_code_matches_nothing(code):
    import_plans(csv_bytes([sirup_row()]))
    import_tenders([tender_row(id_rup=code)])
    assert Process.objects.count() == 2
    assert Process.objects.get(tender_code="5009244").rup_code == ""


@pytest.mark.django_db
def test_an_operator_plan_never_takes_another_agencys_package():
    import_tenders([tender_row(satker="DINAS PENDIDIKAN")])
    health = Agency.objects.get(code="dinas-kesehatan")
    report = import_plans(csv_bytes([sirup_row()]), by=make_operator(health), scope=health)
    assert report.counts["skipped"] == 1
    said = " ".join(report.rows[0].messages)
    assert "perangkat daerah lain" in said and "Pendidikan" not in said
    assert Process.objects.get().agency.code == "dinas-pendidikan"


@pytest.mark.django_db
def test_an_operators_preview_neither_names_nor_reveals_another_agencys_draft():
    """Finding 10 of issue 17: the preview told an operator which agency held any RUP or
    tender code, drafts included. To an operator another agency's draft is not there."""
    from tests.factories import make_process

    schools = Agency.objects.get(code="dinas-pendidikan")
    health = Agency.objects.get(code="dinas-kesehatan")
    draft = make_process(schools, title="Draf Pendidikan", rup_code="17000001")
    draft.tender_code = "5009244"
    draft.save()
    operator = make_operator(health)
    plans = import_plans(csv_bytes([sirup_row()]), by=operator, scope=health, commit=False)
    tenders = run_import(
        kind=ImportKind.LPSE_TENDER,
        content=csv_bytes([tender_row()], header=TENDER_HEADER),
        filename="tender.csv",
        by=operator,
        scope=health,
        commit=False,
    )
    bidders = run_import(
        kind=ImportKind.LPSE_BIDDER,
        content=b"kd_lelang,peserta,npwp,penawaran,harga_terkoreksi\n5009244,CV A,,1000,1000\n",
        filename="peserta.csv",
        by=operator,
        scope=health,
        commit=False,
    )
    for report in (plans, tenders, bidders):
        said = " ".join(m for row in report.rows for m in row.messages)
        assert "Pendidikan" not in said and "lain" not in said, said
    assert plans.counts["created"] == 1 and tenders.counts["created"] == 1
    assert bidders.counts["skipped"] == 1  # "tender 5009244 belum ada", as for any unknown code
    # An administrator's preview sees the draft and updates it.
    report = import_plans(csv_bytes([sirup_row()]), commit=False)
    assert report.counts["updated"] == 1


@pytest.mark.django_db
def test_an_administrators_plan_files_the_tenders_package_under_its_agency():
    import_tenders([tender_row(satker="DINAS PENDIDIKAN")])
    report = import_plans(csv_bytes([sirup_row()]))
    assert report.counts["updated"] == 1
    assert Process.objects.get().agency.code == "dinas-kesehatan"


def older_double():
    """What imports before this change left: the tender's package without its plan code,
    beside the plan's package."""
    import_tenders([tender_row()])
    Process.objects.update(rup_code="")
    import_plans(csv_bytes([sirup_row()]))
    assert Process.objects.count() == 2


@pytest.mark.django_db
def test_the_command_merges_an_old_double_through_the_tender_export(tmp_path):
    older_double()
    import_bidders(BIDDERS)
    export = tmp_path / "tender.csv"
    export.write_bytes(csv_bytes([tender_row()], header=TENDER_HEADER))

    out = io.StringIO()
    call_command("merge_doubles", str(export), stdout=out)
    assert "1 paket tender akan digabung" in out.getvalue()
    assert Process.objects.count() == 2  # a preview writes nothing

    call_command("merge_doubles", str(export), "--commit", stdout=io.StringIO())
    process = Process.objects.get()
    assert (process.rup_code, process.tender_code) == ("17000001", "5009244")
    assert process.title == "Rehabilitasi Puskesmas Dander"
    assert process.supplier.name == "CV. CONTOH KARYA"
    assert process.hps_amount == 1_200_000_000
    assert process.status == Status.PUBLISHED
    assert Bidder.objects.filter(process=process).count() == 2
    merge = AuditEntry.objects.filter(process=process, changes__has_key="digabung dari paket ganda")
    assert merge.count() == 1
    # The tender package's own trail moved along with it.
    assert AuditEntry.objects.filter(process=process, changes__sumber__icontains="lpse").exists()
    assert not AuditEntry.objects.filter(process=None).exists()


@pytest.mark.django_db
def test_reimporting_the_tenders_merges_an_old_double_too():
    older_double()
    report = import_tenders([tender_row()])
    assert "digabung ke rencananya" in " ".join(report.rows[0].messages)
    assert Process.objects.get().tender_code == "5009244"


@pytest.mark.django_db
def test_doubles_under_two_agencies_merge_unless_they_hold_two_tenders(tmp_path):
    import_plans(csv_bytes([sirup_row()]))
    import_tenders([tender_row(satker="DINAS PENDIDIKAN", id_rup="")])
    Process.objects.filter(tender_code="5009244").update(rup_code="17000001")
    export = tmp_path / "kosong.csv"
    export.write_bytes(csv_bytes([], header=TENDER_HEADER))
    call_command("merge_doubles", str(export), "--commit", stdout=io.StringIO())
    assert Process.objects.get().agency.code == "dinas-kesehatan"

    import_tenders([tender_row(kode_lelang="5000002", satker="DINAS PENDIDIKAN", id_rup="")])
    Process.objects.filter(tender_code="5000002").update(rup_code="17000001")
    out = io.StringIO()
    call_command("merge_doubles", str(export), "--commit", stdout=out)
    assert "tender berbeda" in out.getvalue()
    assert Process.objects.count() == 2


@pytest.mark.django_db
def test_a_supplier_name_longer_than_its_column_is_shortened_with_a_note():
    consortium = "KSO " + " - ".join(f"PT. MITRA KARYA NUSANTARA {n}" for n in range(12))
    report = import_tenders([tender_row(nama_pemenang=consortium, npwp_pemenang="")])
    assert "nama penyedia" in " ".join(report.rows[0].messages)
    process = Process.objects.get()
    assert process.supplier.name == consortium[:255] and len(consortium) > 255
