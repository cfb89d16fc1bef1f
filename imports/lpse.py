"""LPSE/SPSE tender results and bidders -> the tender and award stages of packages."""

import datetime

from django.conf import settings
from django.utils import timezone

from agencies.places import PlaceResolver
from contracts.models import Bidder, Process, Status, Supplier
from contracts.npwp import InvalidNPWP, normalize_npwp
from imports import values
from imports.common import (
    AgencyMatcher,
    ProcessWriter,
    fit_to_columns,
    method_notes,
    out_of_scope,
)
from imports.progress import QUIET
from imports.report import CREATED, SKIPPED, UNCHANGED, UPDATED, ImportReport

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
BIDDER_COLUMNS = ["kd_lelang", "peserta", "npwp", "penawaran", "harga_terkoreksi"]
LPSE_URL = "https://lpse.bojonegorokab.go.id/eproc4/lelang/{code}/pengumumanlelang"


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
        if not name and not number:
            return None, notes
        if number:
            supplier = self.by_npwp.get(number)
            if supplier is None:
                supplier = Supplier.objects.create(
                    name=name or number, npwp=number, address=values.text(address)
                )
                self.by_npwp[number] = supplier
            elif address and not supplier.address:
                supplier.address = values.text(address)
                supplier.save(update_fields=["address", "updated_at"])
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


def _merge_into_plan(process, candidates, scope, by, notes):
    """A tender's package that an older import made without its plan code, beside the plan's
    own package: the double folds into the plan (returned); else the package as it is."""
    plans = [p for p in candidates if not p.tender_code and p.pk != process.pk]
    if len(plans) != 1 or out_of_scope(plans[0].agency, scope):
        return process
    from contracts.services import merge_processes

    notes.append(f"paket ganda {process.ocid} (dari impor tender lama) digabung ke rencananya")
    return merge_processes(keep=plans[0], absorbed=process, by=by)


def import_tenders(
    rows,
    *,
    by=None,
    scope=None,
    filename="lpse_tender.csv",
    take_source=frozenset(),
    progress=QUIET,
):
    report = ImportReport(kind="lpse_tender", filename=filename)
    matcher = AgencyMatcher()
    suppliers = Suppliers()
    writer = ProcessWriter(by=by, source=f"impor LPSE {filename}", take_source=take_source)
    places = PlaceResolver()
    codes = [values.code(row.get("kode_lelang")) for _, row in rows]
    by_tender = {p.tender_code: p for p in Process.objects.filter(tender_code__in=codes)}
    rup_codes = [values.code(row.get("id_rup")) for _, row in rows]
    by_rup = {}
    for process in Process.objects.filter(rup_code__in=[c for c in rup_codes if c]).select_related(
        "agency"
    ):
        by_rup.setdefault((process.rup_code, process.fiscal_year), []).append(process)
    codes_taken = {(p.agency_id, year, rup) for (rup, year), ps in by_rup.items() for p in ps}
    seen = {}

    for line, row in rows:
        progress.row(report)
        code = values.code(row.get("kode_lelang"))
        notes = []
        if not code.isdigit():
            report.add(line, code, SKIPPED, [f"kode tender {code!r} kosong atau bukan angka"])
            continue
        if code in seen:
            report.add(line, code, SKIPPED, [f"kode tender {code} sudah ada di baris {seen[code]}"])
            continue
        seen[code] = line
        year = _year(row, notes)
        if not year or not 2000 <= year <= 2100:
            report.add(
                line, code, SKIPPED, [f"tahun anggaran {row.get('tahun_ang')!r} tidak terbaca"]
            )
            continue
        rup = values.code(row.get("id_rup"))
        # 0 stands for "no plan code"; a malformed code matches nothing either.
        rup = rup if rup.isdigit() and rup.strip("0") else ""
        process = by_tender.get(code)
        if process is not None and rup and not process.rup_code:
            process = _merge_into_plan(process, by_rup.get((rup, year), []), scope, by, notes)
            by_tender[code] = process
        if process is None and rup:
            # The plan of this tender, whichever was imported first: a package with this
            # kode RUP and year that no other tender has taken.
            matches = [p for p in by_rup.get((rup, year), []) if p.tender_code in ("", code)]
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
            report.add(line, code, SKIPPED, [f"milik {agency.name}, bukan perangkat daerah Anda"])
            continue
        method, original = values.method(row.get("sistem_pengadaan"))
        method_notes(method, original, notes)
        try:
            category, _ = values.category(row.get("kategori"))
        except values.Unreadable as problem:
            notes.append(str(problem))
            category = ""
        try:
            tenderers = values.count(row.get("peserta"))
            hps = values.amount(row.get("hps"))
            budget = values.amount(row.get("pagu"))
        except values.Unreadable as problem:
            report.add(line, code, SKIPPED, [str(problem)])
            continue
        supplier, supplier_notes = suppliers.get(
            name=row.get("nama_pemenang"),
            npwp=row.get("npwp_pemenang"),
            address=row.get("alamat_pemenang"),
        )
        notes += supplier_notes
        if supplier is None:
            notes.append("belum ada pemenang")
        tender_fields = {
            "tender_code": code,
            "hps_amount": hps,
            "number_of_tenderers": tenderers,
            "lpse_url": LPSE_URL.format(code=code),
            "supplier_id": supplier.pk if supplier else None,
            "award_amount": _award_amount(row, notes) if supplier else None,
        }
        if process is None:
            if rup:
                notes.append(
                    f"rencana dengan kode RUP {rup} tahun {year} tidak ditemukan; "
                    "paket dibuat dari data tender"
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
                notes.append(f"kode RUP {rup} sudah dipakai paket lain (tender ulang?)")
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
                **tender_fields,
            )
            report.add(line, code, CREATED, notes)
            continue
        links = {"tender_code": tender_fields.pop("tender_code")}
        if rup and not process.rup_code and (process.agency_id, year, rup) not in codes_taken:
            links["rup_code"] = rup  # a package an earlier import made without it
            codes_taken.add((process.agency_id, year, rup))
        change = writer.update(process, tender_fields, key=code, forced=links)
        report.add(
            line,
            code,
            UPDATED if change else UNCHANGED,
            notes,
            changes=change.changes,
            conflicts=change.conflicts,
        )
    writer.save()
    places.record_unresolved()
    return report


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
    processes = {p.tender_code: p for p in Process.objects.filter(tender_code__in=codes)}
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
            report.add(
                line, key, SKIPPED, [f"milik {process.agency.name}, bukan perangkat daerah Anda"]
            )
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
    Bidder.objects.bulk_create(new, batch_size=1000)
    Bidder.objects.bulk_update(changed, ["bid_amount", "corrected_amount"], batch_size=1000)
    from contracts import completeness

    completeness.refresh(sorted(touched))
    return report


def shared_files():
    folder = settings.BASE_DIR / "imports" / "data" / "bojonegoro"
    return folder / "lpse_tender_2018-2020.csv", folder / "lpse_peserta_2018.csv"
