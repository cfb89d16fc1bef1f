"""Each data-quality check on a compiled release written by hand to OCDS 1.1.5, and on a copy
broken in the one way the check looks for. The expected verdicts come from the standard
(its schema, formats and codelists) and the domain's stages, not from the portal's mapping."""

import pytest
from django.conf import settings

from contracts.models import Bidder, Document, Process, Stage, Status, Supplier
from opendata import quality
from opendata.quality import CHECKS, Subject, release_validator

# NPWPs whose check digit (Luhn over the first nine digits of the 15) is right, and one whose
# check digit is off by one.
NPWP_WINNER = "0012345674123000"
NPWP_RIVAL = "0027654326456000"
NPWP_MISTYPED = "0012345675123000"


def moment(day):
    return f"2018-{day}T00:00:00+07:00"


def money(amount):
    return {"amount": amount, "currency": "IDR"}


def ref(party_id, name):
    return {"id": party_id, "name": name}


def good_release():
    """A works tender through implementation, as the standard wants it."""
    return {
        "ocid": "ocds-abc123-1",
        "id": "ocds-abc123-1-0003",
        "date": moment("06-01"),
        "tag": ["compiled"],
        "initiationType": "tender",
        "language": "id",
        "parties": [
            {"id": "pd-1", "name": "Dinas Uji", "roles": ["buyer", "payer"]},
            {"id": "pokja-1", "name": "Pokja Pemilihan 1", "roles": ["procuringEntity"]},
            {
                "id": "penyedia-1",
                "name": "CV Maju",
                "identifier": {"scheme": "ID-DJP", "id": NPWP_WINNER, "legalName": "CV Maju"},
                "roles": ["payee", "supplier", "tenderer"],
            },
            {
                "id": "penyedia-2",
                "name": "CV Saingan",
                "identifier": {"scheme": "ID-DJP", "id": NPWP_RIVAL},
                "roles": ["tenderer"],
            },
        ],
        "buyer": ref("pd-1", "Dinas Uji"),
        "planning": {"budget": {"id": "17654321", "amount": money(1_250_000_000)}},
        "tender": {
            "id": "T-1",
            "title": "Rehabilitasi jalan",
            "status": "complete",
            "value": money(1_200_000_000),
            "procurementMethod": "open",
            "procurementMethodDetails": "Tender",
            "mainProcurementCategory": "works",
            "tenderPeriod": {"startDate": moment("03-01"), "endDate": moment("03-15")},
            "numberOfTenderers": 2,
            "tenderers": [ref("penyedia-1", "CV Maju"), ref("penyedia-2", "CV Saingan")],
            "procuringEntity": ref("pokja-1", "Pokja Pemilihan 1"),
        },
        "awards": [
            {
                "id": "A-1",
                "status": "active",
                "date": moment("04-01"),
                "value": money(1_100_000_000),
                "suppliers": [ref("penyedia-1", "CV Maju")],
            }
        ],
        "contracts": [
            {
                "id": "027/SPK/2018",
                "awardID": "A-1",
                "status": "active",
                "value": money(1_100_000_000),
                "dateSigned": moment("04-10"),
                "period": {"startDate": moment("04-11"), "endDate": moment("10-31")},
                "documents": [
                    {
                        "id": "7",
                        "documentType": "contractSigned",
                        "title": "Kontrak",
                        "url": f"{settings.PORTAL['BASE_URL']}/dokumen/7/",
                        "format": "application/pdf",
                    }
                ],
                "implementation": {
                    "transactions": [
                        {
                            "id": "SP2D-0001",
                            "date": moment("05-02"),
                            "value": money(330_000_000),
                            "payer": ref("pd-1", "Dinas Uji"),
                            "payee": ref("penyedia-1", "CV Maju"),
                        }
                    ]
                },
            }
        ],
    }


def subject(
    release,
    *,
    stage=Stage.IMPLEMENTATION,
    method="tender",
    documents=None,
    status=Status.PUBLISHED,
    supplier=None,
    bidders=(),
):
    process = Process(
        stage_reached=stage, method=method, fiscal_year=2018, status=status, supplier=supplier
    )
    if documents is None:
        documents = [Document(pk=7, stage=Stage.CONTRACT, title="Kontrak")]
    return Subject(process, {"documents": documents, "bidders": list(bidders)}, release)


def verdict(code, item):
    return CHECKS[code].test(item)


def test_the_good_release_is_valid_and_passes_every_check():
    release = good_release()
    assert list(release_validator().iter_errors(release)) == []
    verdicts = {code: verdict(code, subject(release)) for code in CHECKS}
    assert verdicts == {code: [] for code in CHECKS}


def test_the_format_checker_really_checks_uri_and_date_time():
    validator = release_validator()
    assert {"uri", "date-time"} <= set(validator.format_checker.checkers)
    # RFC 3986: a URI has a scheme; RFC 3339: a date-time has a time and an offset.
    assert not validator.format_checker.conforms("CONTOH-SP2D-1", "uri")
    assert validator.format_checker.conforms("https://lpse.bojonegorokab.go.id/x", "uri")
    assert not validator.format_checker.conforms("2018-04-10", "date-time")
    assert validator.format_checker.conforms("2018-04-10T00:00:00+07:00", "date-time")


def broken(change):
    release = good_release()
    change(release)
    return release


def transaction(release):
    return release["contracts"][0]["implementation"]["transactions"][0]


@pytest.mark.parametrize(
    ("code", "change", "expected"),
    [
        (
            "skema",
            lambda r: transaction(r).update(source="CONTOH-SP2D-1"),
            "contracts/0/implementation/transactions/0/source: 'CONTOH-SP2D-1' bukan uri",
        ),
        (
            "skema",
            lambda r: r["contracts"][0].update(dateSigned="2018-04-10"),
            "contracts/0/dateSigned: '2018-04-10' bukan date-time",
        ),
        (
            "kode_tertutup",
            lambda r: r["awards"][0].update(status="aktif"),
            "awards/0/status: kode 'aktif' tidak ada dalam daftar awardStatus.csv",
        ),
        (
            "kode_tertutup",
            lambda r: r["tender"]["value"].update(currency="Rp"),
            "tender/value/currency: kode 'Rp' tidak ada dalam daftar currency.csv",
        ),
        (
            "kode_tertutup",
            lambda r: r.update(tag=["compiled", "kontrak"]),
            "tag/1: kode 'kontrak' tidak ada dalam daftar releaseTag.csv",
        ),
        (
            "status_tender",
            lambda r: r["tender"].update(status="active"),
            "tender/status 'active' padahal tahap tercapai Implementasi",
        ),
        (
            "jumlah_peserta",
            lambda r: r["tender"].update(numberOfTenderers=5),
            "tender/numberOfTenderers 5 melebihi 2 peserta",
        ),
        (
            "pihak_dirujuk",
            lambda r: r["awards"][0]["suppliers"][0].update(id="penyedia-hilang"),
            "awards/0/suppliers/0: pihak 'penyedia-hilang' tidak ada di parties",
        ),
        (
            "pihak_dirujuk",
            lambda r: r["parties"][1].update(roles=["buyer"]),
            "tender/procuringEntity: pihak 'pokja-1' tidak berperan procuringEntity",
        ),
        (
            "kontrak_ke_penetapan",
            lambda r: r["contracts"][0].update(awardID="ocds-abc123-1-swakelola"),
            "contracts/0/awardID 'ocds-abc123-1-swakelola' tidak ada di awards",
        ),
        (
            "pengenal_penyedia",
            lambda r: r["parties"][3]["identifier"].update(id=NPWP_MISTYPED),
            f"CV Saingan: NPWP {NPWP_MISTYPED} tidak lolos digit pemeriksa",
        ),
        (
            "pengenal_penyedia",
            lambda r: r["parties"][2]["identifier"].update(scheme="ID-NPWP"),
            "CV Maju: skema 'ID-NPWP' bukan kode org-id.guide",
        ),
        (
            "pengenal_penyedia",
            lambda r: r["parties"][3].pop("identifier"),
            "CV Saingan: tanpa pengenal (NPWP)",
        ),
        (
            "nilai_tahap",
            lambda r: r["contracts"][0].pop("value"),
            "contracts: tanpa nilai kontrak",
        ),
        (
            "nilai_tahap",
            lambda r: r["awards"][0].pop("value"),
            "awards: tanpa nilai penetapan",
        ),
        (
            "tanggal_runtut",
            lambda r: r["contracts"][0].update(dateSigned=moment("03-20")),
            "contracts/0/dateSigned 2018-03-20 sebelum tanggal penetapan 2018-04-01",
        ),
        (
            "tanggal_runtut",
            lambda r: r["tender"]["tenderPeriod"].update(endDate=moment("02-20")),
            "tender/tenderPeriod: mulai 2018-03-01 setelah selesai 2018-02-20",
        ),
        (
            "dokumen_terbit",
            lambda r: r["contracts"][0].pop("documents"),
            "dokumen 'Kontrak' (Kontrak) tidak ada di OCDS",
        ),
    ],
)
def test_each_check_fails_the_release_broken_its_way(code, change, expected):
    problems = verdict(code, subject(broken(change)))
    assert len(problems) == 1
    assert problems[0].startswith(expected)
    # Only what the check looks for is broken: the other checks that can see it still pass
    # (the schema also refuses codes outside a closed codelist, as it should).
    others = {
        other: verdict(other, subject(broken(change)))
        for other in CHECKS
        if other not in {code, "skema"}
    }
    assert all(problems == [] for problems in others.values()), others


def test_tender_status_follows_the_stage_reached_per_the_codelist():
    release = good_release()
    at = {
        Stage.PLANNING: ["planned", "planning"],
        Stage.TENDER: ["active", "cancelled", "unsuccessful"],
        Stage.AWARD: ["complete"],
    }
    codes = quality.codelist_codes("tenderStatus.csv")
    for stage, fitting in at.items():
        for status in codes:
            release["tender"]["status"] = status
            problems = verdict("status_tender", subject(release, stage=stage))
            assert (problems == []) == (status in fitting), (stage, status)
    # A planning-only package saying "active" is the fault OCP's review found.
    release["tender"]["status"] = "active"
    assert verdict("status_tender", subject(release, stage=Stage.PLANNING))
    # Swakelola selects no supplier: past planning there is no tender status to judge.
    swakelola = subject(release, stage=Stage.CONTRACT, method="swakelola")
    assert verdict("status_tender", swakelola) is None
    release["tender"].pop("status")
    assert verdict("status_tender", subject(release, stage=Stage.PLANNING, method="swakelola"))


def test_checks_that_do_not_apply_say_so():
    release = good_release()
    release["tender"].pop("tenderers")
    release.pop("contracts")
    release["tender"].pop("tenderPeriod")
    release["awards"][0].pop("date")
    planning = subject(release, stage=Stage.PLANNING, documents=[])
    assert verdict("jumlah_peserta", planning) is None  # no tenderers listed
    assert verdict("kontrak_ke_penetapan", planning) is None  # no contract
    assert verdict("nilai_tahap", planning) is None  # no winner yet
    assert verdict("tanggal_runtut", planning) is None  # no pair of dates
    assert verdict("dokumen_terbit", planning) is None  # no document
    release["parties"] = release["parties"][:2]
    release["awards"][0]["suppliers"] = []
    assert verdict("pengenal_penyedia", subject(release, documents=[])) is None  # no supplier


def test_a_swakelola_contract_needs_its_value_but_no_award():
    release = good_release()
    release.pop("awards")
    release["contracts"][0].pop("awardID")
    swakelola = subject(release, stage=Stage.CONTRACT, method="swakelola")
    assert verdict("nilai_tahap", swakelola) == []
    release["contracts"][0].pop("value")
    assert verdict("nilai_tahap", swakelola) == ["contracts: tanpa nilai kontrak (value.amount)"]


def test_problems_of_one_package_are_bounded():
    assert quality._bounded([f"m{n}" for n in range(25)]) == [
        *(f"m{n}" for n in range(quality.MAX_PROBLEMS - 1)),
        f"… dan {25 - quality.MAX_PROBLEMS + 1} lainnya",
    ]


def test_a_share_is_rounded_down_so_that_100_means_all():
    assert quality.share(9999, 10000) == 99.9
    assert quality.share(964, 1000) == 96.4
    assert quality.share(3, 3) == 100
    assert quality.share(0, 0) is None


def test_counts_and_shares_read_the_indonesian_way():
    from contracts.templatetags.rupiah import angka, persen

    assert angka(4681) == "4.681"
    assert angka(12465) == "12.465"
    assert persen(96.4) == "96,4%"
    assert persen(100) == "100,0%"
    assert persen(None) == "—"


def test_parties_listed_are_not_taken_for_references():
    release = good_release()
    # A party named "buyer" in parties[] is a party, not a reference to one.
    release["parties"][0]["details"] = {"buyer": {"id": "tidak-ada"}}
    assert verdict("pihak_dirujuk", subject(release)) == []


def swakelola_release():
    """A Swakelola through its agreement: no selection, the agency implements the work itself
    and is the supplier of the award the agreement rests on, identified by its SiRUP satker
    id (no org-id.guide register numbers regional agencies, so no scheme)."""
    release = good_release()
    release["parties"] = [
        {
            "id": "pd-1",
            "name": "Dinas Uji",
            "identifier": {"id": "63001", "legalName": "Dinas Uji"},
            "roles": ["buyer", "payer", "supplier"],
        }
    ]
    release["tender"] = {
        "id": "ocds-abc123-1-swakelola",
        "title": "Rehabilitasi jalan",
        "status": "complete",
        "procurementMethodDetails": "Swakelola",
    }
    release["awards"] = [
        {
            "id": "ocds-abc123-1-swakelola",
            "status": "active",
            "date": moment("04-10"),
            "value": money(1_100_000_000),
            "suppliers": [ref("pd-1", "Dinas Uji")],
        }
    ]
    release["contracts"][0]["awardID"] = "ocds-abc123-1-swakelola"
    transaction(release).pop("payee")
    return release


def test_the_agency_implementing_its_own_swakelola_is_no_supplier_to_identify():
    release = swakelola_release()
    assert list(release_validator().iter_errors(release)) == []
    swakelola = subject(release, stage=Stage.CONTRACT, method="swakelola")
    assert verdict("pengenal_penyedia", swakelola) is None
    # A company named alongside it is still judged.
    release["parties"].append(
        {"id": "penyedia-9", "name": "CV Tanpa NPWP", "roles": ["supplier"]},
    )
    assert verdict("pengenal_penyedia", swakelola) == ["CV Tanpa NPWP: tanpa pengenal (NPWP)"]


def test_a_party_without_identifier_says_whether_its_npwp_is_missing_or_fails_its_check():
    release = good_release()
    # The portal publishes no identifier for a supplier whose NPWP fails its check digit,
    # and none for one without an NPWP (contracts.ocds.supplier_party).
    mistyped = Supplier(pk=41, npwp=NPWP_MISTYPED, name="CV KAYA RAYA")
    without = Supplier(pk=42, npwp=None, name="CV Tanpa NPWP")
    release["parties"][2].update(id=f"supplier-{NPWP_MISTYPED}", name="CV KAYA RAYA")
    release["parties"][2].pop("identifier")
    release["parties"][3].update(id="supplier-42", name="CV Tanpa NPWP")
    release["parties"][3].pop("identifier")
    problems = verdict(
        "pengenal_penyedia",
        subject(release, supplier=mistyped, bidders=[Bidder(supplier=without)]),
    )
    assert len(problems) == 2
    kaya, tanpa = problems
    assert kaya.startswith(f"CV KAYA RAYA: NPWP {NPWP_MISTYPED} tercatat tetapi gagal digit")
    assert "tanpa pengenal (NPWP)" not in kaya and "perbaiki" in kaya
    assert tanpa.startswith("CV Tanpa NPWP: NPWP tidak tercatat")
    assert "lengkapi NPWP" in tanpa
    action = CHECKS["pengenal_penyedia"].action
    assert "tidak tercatat" in action and "gagal digit pemeriksa" in action


def test_a_withdrawn_package_is_withdrawn_before_the_selection_and_cancelled_after():
    release = good_release()
    release["tender"]["statusDetails"] = "Anggaran dialihkan untuk penanganan bencana"
    codes = quality.codelist_codes("tenderStatus.csv")
    # tenderStatus: `withdrawn` - no further information under this ocid; `cancelled` - the
    # process was cancelled after it started.
    for stage, fitting in [(Stage.PLANNING, "withdrawn"), (Stage.AWARD, "cancelled")]:
        for status in codes:
            release["tender"]["status"] = status
            withdrawn = subject(release, stage=stage, status=Status.WITHDRAWN)
            assert (verdict("status_tender", withdrawn) == []) == (status == fitting)
    # Swakelola withdrawn after its agreement is judged too.
    release["tender"]["status"] = "cancelled"
    swakelola = subject(release, stage=Stage.CONTRACT, method="swakelola", status=Status.WITHDRAWN)
    assert verdict("status_tender", swakelola) == []
    # The reason is public: without it the withdrawal fails.
    release["tender"].pop("statusDetails")
    assert verdict("status_tender", swakelola) == [
        "tender/statusDetails kosong padahal paket ditarik: alasan penarikan"
    ]
