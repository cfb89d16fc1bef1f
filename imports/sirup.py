"""SiRUP procurement-plan exports (RUP penyedia) -> packages at the planning stage."""

import datetime

from django.conf import settings
from django.utils import timezone

from agencies.places import PlaceResolver
from contracts.models import Process, Status
from imports import values
from imports.common import (
    ANOTHER_AGENCYS,
    LPSE_STAGE,
    PLAN_ACTIVE,
    PLAN_CANCELLED_REASON,
    AgencyMatcher,
    ProcessWriter,
    findable,
    fit_to_columns,
    lpse_overrides_inactive_plan,
    method_notes,
    out_of_scope,
    plan_withdrawal,
    republished,
    withdrawn_by_import,
)
from imports.lpse import lpse_system
from imports.progress import QUIET
from imports.report import CREATED, SKIPPED, ImportReport

REQUIRED_COLUMNS = [
    "kode_rup",
    "nama_paket",
    "pagu_rup",
    "metode_pemilihan",
    "jenis_pengadaan",
    "sumber_dana",
    "nama_satker",
    "id_satker",
    "tahun",
]

CANCELLED_REASON = PLAN_CANCELLED_REASON


def read_plan(row, places):
    """The package fields a SiRUP row gives, and notes on what could not be read."""
    notes = []

    def attempt(reader, value, default):
        try:
            return reader(value)
        except values.Unreadable as problem:
            notes.append(str(problem))
            return default

    method, original = values.method(row.get("metode_pemilihan"))
    method_notes(method, original, notes)
    category, mixed = attempt(values.category, row.get("jenis_pengadaan"), ("", False))
    if mixed:
        notes.append(
            f"jenis pengadaan campuran ({values.text(row.get('jenis_pengadaan'))[:80]}); "
            "dipakai yang pertama"
        )
    # An unreadable pagu stops the row (read_plan's caller skips it); an empty one leaves the
    # package's pagu as it is, and a new package without one waits as a draft (import_plans).
    budget = values.amount(row.get("pagu_rup"))
    start = attempt(values.date, row.get("awal_pekerjaan"), None)
    end = attempt(values.date, row.get("akhir_pekerjaan"), None)
    if start and end and start > end:
        notes.append(f"jadwal terbalik ({start} sesudah {end}): akhir pekerjaan dikosongkan")
        end = None
    details = values.split(row.get("detail_lokasi"))
    fields = {
        "title": values.text(row.get("nama_paket")),
        "description": values.text(row.get("deskripsi")),
        "program_name": values.text(row.get("program")),
        "program_code": values.text(row.get("kode_string_program")),
        "activity_name": values.text(row.get("kegiatan")),
        "activity_code": values.text(row.get("kode_string_kegiatan")),
        "account_code": "; ".join(values.split(row.get("mak"))),
        "budget_amount": budget,
        "funding_sources": values.funding(row.get("sumber_dana")),
        "category": category,
        "method": method,
        "method_original": values.original_term(method, original),
        **places.fields_for("; ".join(details)),
        "location_detail": "; ".join(details),
        "planned_start": start,
        "planned_end": end,
        "pa_kpa_name": values.text(row.get("nama_kpa")),
        "pa_kpa_nip": attempt(values.nip, row.get("nip_kpa"), ""),
        "ppk_name": values.text(row.get("nama_ppk")),
        "ppk_nip": attempt(values.nip, row.get("nip_ppk"), ""),
    }
    if budget is None:
        del fields["budget_amount"]
    fit_to_columns(fields, notes)
    return fields, notes


def publication(row):
    """Status fields: announced plans are public, cancelled ones withdrawn with the reason."""
    try:
        updated = values.date(row.get("tanggal_terakhir_update"))
    except values.Unreadable:
        updated = None
    moment = (
        timezone.make_aware(datetime.datetime.combine(updated, datetime.time(12)))
        if updated
        else timezone.now()
    )
    if values.text(row.get("status_aktif")).lower() == "tidak":
        return plan_withdrawal(moment)
    if values.text(row.get("status_umumkan")).lower() == "sudah":
        return {"status": Status.PUBLISHED, "published_at": moment}
    return {"status": Status.DRAFT}


def _latest_rows(rows, report):
    """One row per kode RUP: the one SiRUP updated last; the others are reported."""
    chosen = {}
    for line, row in rows:
        code = values.code(row.get("kode_rup"))
        stamp = values.text(row.get("tanggal_terakhir_update"))
        if code in chosen and chosen[code][2] >= stamp:
            report.add(
                line,
                code,
                SKIPPED,
                [f"kode RUP {code} muncul lagi; dipakai baris {chosen[code][0]} yang lebih baru"],
            )
            continue
        if code in chosen:
            old_line = chosen[code][0]
            report.add(
                old_line,
                code,
                SKIPPED,
                [f"kode RUP {code} muncul lagi; dipakai baris {line} yang lebih baru"],
            )
        chosen[code] = (line, row, stamp)
    return sorted(chosen.values(), key=lambda item: item[0])


def import_plans(
    rows, *, by=None, scope=None, filename="sirup.csv", take_source=frozenset(), progress=QUIET
):
    report = ImportReport(kind="sirup", filename=filename)
    matcher = AgencyMatcher()
    writer = ProcessWriter(by=by, source=f"impor SiRUP {filename}", take_source=take_source)
    places = PlaceResolver()
    candidates = []
    for line, row in rows:
        code = values.code(row.get("kode_rup"))
        if not code.isdigit():
            report.add(line, code, SKIPPED, [f"kode RUP {code!r} kosong atau bukan angka"])
            continue
        if not values.text(row.get("nama_paket")):
            report.add(line, code, SKIPPED, ["nama paket kosong"])
            continue
        try:
            year = values.count(row.get("tahun"))
        except values.Unreadable as problem:
            report.add(line, code, SKIPPED, [str(problem)])
            continue
        if not year or not 2000 <= year <= 2100:
            report.add(line, code, SKIPPED, [f"tahun {row.get('tahun')!r} tidak masuk akal"])
            continue
        agency = matcher.find(satker_id=row.get("id_satker"), name=row.get("nama_satker"))
        if agency is None:
            report.add(
                line,
                code,
                SKIPPED,
                [
                    f"perangkat daerah {values.text(row.get('nama_satker'))!r} "
                    f"(id satker {values.text(row.get('id_satker'))}) tidak ada di register"
                ],
            )
            continue
        if out_of_scope(agency, scope):
            report.add(line, code, SKIPPED, [f"milik {agency.name}, bukan perangkat daerah Anda"])
            continue
        candidates.append((line, {**row, "_agency": agency, "_year": year}))

    kept = _latest_rows(candidates, report)
    # A kode RUP is unique nationally: a package with this code and year is this plan's,
    # whichever agency a tender import filed it under and whichever came first.
    existing = {}
    for process in findable(
        Process.objects.filter(rup_code__in=[values.code(row["kode_rup"]) for _, row, _ in kept]),
        scope,
    ).order_by("pk"):
        existing.setdefault((process.fiscal_year, process.rup_code), []).append(process)
    for line, row, _ in kept:
        progress.row(report)
        code = values.code(row["kode_rup"])
        agency, year = row["_agency"], row["_year"]
        try:
            fields, notes = read_plan(row, places)
        except values.Unreadable as problem:
            report.add(line, code, SKIPPED, [f"{problem}: baris tidak diimpor, perbaiki pagunya"])
            continue
        if "title" not in fields:
            report.add(line, code, SKIPPED, notes)
            continue
        process, problem = _package_of(existing.get((year, code), []), agency, scope, notes)
        if problem:
            report.add(line, code, SKIPPED, [*notes, problem])
            continue
        forced = {}
        if process is not None and process.agency_id != agency.pk:
            notes.append(
                f"paket dari impor tender tercatat di {process.agency.name}; "
                f"dipindah ke {agency.name} sesuai rencananya"
            )
            forced["agency_id"] = agency.pk
        if process is None:
            status = publication(row)
            if "budget_amount" not in fields and status["status"] == Status.PUBLISHED:
                # Never a published package without its pagu: kept, as a draft.
                status = {"status": Status.DRAFT}
                notes.append(
                    "pagu kosong atau nol: paket disimpan sebagai draf; isi pagunya lalu "
                    "publikasikan"
                )
            writer.create(
                agency=agency,
                fiscal_year=year,
                rup_code=code,
                **fields,
                **status,
                facts=_facts(row),
            )
            report.add(line, code, CREATED, notes)
            continue
        if "budget_amount" not in fields:
            notes.append("pagu kosong atau nol di berkas: pagu paket tidak diubah")
        status = publication(row)
        if status["status"] == Status.WITHDRAWN:
            # A plan cancelled in SiRUP is withdrawn here too, unless LPSE shows its tender won
            # or running (the RUP revised after the tender): the two sources disagree, said on
            # the row. Other status changes stay ours.
            lpse_says = lpse_overrides_inactive_plan(
                system=lpse_system(process) if process.tender_code else "",
                stage=process.source_values.get(LPSE_STAGE),
                winner=process.supplier_id is not None,
            )
            if lpse_says:
                notes.append(lpse_says)
                if withdrawn_by_import(process):
                    forced.update(republished(process))
            elif process.status != Status.WITHDRAWN:
                if process.published_at:
                    status.pop("published_at")
                forced.update(status)
        change = writer.update(process, fields, key=code, forced=forced, facts=_facts(row))
        report.add_update(line, code, change, notes)
    progress.tell(report)  # every row has its outcome; the writing follows
    writer.save()
    places.record_unresolved()
    report.rows.sort(key=lambda result: result.line)
    return report


def _facts(row):
    """What the package remembers of the plan beside its fields: whether SiRUP says active."""
    return {PLAN_ACTIVE: values.text(row.get("status_aktif")).lower() or None}


def _package_of(matches, agency, scope, notes):
    """(the package a plan row updates or None, a reason to skip the row or "")."""
    if not matches:
        return None, ""
    own = [p for p in matches if p.agency_id == agency.pk]
    if len(matches) > 1:
        notes.append(
            f"{len(matches)} paket memakai kode RUP dan tahun ini; yang diperbarui yang pertama. "
            "Gabungkan dengan manage.py merge_doubles"
        )
    if own:
        return own[0], ""
    if scope is not None:
        # An operator's file never moves another agency's package into their own.
        return None, ANOTHER_AGENCYS
    return matches[0], ""


def shared_file():
    return settings.BASE_DIR / "imports" / "data" / "bojonegoro" / "sirup_rup_penyedia_2018.csv"
