"""LPSE/SPSE tender and non-tender results and tender bidders -> the selection, award and
contract stages of packages."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from agencies.places import PlaceResolver
from contracts.models import Bidder, NameSource, Process, Status, Supplier
from contracts.npwp import InvalidNPWP, check_digits_problem, normalize_npwp
from contracts.templatetags.rupiah import rupiah
from imports import values
from imports.common import (
    ANOTHER_AGENCYS,
    LPSE_STAGE,
    PLAN_ACTIVE,
    AgencyMatcher,
    ProcessWriter,
    findable,
    fit_to_columns,
    lpse_overrides_inactive_plan,
    method_notes,
    out_of_scope,
    plan_withdrawal,
    remembered,
    republished,
    withdrawn_by_import,
)
from imports.progress import QUIET
from imports.report import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportReport
from opendata_kontrak.text import long_date

TENDER_COLUMNS = [
    "kode_lelang",
    "id_rup",
    "nama_paket",
    "satker",
    "kategori",
    "sistem_pengadaan",
    "tahun_ang",
    "peserta",
    "nama_pemenang",
    "npwp_pemenang",
    "hps",
    "pagu",
]
# The non-tender results (Pengadaan Langsung, Penunjukan Langsung...) as the regency's LPSE
# scrape exports them: the non-tender code in kd_lelang, its kode RUP in ocid, the supplier in the
# contractor columns (jokojr97/siipp_laravel, app/Imports/NonTendersImport.php).
NON_TENDER_COLUMNS = [
    "kd_lelang",
    "ocid",
    "nama_paket",
    "satker",
    "metode_pengadaan",
    "tahun_ang",
    "pagu",
    "hps",
    "nama_kontraktor",
    "npwp_kontraktor",
]
BIDDER_COLUMNS = ["kd_lelang", "peserta", "npwp", "penawaran", "harga_terkoreksi"]
LPSE_URL = "https://lpse.bojonegorokab.go.id/eproc4/lelang/{code}/pengumumanlelang"
NON_TENDER_URL = "https://lpse.bojonegorokab.go.id/eproc4/nontender/{code}/pengumumanpl"


class Suppliers:
    """Suppliers by NPWP (and, lacking one, by exact name), created as rows need them."""

    def __init__(self):
        self.by_npwp = {s.npwp: s for s in Supplier.objects.exclude(npwp=None)}
        self.by_name = {s.name: s for s in Supplier.objects.filter(npwp=None)}

    def get(self, *, name, npwp, address=""):
        """(supplier or None, notes)."""
        name = values.text(name)
        notes = []
        limit = Supplier._meta.get_field("name").max_length
        if len(name) > limit:
            # The name is the supplier's identity: shortened, and said so, rather than dropped.
            notes.append(
                f"nama penyedia {len(name)} karakter, lebih dari batas {limit}: disimpan "
                f"{limit} karakter pertamanya"
            )
            name = name[:limit]
        try:
            number = normalize_npwp(npwp)
        except InvalidNPWP as problem:
            notes.append(f"{problem}; penyedia dicatat tanpa NPWP")
            number = None
        if number and (problem := check_digits_problem(number)):
            # The row stands as LPSE wrote it; the supplier is kept with this number, which
            # the open data shows as unverified and never publishes as its identifier.
            notes.append(
                f"{problem}; penyedia tetap dicatat dengan NPWP ini, ditandai belum terverifikasi "
                "di data terbuka"
            )
        if not name and not number:
            return None, notes
        if number:
            supplier = self.by_npwp.get(number)
            if supplier is None:
                supplier = Supplier.objects.create(
                    name=name or number,
                    npwp=number,
                    address=values.text(address),
                    name_source=NameSource.OFFICIAL if name else NameSource.OPERATOR,
                )
                self.by_npwp[number] = supplier
                return supplier, notes
            changed = []
            if name and supplier.name_source == NameSource.OPERATOR:
                # LPSE is the official source: its name replaces what an operator typed for
                # this NPWP; only an administrator's correction stands over it.
                if supplier.name != name:
                    notes.append(
                        f"nama penyedia NPWP {supplier.npwp_display} diganti dari isian "
                        f"operator “{supplier.name}” menjadi “{name}” sesuai LPSE"
                    )
                    supplier.name = name
                    changed.append("name")
                supplier.name_source = NameSource.OFFICIAL
                changed.append("name_source")
            if address and not supplier.address:
                supplier.address = values.text(address)
                changed.append("address")
            if changed:
                supplier.save(update_fields=[*changed, "updated_at"])
            return supplier, notes
        supplier = self.by_name.get(name)
        if supplier is None:
            supplier = Supplier.objects.create(name=name, address=values.text(address))
            self.by_name[name] = supplier
        return supplier, notes


def _year(row, notes):
    try:
        year = values.count(row.get("tahun_ang"))
    except values.Unreadable:
        year = None
    label = values.text(row.get("tahun_anggaran"))
    if "?" in label:
        notes.append(f"label tahun anggaran tertulis {label!r}; dipakai tahun {year}")
    return year


def _award_amount(row, notes):
    """The negotiated price if known, else the corrected bid, else the bid."""
    for column in ("hasil_negosiasi", "harga_terkoreksi", "harga_penawaran"):
        try:
            value = values.amount(row.get(column))
        except values.Unreadable as problem:
            notes.append(str(problem))
            continue
        if value:
            return value
    return None


def _reference(*, award, hps, budget):
    """(label, amount) a contract value is weighed against: the award, else HPS, else pagu."""
    for label, amount in [("nilai penetapan", award), ("HPS", hps), ("pagu", budget)]:
        if amount:
            return label, amount
    return None, None


def _cut_short(value, full):
    """Whether `value` is `full` written in thousands (or millions) and cut down, as the
    bundled 2020 rows write Rp 672.888.587 as 672888 and Rp 2.595.611.260 as 2595."""
    scale = 1000
    while value and value * scale <= full:
        if full < (value + 1) * scale:
            return True
        scale *= 1000
    return False


# A contract can exist once the supplier is appointed (SPPBJ): stages before it are still
# choosing, whatever the contractor columns hold.
CONTRACT_STAGES = re.compile(r"selesai|kontrak|penunjukan", re.I)


def _contract(row, *, winner, award, reference, notes):
    """The contract stage from the contractor columns, the party who signed: {} when the row
    names no contractor or gives no value that can be trusted, with a note saying why.

    `winner` is the (name, NPWP) of the award, None when the contractor is the winner."""
    name = values.text(row.get("nama_kontraktor"))
    try:
        npwp = normalize_npwp(row.get("npwp_kontraktor"))
    except InvalidNPWP:
        npwp = None
    if not name and not npwp:
        return {}
    party = name or values.text(row.get("npwp_kontraktor"))
    stage = values.text(row.get("tahap_tender"))
    if stage and not CONTRACT_STAGES.search(stage):
        notes.append(
            f"kontraktor {party} tercatat, tetapi tahapnya masih {stage!r}: belum dicatat "
            "sebagai kontrak"
        )
        return {}
    signed_by_winner = winner is None or _same_party(name, npwp, *winner)
    if not signed_by_winner:
        winner_name = values.text(winner[0])
        notes.append(
            f"kontrak ditandatangani {party}, bukan pemenang {winner_name}; penyedia paket "
            "tetap pemenangnya, periksa sumbernya"
            if winner_name
            else f"pemenang kosong, tetapi kontrak tercatat dengan {party}"
        )
    value = None
    for column in ("negosiasi_kontraktor", "penawaran_kontraktor"):
        try:
            value = values.amount(row.get(column))
        except values.Unreadable as problem:
            notes.append(f"{column}: {problem}")
            continue
        if value:
            break
    if not value:
        notes.append(f"kontraktor {party} tercatat tanpa nilai kontrak")
        return {}
    if award and signed_by_winner and _cut_short(value, award):
        notes.append(
            f"nilai kontrak tertulis {value}, yaitu nilai penetapan {rupiah(award)} yang "
            "terpotong (tertulis dalam ribuan): nilai kontrak diisi nilai penetapan"
        )
        return {"contract_amount": award}
    label, amount = reference
    if amount and value * 100 < amount:
        notes.append(
            f"nilai kontrak tertulis {value}, kurang dari 1% {label} {rupiah(amount)} "
            "(tertulis dalam ribuan?): tidak diisi, periksa sumbernya"
        )
        return {}
    return {"contract_amount": value}


def _same_party(name, npwp, other_name, other_npwp):
    try:
        other_npwp = normalize_npwp(other_npwp)
    except InvalidNPWP:
        other_npwp = None
    if npwp and other_npwp:
        return npwp == other_npwp
    return bool(name) and _name_key(name) == _name_key(other_name)


def _name_key(name):
    return re.sub(r"[^A-Z0-9]", "", values.text(name).upper())


def _announced(row, year, notes):
    """The package's creation date on LPSE, as the tender's announcement date.

    SPSE announces a package when it is created, or within days: the closest date these
    exports hold to the start of the tender period. A date outside the budget year and the
    year before (when early tenders are held) is not the tender's and is left out."""
    try:
        created = values.date(row.get("tanggal_pembuatan"))
    except values.Unreadable as problem:
        notes.append(f"tanggal pembuatan: {problem}")
        return {}
    if created is None:
        return {}
    if not year - 1 <= created.year <= year:
        notes.append(
            f"tanggal pembuatan {long_date(created)} di luar tahun anggaran {year}: "
            "tidak dipakai sebagai tanggal pengumuman"
        )
        return {}
    return {"tender_announced": created}


def _merge_into_plan(process, candidates, scope, by, notes):
    """A tender's package that an older import made without its plan code, beside the plan's
    own package: the double folds into the plan (returned); else the package as it is."""
    plans = [p for p in candidates if not p.tender_code and p.pk != process.pk]
    if len(plans) != 1 or out_of_scope(plans[0].agency, scope):
        return process
    from contracts.services import merge_processes

    notes.append(f"paket ganda {process.ocid} (dari impor tender lama) digabung ke rencananya")
    return merge_processes(keep=plans[0], absorbed=process, by=by)


def lpse_system(process):
    """'lelang' or 'nontender' as the package's LPSE link says, "" when it has none.

    Tenders and non-tenders have their own code series on SPSE, so one number may name one of
    each: a code finds a package only of its own kind (or one with no LPSE link yet)."""
    match = re.search(r"/eproc4/(lelang|nontender)/", process.lpse_url)
    return match.group(1) if match else ""


@dataclass(frozen=True)
class _Export:
    """Where an LPSE export keeps what every package row needs, and how it reads the rest."""

    kind: str
    label: str  # what the export calls its code, for the report
    system: str  # the path of the package's page on LPSE: lelang or nontender
    url: str
    code: str  # the column of the LPSE code
    rup: str  # the column of the kode RUP
    method: str
    category: str
    read: Callable  # (row, *, year, budget, suppliers, notes) -> the stage fields


def _import_packages(rows, *, export, by, scope, filename, take_source, progress):
    report = ImportReport(kind=export.kind, filename=filename)
    matcher = AgencyMatcher()
    suppliers = Suppliers()
    writer = ProcessWriter(by=by, source=f"impor LPSE {filename}", take_source=take_source)
    places = PlaceResolver()
    codes = [values.code(row.get(export.code)) for _, row in rows]
    by_tender = {
        p.tender_code: p
        for p in findable(
            Process.objects.filter(tender_code__in=[c for c in codes if c.isdigit()]), scope
        )
        if lpse_system(p) in ("", export.system)
    }
    rup_codes = [values.code(row.get(export.rup)) for _, row in rows]
    by_rup = {}
    for process in findable(
        Process.objects.filter(rup_code__in=[c for c in rup_codes if c]), scope
    ).select_related("agency"):
        by_rup.setdefault((process.rup_code, process.fiscal_year), []).append(process)
    codes_taken = {(p.agency_id, year, rup) for (rup, year), ps in by_rup.items() for p in ps}
    seen = {}

    for line, row in rows:
        progress.row(report)
        code = values.code(row.get(export.code))
        notes = []
        if not code.isdigit():
            report.add(line, code, SKIPPED, [f"{export.label} {code!r} kosong atau bukan angka"])
            continue
        if code in seen:
            report.add(
                line, code, SKIPPED, [f"{export.label} {code} sudah ada di baris {seen[code]}"]
            )
            continue
        seen[code] = line
        year = _year(row, notes)
        if not year or not 2000 <= year <= 2100:
            report.add(
                line, code, SKIPPED, [f"tahun anggaran {row.get('tahun_ang')!r} tidak terbaca"]
            )
            continue
        rup = values.code(row.get(export.rup))
        # 0 stands for "no plan code"; a malformed code matches nothing either.
        rup = rup if rup.isdigit() and rup.strip("0") else ""
        process = by_tender.get(code)
        if process is not None and rup and not process.rup_code:
            process = _merge_into_plan(process, by_rup.get((rup, year), []), scope, by, notes)
            by_tender[code] = process
        if process is None and rup:
            # The plan of this package, whichever was imported first: a package with this
            # kode RUP and year that no other tender or non-tender has taken.
            matches = [
                p
                for p in by_rup.get((rup, year), [])
                if not p.tender_code
                or (p.tender_code == code and lpse_system(p) in ("", export.system))
            ]
            process = matches[0] if len(matches) == 1 else None
        agency = process.agency if process else matcher.find(name=row.get("satker"))
        if agency is None:
            report.add(
                line,
                code,
                SKIPPED,
                [
                    f"satker {values.text(row.get('satker'))!r} tidak ada di register "
                    "perangkat daerah"
                ],
            )
            continue
        if out_of_scope(agency, scope):
            # A package found by its code is another agency's: not named. A new row's agency
            # is the file's own satker column.
            refusal = (
                ANOTHER_AGENCYS if process else f"milik {agency.name}, bukan perangkat daerah Anda"
            )
            report.add(line, code, SKIPPED, [refusal])
            continue
        method, original = values.method(row.get(export.method))
        method_notes(method, original, notes)
        try:
            category, _ = values.category(row.get(export.category))
        except values.Unreadable as problem:
            notes.append(str(problem))
            category = ""
        try:
            budget = values.amount(row.get("pagu"))
            stage_fields = export.read(
                row, year=year, budget=budget, suppliers=suppliers, notes=notes
            )
        except values.Unreadable as problem:
            report.add(line, code, SKIPPED, [str(problem)])
            continue
        stage = values.text(row.get("tahap_tender") or row.get("tahap"))
        facts = {LPSE_STAGE: remembered(stage)}
        stage_fields = {
            "tender_code": code,
            "lpse_url": export.url.format(code=code),
            **stage_fields,
        }
        announced = stage_fields.get("tender_announced")
        if announced and process and process.bid_deadline and announced > process.bid_deadline:
            notes.append(
                f"tanggal pembuatan paket {long_date(announced)} sesudah batas pemasukan "
                f"penawaran {long_date(process.bid_deadline)}: tanggal pengumuman tidak diubah"
            )
            del stage_fields["tender_announced"]
        if process is None:
            if rup:
                notes.append(
                    f"rencana dengan kode RUP {rup} tahun {year} tidak ditemukan; "
                    "paket dibuat dari data LPSE"
                )
            fields = {
                "title": values.text(row.get("nama_paket")),
                "method_original": values.original_term(method, original),
                **places.fields_for(values.text(row.get("lokasi"))),
                "location_detail": values.text(row.get("lokasi")),
            }
            fit_to_columns(fields, notes)
            if not fields.get("title"):
                report.add(line, code, SKIPPED, [*notes, "nama paket kosong atau terlalu panjang"])
                continue
            if rup and (agency.pk, year, rup) in codes_taken:
                # A repeat tender of a plan whose first tender is already here: one package
                # per agency, year and kode RUP; this one stands alone.
                notes.append(f"kode RUP {rup} sudah dipakai paket lain (pemilihan ulang?)")
                rup = ""
            codes_taken.add((agency.pk, year, rup))
            writer.create(
                agency=agency,
                fiscal_year=year,
                rup_code=rup,  # kept, so that the plan imported later finds this package
                budget_amount=budget,
                funding_sources=values.funding(row.get("sumber_dana")),
                category=category,
                method=method,
                status=Status.PUBLISHED,
                published_at=timezone.make_aware(datetime.datetime(year, 12, 31, 12)),
                **fields,
                **stage_fields,
                facts=facts,
            )
            report.add(line, code, CREATED, notes)
            continue
        links = {"tender_code": stage_fields.pop("tender_code")}
        if rup and not process.rup_code and (process.agency_id, year, rup) not in codes_taken:
            links["rup_code"] = rup  # a package an earlier import made without it
            codes_taken.add((process.agency_id, year, rup))
        lpse_says = lpse_overrides_inactive_plan(
            system=export.system, stage=stage, winner=stage_fields.get("supplier_id")
        )
        if lpse_says and withdrawn_by_import(process):
            # Withdrawn because its SiRUP plan is inactive, while LPSE shows its tender won or
            # running: published again, the disagreement said on the row.
            notes.append(f"{lpse_says} (diterbitkan kembali)")
            links.update(republished(process))
        elif (
            not lpse_says
            and process.source_values.get(PLAN_ACTIVE) == "tidak"
            and process.status == Status.PUBLISHED
        ):
            # Kept published for a tender LPSE now says failed or cancelled: the plan's
            # cancellation stands after all.
            notes.append(
                "RUP tidak aktif di SiRUP dan tender di LPSE tidak berlanjut "
                f"(tahap {stage or 'kosong'}, tanpa pemenang): paket ditarik"
            )
            links.update({**plan_withdrawal(timezone.now()), "published_at": process.published_at})
        change = writer.update(process, stage_fields, key=code, forced=links, facts=facts)
        report.add_update(line, code, change, notes)
    progress.tell(report)  # every row has its outcome; the writing follows
    writer.save()
    places.record_unresolved()
    return report


def _read_tender(row, *, year, budget, suppliers, notes):
    """The tender export's tender, award and contract stages."""
    tenderers = values.count(row.get("peserta"))
    hps = values.amount(row.get("hps"))
    supplier, supplier_notes = suppliers.get(
        name=row.get("nama_pemenang"),
        npwp=row.get("npwp_pemenang"),
        address=row.get("alamat_pemenang"),
    )
    notes += supplier_notes
    if supplier is None:
        notes.append("belum ada pemenang")
    award = _award_amount(row, notes) if supplier else None
    return {
        "hps_amount": hps,
        "number_of_tenderers": tenderers,
        "supplier_id": supplier.pk if supplier else None,
        "award_amount": award,
        **_contract(
            row,
            winner=(row.get("nama_pemenang"), row.get("npwp_pemenang")),
            award=award,
            reference=_reference(award=award, hps=hps, budget=budget),
            notes=notes,
        ),
        **_announced(row, year, notes),
    }


TENDER = _Export(
    kind="lpse_tender",
    label="kode tender",  # i18n: data (the stored notes of a report name it)
    system="lelang",
    url=LPSE_URL,
    code="kode_lelang",
    rup="id_rup",
    method="sistem_pengadaan",
    category="kategori",
    read=_read_tender,
)


def import_tenders(
    rows,
    *,
    by=None,
    scope=None,
    filename="lpse_tender.csv",
    take_source=frozenset(),
    progress=QUIET,
):
    return _import_packages(
        rows,
        export=TENDER,
        by=by,
        scope=scope,
        filename=filename,
        take_source=take_source,
        progress=progress,
    )


# Negotiated, else corrected, else bid; the contractor's own figures where the export has them.
NON_TENDER_AMOUNTS = [
    "hasil_negosiasi",
    "negosiasi_kontraktor",
    "hasil_negosiasi_pemenang",
    "harga_terkoreksi",
    "harga_penawaran",
    "penawaran_kontraktor",
]


def _read_non_tender(row, *, year, budget, suppliers, notes):
    """The non-tender export's selection, award and contract stages: its supplier is the
    contractor, else the winner's columns."""
    hps = values.amount(row.get("hps"))
    supplier, supplier_notes = suppliers.get(
        name=row.get("nama_kontraktor"),
        npwp=row.get("npwp_kontraktor"),
        address=row.get("alamat_kontraktor"),
    )
    notes += supplier_notes
    if supplier is None:
        supplier, supplier_notes = suppliers.get(
            name=row.get("pemenang"),
            npwp=row.get("npwp_pemenang"),
            address=row.get("alamat_pemenang"),
        )
        notes += supplier_notes
        if supplier is not None:
            notes.append("kolom kontraktor kosong: penyedia dari kolom pemenang")
    if supplier is None:
        notes.append("belum ada penyedia")
    award = _non_tender_award(row, hps or budget, notes) if supplier else None
    return {
        "hps_amount": hps,
        "supplier_id": supplier.pk if supplier else None,
        "award_amount": award,
        **_contract(
            row,
            winner=None,
            award=award,
            reference=_reference(award=award, hps=hps, budget=budget),
            notes=notes,
        ),
        **_announced(row, year, notes),
    }


def _non_tender_award(row, reference, notes):
    for column in NON_TENDER_AMOUNTS:
        try:
            value = values.amount(row.get(column))
        except values.Unreadable as problem:
            notes.append(f"{column}: {problem}")
            continue
        if value and reference and value * 100 < reference:
            notes.append(
                f"{column} tertulis {value}, kurang dari 1% HPS atau pagu {rupiah(reference)} "
                "(tertulis dalam ribuan?): tidak dipakai"
            )
            continue
        if value:
            return value
    return None


NON_TENDER = _Export(
    kind="lpse_non_tender",
    label="kode non tender",  # i18n: data (the stored notes of a report name it)
    system="nontender",
    url=NON_TENDER_URL,
    code="kd_lelang",
    rup="ocid",
    method="metode_pengadaan",
    category="jenis_pekerjaan",
    read=_read_non_tender,
)


def import_non_tenders(
    rows,
    *,
    by=None,
    scope=None,
    filename="lpse_non_tender.csv",
    take_source=frozenset(),
    progress=QUIET,
):
    return _import_packages(
        rows,
        export=NON_TENDER,
        by=by,
        scope=scope,
        filename=filename,
        take_source=take_source,
        progress=progress,
    )


def import_bidders(
    rows,
    *,
    by=None,
    scope=None,
    filename="lpse_peserta.csv",
    take_source=frozenset(),
    progress=QUIET,
):
    report = ImportReport(kind="lpse_bidder", filename=filename)
    suppliers = Suppliers()
    codes = {values.code(row.get("kd_lelang")) for _, row in rows} - {""}
    processes = {
        p.tender_code: p
        for p in findable(Process.objects.filter(tender_code__in=codes), scope)
        if lpse_system(p) != NON_TENDER.system  # bidders are a tender's
    }
    existing = {
        (b.process_id, b.supplier_id): b
        for b in Bidder.objects.filter(process__in=processes.values())
    }
    new, changed, touched, seen = [], [], set(), {}
    for line, row in rows:
        progress.row(report)
        code = values.code(row.get("kd_lelang"))
        key = f"{code}/{values.text(row.get('npwp')) or values.text(row.get('peserta'))}"
        if not code.isdigit():
            # An empty or malformed key matches nothing, least of all another empty key.
            report.add(line, key, SKIPPED, [f"kode tender {code!r} kosong atau bukan angka"])
            continue
        process = processes.get(code)
        if process is None:
            report.add(line, key, SKIPPED, [f"tender {code} belum ada; impor hasil tender dulu"])
            continue
        if out_of_scope(process.agency, scope):
            report.add(line, key, SKIPPED, [ANOTHER_AGENCYS])
            continue
        supplier, notes = suppliers.get(name=row.get("peserta"), npwp=row.get("npwp"))
        if supplier is None:
            report.add(line, key, SKIPPED, ["peserta tanpa nama dan tanpa NPWP"])
            continue
        try:
            bid = values.amount(row.get("penawaran"))
            corrected = values.amount(row.get("harga_terkoreksi"))
        except values.Unreadable as problem:
            report.add(line, key, SKIPPED, [str(problem)])
            continue
        if (process.pk, supplier.pk) in seen:
            report.add(
                line,
                key,
                SKIPPED,
                [*notes, f"peserta yang sama sudah ada di baris {seen[(process.pk, supplier.pk)]}"],
            )
            continue
        seen[(process.pk, supplier.pk)] = line
        current = existing.get((process.pk, supplier.pk))
        if current is None:
            current = Bidder(
                process=process, supplier=supplier, bid_amount=bid, corrected_amount=corrected
            )
            existing[(process.pk, supplier.pk)] = current
            new.append(current)
            report.add(line, key, CREATED, notes)
        elif (current.bid_amount, current.corrected_amount) != (bid, corrected):
            current.bid_amount, current.corrected_amount = bid, corrected
            changed.append(current)
            report.add(line, key, UPDATED, notes)
        else:
            report.add(line, key, UNCHANGED, notes)
            continue
        touched.add(process.pk)
    progress.tell(report)
    Bidder.objects.bulk_create(new, batch_size=1000)
    Bidder.objects.bulk_update(changed, ["bid_amount", "corrected_amount"], batch_size=1000)
    from contracts import completeness

    completeness.refresh(sorted(touched))
    return report


def shared_files():
    folder = settings.BASE_DIR / "imports" / "data" / "bojonegoro"
    return folder / "lpse_tender_2018-2020.csv", folder / "lpse_peserta_2018.csv"
