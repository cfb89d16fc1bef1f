"""The data-quality report: how many packages of the open data pass each check of it.

The checks are the kinds OCP's own tools make (the schema with its formats, closed codelists,
references between sections, identifiers, coherent dates) and a few of the portal's own
(the tender's status against the stage reached, amounts for the stage reached, every document
published). Each reads what a package publishes — its compiled release, built by
`contracts.ocds.compiled_release` — and, where it must, the package's own data (the stage it
reached, its method, its documents). So the report measures whatever the mapping produces.

Computed over every package whose OCDS is public (`Process.objects.open_data()`: published
and withdrawn ones) in the job queue (opendata/tasks.py), never in a web
request; stored per check, agency and fiscal year (QualityResult) with the failing packages and
what failed (QualityFailure), replaced whole by each run (QualityRun).
"""

import datetime
import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.id import npwp

from contracts.models import STAGE_ORDER, Method, Process, Stage, Status
from contracts.ocds import SCHEMA_DIR, compiled_as_of, supplier_party, validator
from contracts.ocds import release as unstored_release
from contracts.releases import with_lists
from opendata.models import QualityFailure, QualityResult, QualityRun
from opendata_kontrak import bulk, chunked

CHUNK = 500
# Problems kept per failing package and check: enough to act on, bounded in size.
MAX_PROBLEMS = 10


@dataclass(frozen=True)
class Subject:
    """What a check reads: the package (with agency and supplier), its related rows as
    `contracts.ocds.related_lists` gives them, and its compiled release."""

    process: Process
    lists: dict
    release: dict


@dataclass(frozen=True)
class Check:
    # short, label, explanation and action are lazy (gettext_lazy): the dashboard and the
    # policy page show them in their language. The problems a check finds are stored as found,
    # in Indonesian (QualityFailure.problems), and read so.
    code: str
    short: str  # a column heading
    label: str  # what passing means, in a few words
    explanation: str  # what fails, and why it matters to a data user
    action: str  # what the operator (or the portal's maintainers) should do
    # -> None when the check does not apply to the package, else its problems ([] = passes)
    test: Callable[[Subject], list[str] | None]


CHECKS = {}


def check(code, *, short, label, explanation, action):
    def register(test):
        CHECKS[code] = Check(code, short, label, explanation, action, test)
        return test

    return register


def evaluate(process, lists):
    """{check code: None (does not apply) or the list of problems ([] = passes)}."""
    newest = getattr(process, "newest_release", None)
    # The compiled release as published: its date in WIB, as contracts.ocds writes it.
    newest = (
        timezone.localtime(newest).isoformat()
        if newest
        else unstored_release(process, **lists)["date"]
    )
    subject = Subject(process, lists, compiled_as_of(process, newest, **lists))
    return {code: item.test(subject) for code, item in CHECKS.items()}


# --- helpers --------------------------------------------------------------------------------


def _where(path):
    return "/".join(map(str, path)) or "(akar)"


def _short(value, limit=60):
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _walk(node, path=()):
    """Every (path, key, value) of the dictionaries inside `node`, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def _moment(value):
    """An OCDS date-time as a datetime, or None when it is missing or not one."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


def _before(earlier, later):
    """earlier <= later, or None when the two cannot be compared (missing, or one has no
    time zone: the schema check reports that)."""
    if earlier is None or later is None or (earlier.tzinfo is None) != (later.tzinfo is None):
        return None
    return earlier <= later


def _day(value):
    return value[:10] if isinstance(value, str) else value


# --- 1. schema, with formats ----------------------------------------------------------------


def release_validator():
    """OCDS 1.1.5's release schema with formats checked (`contracts.ocds.validator`, which
    refuses to exist when `uri` or `date-time` cannot be checked)."""
    return validator("release-schema.json")


def _schema_problem(error):
    where = _where(error.absolute_path)
    if error.validator == "format":
        return f"{where}: {_short(error.instance)} bukan {error.validator_value} yang sah"
    if error.validator == "enum":
        return f"{where}: {_short(error.instance)} tidak termasuk nilai yang boleh"
    if error.validator == "required" and isinstance(error.instance, dict):
        absent = [name for name in error.validator_value if name not in error.instance]
        return f"{where}: wajib ada {', '.join(absent)}"
    if error.validator == "type":
        return f"{where}: {_short(error.instance)} bukan bertipe {error.validator_value}"
    return f"{where}: {error.message}"


@check(
    "skema",
    short=_("Skema"),
    label=_("Sesuai skema OCDS 1.1.5, termasuk format"),
    explanation=_(
        "Rilis terkompilasi paket diperiksa terhadap skema rilis OCDS 1.1.5 beserta formatnya: "
        "alamat harus URI yang sah, tanggal harus tanggal-waktu lengkap dengan zona waktu. "
        "Data yang tidak sesuai skema ditolak atau salah dibaca oleh alat OCP dan pengguna data."
    ),
    action=_(
        "Lihat isian yang disebut. Bila isiannya benar tetapi keluarannya tetap salah, "
        "pemetaan OCDS portal yang perlu diperbaiki: laporkan ke pengelola portal."
    ),
)
def _schema(subject):
    errors = sorted(
        release_validator().iter_errors(subject.release),
        key=lambda error: [str(part) for part in error.absolute_path],
    )
    return [_schema_problem(error) for error in errors]


# --- 2. closed codelists --------------------------------------------------------------------


@cache
def codelist_codes(name):
    """The codes of one of OCDS 1.1.5's codelists (`codelists/<name>`)."""
    import csv

    with open(SCHEMA_DIR / "codelists" / name, encoding="utf-8") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


@cache
def closed_codelist_fields():
    """((property, property, ...), codelist file) for each field of the release schema whose
    codelist is closed; arrays are passed through."""
    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())

    def resolve(node, stack):
        while "$ref" in node:
            ref = node["$ref"]
            if ref in stack:  # a definition containing itself: walked once
                return None, stack
            stack = (*stack, ref)
            node = schema["definitions"][ref.rsplit("/", 1)[-1]]
        return node, stack

    found = []

    def visit(node, path, stack):
        node, stack = resolve(node, stack)
        if node is None:
            return
        if "codelist" in node and node.get("openCodelist") is False:
            found.append((path, node["codelist"]))
        if isinstance(node.get("items"), dict):
            visit(node["items"], path, stack)
        for name, child in node.get("properties", {}).items():
            visit(child, (*path, name), stack)

    visit(schema, (), ())
    return tuple(found)


def _values_at(node, names, path=()):
    """(path, value) of every value at these property names, through arrays."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _values_at(item, names, (*path, index))
    elif not names:
        if node is not None:
            yield path, node
    elif isinstance(node, dict) and names[0] in node:
        yield from _values_at(node[names[0]], names[1:], (*path, names[0]))


@check(
    "kode_tertutup",
    short=_("Kode tertutup"),
    label=_("Kode dari daftar kode tertutup OCDS"),
    explanation=_(
        "Status tender, penetapan dan kontrak, metode, kategori, tag rilis, mata uang dan "
        "isian lain yang daftar kodenya tertutup hanya boleh memakai kode dari daftar itu; "
        "kode lain tidak dikenali alat mana pun."
    ),
    action=_(
        "Kode ini berasal dari pemetaan OCDS portal, bukan dari isian operator: laporkan ke "
        "pengelola portal dengan nama isian yang disebut."
    ),
)
def _closed_codelists(subject):
    problems = []
    for names, codelist in closed_codelist_fields():
        codes = codelist_codes(codelist)
        for path, value in _values_at(subject.release, names):
            if value not in codes:
                problems.append(
                    f"{_where(path)}: kode {_short(value)} tidak ada dalam daftar {codelist}"
                )
    return problems


# --- 3. tender.status against the stage reached ---------------------------------------------

# What the tenderStatus codelist allows at each stage: before any tender the process is being
# considered or scheduled (planning, planned); once tender data exist it is taking place, or
# ended without a winner (active, cancelled, unsuccessful); once there is a winner the
# selection is over (complete).
TENDER_STATUS_AT = {
    Stage.PLANNING: {"planning", "planned"},
    Stage.TENDER: {"active", "cancelled", "unsuccessful"},
    Stage.AWARD: {"complete"},
    Stage.CONTRACT: {"complete"},
    Stage.IMPLEMENTATION: {"complete"},
}
# A withdrawn package (Process.withdraw): the process ended before any selection (`withdrawn`,
# "no further information under this ocid") or after it started (`cancelled`).
WITHDRAWN_STATUS_AT_PLANNING = "withdrawn"
WITHDRAWN_STATUS_LATER = "cancelled"


def _withdrawn(process):
    return process.status == Status.WITHDRAWN


@check(
    "status_tender",
    short=_("Status tender"),
    label=_("Status tender sesuai tahap yang dicapai"),
    explanation=_(
        "tender.status harus sesuai daftar kode tenderStatus dengan tahap paket: paket yang "
        "baru sampai perencanaan berstatus planned (atau planning), paket di tahap pemilihan "
        "active (atau cancelled/unsuccessful), paket yang sudah punya pemenang complete. "
        "Paket yang ditarik berstatus withdrawn bila ditarik pada tahap perencanaan, "
        "cancelled bila sesudahnya, dengan alasan penarikan di tender.statusDetails. "
        "Swakelola tanpa pemilihan penyedia hanya diperiksa di tahap perencanaan atau bila "
        "ditarik."
    ),
    action=_(
        "Periksa tahap yang tercatat pada paket (kode tender, HPS, pemenang, kontrak). Bila "
        "tahapnya benar, status keluaran OCDS yang keliru: laporkan ke pengelola portal."
    ),
)
def _tender_status(subject):
    process = subject.process
    stage = process.stage_reached
    tender = subject.release.get("tender") or {}
    status = tender.get("status")
    if _withdrawn(process):
        allowed = {
            WITHDRAWN_STATUS_AT_PLANNING if stage == Stage.PLANNING else WITHDRAWN_STATUS_LATER
        }
        problems = []
        if status not in allowed:
            problems.append(
                f"tender/status {_short(status) if status else 'kosong'} padahal paket ditarik "
                f"pada tahap {Stage(stage).label}; yang sesuai: {', '.join(sorted(allowed))}"
            )
        if not (tender.get("statusDetails") or "").strip():
            problems.append("tender/statusDetails kosong padahal paket ditarik: alasan penarikan")
        return problems
    if process.method == Method.SELF_MANAGED and stage != Stage.PLANNING:
        return None  # no supplier selection took place, so no tender status to judge
    allowed = TENDER_STATUS_AT[stage]
    if status in allowed:
        return []
    return [
        f"tender/status {_short(status) if status else 'kosong'} padahal tahap tercapai "
        f"{Stage(stage).label}; yang sesuai: {', '.join(sorted(allowed))}"
    ]


# --- 4. numberOfTenderers against the tenderers listed --------------------------------------


@check(
    "jumlah_peserta",
    short=_("Jumlah peserta OCDS"),
    label=_("numberOfTenderers tidak melebihi peserta yang tercantum"),
    explanation=_(
        "tender.numberOfTenderers adalah jumlah peserta yang tercantum di tender.tenderers; "
        "bila lebih besar, yang terbit kemungkinan jumlah pendaftar LPSE, yang seharusnya di "
        "tender.numberOfRegistrations. Diperiksa pada paket yang mencantumkan keduanya."
    ),
    action=_(
        "Lengkapi daftar peserta dengan setiap penyedia yang memasukkan penawaran; isian "
        "Peserta terdaftar (LPSE) tetap berisi jumlah pendaftar. Bila daftarnya lengkap, "
        "pemetaan OCDS portal yang keliru: laporkan ke pengelola portal."
    ),
)
def _number_of_tenderers(subject):
    tender = subject.release.get("tender") or {}
    number, listed = tender.get("numberOfTenderers"), tender.get("tenderers")
    if not isinstance(number, int) or not listed:
        return None
    if number <= len(listed):
        return []
    return [f"tender/numberOfTenderers {number} melebihi {len(listed)} peserta di tender/tenderers"]


# --- 5. every party referenced is in parties ------------------------------------------------

# Where a release refers to an organization, and the role the party must then have.
REFERENCES = {
    "buyer": "buyer",
    "procuringEntity": "procuringEntity",
    "tenderers": "tenderer",
    "suppliers": "supplier",
    "payer": "payer",
    "payee": "payee",
}


@check(
    "pihak_dirujuk",
    short=_("Rujukan pihak"),
    label=_("Setiap pihak yang dirujuk ada di daftar pihak, dengan perannya"),
    explanation=_(
        "Pembeli, pelaksana pemilihan, peserta, pemenang, pembayar dan penerima pembayaran "
        "dirujuk dengan id yang harus ada di parties, dan pihak itu harus memiliki peran "
        "(roles) yang sesuai; rujukan yang putus membuat pengguna data kehilangan siapa "
        "melakukan apa."
    ),
    action=_("Rujukan dibangun oleh pemetaan OCDS portal: laporkan ke pengelola portal."),
)
def _parties_referenced(subject):
    roles = {
        party.get("id"): set(party.get("roles") or [])
        for party in subject.release.get("parties") or []
    }
    problems = []
    for path, key, value in _walk(subject.release):
        if key not in REFERENCES or path[:1] == ("parties",):
            continue
        references = value if isinstance(value, list) else [value]
        for index, reference in enumerate(references):
            where = _where((*path, key, index) if isinstance(value, list) else (*path, key))
            party_id = reference.get("id") if isinstance(reference, dict) else None
            if party_id is None:
                problems.append(f"{where}: rujukan tanpa id")
            elif party_id not in roles:
                problems.append(f"{where}: pihak {_short(party_id)} tidak ada di parties")
            elif REFERENCES[key] not in roles[party_id]:
                problems.append(
                    f"{where}: pihak {_short(party_id)} tidak berperan {REFERENCES[key]}"
                )
    return problems


# --- 6. contracts point at an award ---------------------------------------------------------


@check(
    "kontrak_ke_penetapan",
    short=_("Kontrak ke penetapan"),
    label=_("Kontrak merujuk penetapan pemenang yang ada"),
    explanation=_(
        "contracts[].awardID harus menunjuk id sebuah penetapan di awards; kontrak yang "
        "merujuk penetapan yang tidak ada (misalnya kontrak swakelola) tidak dapat dikaitkan "
        "dengan pemenangnya."
    ),
    action=_(
        "Bila paket memang mempunyai pemenang, isi tahap Pemenang (penyedia, nilai, tanggal). "
        "Bila tidak (swakelola), rujukannya berasal dari pemetaan OCDS: laporkan ke pengelola "
        "portal."
    ),
)
def _contract_award(subject):
    contracts = subject.release.get("contracts") or []
    if not contracts:
        return None
    awards = {award.get("id") for award in subject.release.get("awards") or []}
    return [
        f"contracts/{index}/awardID {_short(contract.get('awardID'))} tidak ada di awards"
        for index, contract in enumerate(contracts)
        if contract.get("awardID") not in awards
    ]


# --- 7. suppliers' identifiers --------------------------------------------------------------

# org-id.guide's code for the Directorate General of Taxes (Direktorat Jenderal Pajak), which
# issues the NPWP; the register's ID-NPWP entry was renamed to it in 2019.
NPWP_SCHEME = "ID-DJP"
# Schemes a supplier may be identified by, each with the check of its numbers (None: the
# register publishes no check for it): the Indonesian registers of org-id.guide the portal
# meets — the tax office, and the Ministry of Law's company register.
ORG_ID_SCHEMES = {NPWP_SCHEME: npwp.is_valid, "ID-KHH": None}


@check(
    "pengenal_penyedia",
    short=_("NPWP penyedia"),
    label=_("Penyedia dikenali dengan NPWP yang sah (skema org-id ID-DJP)"),
    explanation=_(
        "Setiap pemenang dan peserta yang berupa badan usaha atau perorangan harus mempunyai "
        "pengenal dengan skema dari org-id.guide (untuk NPWP: ID-DJP, Direktorat Jenderal "
        "Pajak), dan NPWP-nya harus lolos digit pemeriksa; NPWP yang gagal tidak diterbitkan "
        "sebagai pengenal. Perangkat daerah yang menjadi pelaksana swakelolanya sendiri tidak "
        "diperiksa. Tanpa pengenal, penyedia yang sama tidak dapat dikenali lintas paket dan "
        "lintas daerah."
    ),
    action=_(
        "Bila NPWP penyedia tidak tercatat, lengkapi dari dokumen penyedia. Bila NPWP-nya "
        "tercatat tetapi gagal digit pemeriksa, cocokkan dengan dokumen penyedia dan "
        "perbaiki (hampir pasti salah ketik). Bila NPWP-nya benar tetapi skemanya salah, "
        "laporkan ke pengelola portal."
    ),
)
def _supplier_identifiers(subject):
    # The buyer party is the supplier of its own Swakelola (`contracts.ocds`): an agency,
    # identified by its SiRUP satker id, which has no NPWP to judge here.
    parties = [
        party
        for party in subject.release.get("parties") or []
        if {"supplier", "tenderer"} & (roles := set(party.get("roles") or []))
        and "buyer" not in roles
    ]
    if not parties:
        return None
    suppliers = _suppliers_by_party(subject)
    problems = []
    for party in parties:
        who = party.get("name") or party.get("id")
        identifier = party.get("identifier") or {}
        scheme, number = identifier.get("scheme"), identifier.get("id")
        if not number:
            problems.append(f"{who}: {_why_no_identifier(suppliers.get(party.get('id')))}")
        elif scheme not in ORG_ID_SCHEMES:
            problems.append(
                f"{who}: skema {_short(scheme) if scheme else 'kosong'} bukan kode org-id.guide "
                f"(NPWP: {NPWP_SCHEME})"
            )
        elif ORG_ID_SCHEMES[scheme] and not ORG_ID_SCHEMES[scheme](str(number)):
            problems.append(f"{who}: NPWP {number} tidak lolos digit pemeriksa")
    return problems


def _suppliers_by_party(subject):
    """{party id: Supplier} of the package's winner and bidders, as `contracts.ocds` names
    their parties."""
    found = [subject.process.supplier, *(b.supplier for b in subject.lists.get("bidders") or [])]
    return {supplier_party(s, set())["id"]: s for s in found if s is not None}


def _why_no_identifier(supplier):
    """Why a party has no identifier, from the supplier's row when it is known: no NPWP
    recorded, or one recorded that fails its check digit (which OCDS leaves out)."""
    if supplier is not None and supplier.npwp:
        return (
            f"NPWP {supplier.npwp} tercatat tetapi gagal digit pemeriksa, sehingga tidak "
            "diterbitkan sebagai pengenal; cocokkan dengan dokumen penyedia dan perbaiki"
        )
    if supplier is not None:
        return "NPWP tidak tercatat, sehingga tanpa pengenal; lengkapi NPWP penyedia"
    return "tanpa pengenal (NPWP)"


# --- 8. amounts for the stage reached -------------------------------------------------------


def _has_amount(items):
    return any(
        isinstance((item.get("value") or {}).get("amount"), int | float) for item in items or []
    )


@check(
    "nilai_tahap",
    short=_("Nilai"),
    label=_("Nilai penetapan dan nilai kontrak ada sesuai tahap"),
    explanation=_(
        "Paket yang sudah sampai tahap Pemenang harus memuat nilai penetapan (awards[].value), "
        "yang sudah sampai tahap Kontrak juga nilai kontrak (contracts[].value); tanpa nilai, "
        "belanja tidak dapat dijumlahkan atau dibandingkan dengan HPS dan pagu."
    ),
    action=_("Isi nilai penetapan pada tahap Pemenang dan nilai kontrak pada tahap Kontrak."),
)
def _stage_amounts(subject):
    process, release = subject.process, subject.release
    reached = STAGE_ORDER.index(process.stage_reached)
    wants_award = (
        reached >= STAGE_ORDER.index(Stage.AWARD) and process.method != Method.SELF_MANAGED
    )
    wants_contract = reached >= STAGE_ORDER.index(Stage.CONTRACT)
    if not (wants_award or wants_contract):
        return None
    problems = []
    if wants_award and not _has_amount(release.get("awards")):
        problems.append("awards: tanpa nilai penetapan (value.amount)")
    if wants_contract and not _has_amount(release.get("contracts")):
        problems.append("contracts: tanpa nilai kontrak (value.amount)")
    return problems


# --- 9. dates in order ----------------------------------------------------------------------


@check(
    "tanggal_runtut",
    short=_("Tanggal"),
    label=_("Tanggal runtut"),
    explanation=_(
        "Setiap periode harus mulai sebelum atau pada tanggal selesainya (masa penawaran, "
        "masa kontrak), dan kontrak ditandatangani pada atau setelah tanggal penetapan "
        "pemenangnya. Diperiksa pada paket yang memuat pasangan tanggal itu."
    ),
    action=_("Periksa tanggal yang disebut terhadap dokumennya (pengumuman, SPPBJ, kontrak)."),
)
def _dates_in_order(subject):
    release = subject.release
    problems, compared = [], False
    for path, key, value in _walk(release):
        if not isinstance(value, dict) or "startDate" not in value or "endDate" not in value:
            continue
        in_order = _before(_moment(value["startDate"]), _moment(value["endDate"]))
        if in_order is None:
            continue
        compared = True
        if not in_order:
            problems.append(
                f"{_where((*path, key))}: mulai {_day(value['startDate'])} setelah selesai "
                f"{_day(value['endDate'])}"
            )
    awards = {award.get("id"): award for award in release.get("awards") or []}
    for index, contract in enumerate(release.get("contracts") or []):
        award = awards.get(contract.get("awardID")) or {}
        in_order = _before(_moment(award.get("date")), _moment(contract.get("dateSigned")))
        if in_order is None:
            continue
        compared = True
        if not in_order:
            problems.append(
                f"contracts/{index}/dateSigned {_day(contract['dateSigned'])} sebelum tanggal "
                f"penetapan {_day(award['date'])}"
            )
    return problems if compared else None


# --- 10. every document published -----------------------------------------------------------


def document_url(document):
    """The public address of a package's document, as its OCDS and dokumen.csv give it."""
    return f"{settings.PORTAL['BASE_URL']}/dokumen/{document.pk}/"


@check(
    "dokumen_terbit",
    short=_("Dokumen"),
    label=_("Setiap dokumen paket ada di OCDS-nya"),
    explanation=_(
        "Setiap dokumen yang diunggah untuk paket yang dipublikasikan harus tercantum di "
        "rilis OCDS-nya (di bagian tahapnya); dokumen yang hanya ada di halaman paket dan "
        "dokumen.csv tidak ditemukan oleh pengguna OCDS."
    ),
    action=_(
        "Periksa tahap dokumen yang disebut: dokumen tahap Pemenang atau Kontrak tampil di OCDS "
        "bila tahap itu berisi data. Bila tahapnya benar, laporkan ke pengelola portal."
    ),
)
def _documents_published(subject):
    documents = subject.lists["documents"]
    if not documents:
        return None
    published = {
        item.get("url")
        for _, key, value in _walk(subject.release)
        if key == "documents" and isinstance(value, list)
        for item in value
        if isinstance(item, dict)
    }
    return [
        f"dokumen {_short(document.title or document.original_filename)} "
        f"({document.get_stage_display()}) tidak ada di OCDS"
        for document in documents
        if document_url(document) not in published
    ]


# --- computing and storing ------------------------------------------------------------------


def published_packages():
    """Every package of the open data (published or withdrawn) with what its release reads
    of it and the date of its newest stored release (`newest_release`, None before its
    first), oldest first."""
    return (
        Process.objects.open_data()
        .without_bookkeeping()
        .select_related("agency", "supplier")
        .annotate(newest_release=Max("releases__date"))
        .order_by("pk")
    )


RESULT_COLUMNS = ["check_code", "agency_id", "fiscal_year", "applicable", "passing", "computed_at"]
FAILURE_COLUMNS = ["check_code", "process_id", "agency_id", "fiscal_year", "problems"]


def refresh(*, requested_by=None, chunk=CHUNK):
    """Run every check over every package of the open data and store the results, replacing the
    last run's; return the QualityRun. Reads the packages `chunk` at a time (one query per
    kind of related row per chunk). Runs in the job queue (opendata/tasks.py)."""
    started = timezone.now()
    counts = defaultdict(lambda: [0, 0])  # (check, agency id, year): [applicable, passing]
    failures = []
    checked = 0
    for process, lists in with_lists(chunked.by_pk(published_packages(), chunk), chunk):
        checked += 1
        for code, problems in evaluate(process, lists).items():
            if problems is None:
                continue
            tally = counts[(code, process.agency_id, process.fiscal_year)]
            tally[0] += 1
            if problems:
                failures.append(
                    (code, process.pk, process.agency_id, process.fiscal_year, _bounded(problems))
                )
            else:
                tally[1] += 1
    finished = timezone.now()
    with transaction.atomic():
        # Two runs at once (the daily one and an administrator's) write one after the other.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('opendata.quality'))")
        QualityFailure.objects.all().delete()
        QualityResult.objects.all().delete()
        bulk.copy_values(
            QualityResult,
            RESULT_COLUMNS,
            (
                (*key, applicable, passing, finished)
                for key, (applicable, passing) in counts.items()
            ),
        )
        bulk.copy_values(QualityFailure, FAILURE_COLUMNS, failures)
        return QualityRun.objects.create(
            started_at=started, finished_at=finished, packages=checked, requested_by=requested_by
        )


def _bounded(problems):
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[: MAX_PROBLEMS - 1], f"… dan {len(problems) - MAX_PROBLEMS + 1} lainnya"]


# --- reading the stored report --------------------------------------------------------------


def share(passing, applicable):
    """The percentage passing, rounded down to one decimal so that 100 means every package;
    None when nothing was checked."""
    if not applicable:
        return None
    return math.floor(1000 * passing / applicable) / 10


@dataclass
class Tally:
    passing: int = 0
    applicable: int = 0

    @property
    def failing(self):
        return self.applicable - self.passing

    @property
    def share(self):
        return share(self.passing, self.applicable)


def last_run():
    return QualityRun.objects.order_by("-finished_at").first()


def _results(year):
    results = QualityResult.objects.all()
    return results.filter(fiscal_year=year) if year else results


def summary(year=None):
    """[(check, Tally)] over every agency, in the registry's order; aggregate figures only,
    fit for the public page."""
    totals = {
        row["check_code"]: Tally(row["passing"], row["applicable"])
        for row in _results(year)
        .values("check_code")
        .annotate(passing=Sum("passing"), applicable=Sum("applicable"))
        .order_by()
    }
    return [(item, totals.get(code, Tally())) for code, item in CHECKS.items()]


def years():
    """The fiscal years the last run found published packages in, newest first."""
    return list(
        QualityResult.objects.order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )


@dataclass
class AgencyRow:
    agency: object
    cells: list  # [(check, Tally)] in the registry's order
    total: Tally  # every check's packages together (a package counts once per check)


def per_agency(year=None):
    """One AgencyRow per agency with results, the weakest (lowest share over all checks)
    first."""
    from agencies.models import Agency

    tallies = defaultdict(dict)
    for row in (
        _results(year)
        .values("agency_id", "check_code")
        .annotate(passing=Sum("passing"), applicable=Sum("applicable"))
        .order_by()
    ):
        tallies[row["agency_id"]][row["check_code"]] = Tally(row["passing"], row["applicable"])
    agencies = Agency.objects.in_bulk(list(tallies))
    rows = []
    for agency_id, by_check in tallies.items():
        cells = [(item, by_check.get(code, Tally())) for code, item in CHECKS.items()]
        total = Tally(
            sum(tally.passing for _, tally in cells), sum(tally.applicable for _, tally in cells)
        )
        rows.append(AgencyRow(agencies[agency_id], cells, total))
    rows.sort(key=lambda row: (row.total.share is None, row.total.share or 0, row.agency.name))
    return rows


def failures(code, *, year=None, agency=None):
    """The packages failing one check, with what failed: a queryset to page through."""
    found = QualityFailure.objects.filter(check_code=code).select_related("process", "agency")
    if year:
        found = found.filter(fiscal_year=year)
    if agency is not None:
        found = found.filter(agency=agency)
    return found.order_by("agency__name", "-fiscal_year", "process_id")


# --- asking for a run -----------------------------------------------------------------------


def request_refresh(*, by=None):
    """Queue a run of the report (`by`: the administrator asking; None for the daily job).
    False when a run is already waiting in the queue: that one will do."""
    from procrastinate.exceptions import AlreadyEnqueued

    from opendata.tasks import refresh_data_quality

    try:
        # In a savepoint: the queue refuses a second one with a unique violation, which
        # would otherwise abort the caller's transaction.
        with transaction.atomic():
            refresh_data_quality.defer(requested_by_id=by.pk if by else None)
    except AlreadyEnqueued:
        return False
    return True


def pending():
    """Whether a run is waiting in the queue or running now."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    from opendata.tasks import QUALITY_LOCK

    return ProcrastinateJob.objects.filter(lock=QUALITY_LOCK, status__in=["todo", "doing"]).exists()
