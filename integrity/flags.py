"""Computing red flags for published packages, stored in PackageFlag rows.

Some flags read one package (single bidder, short tender, amounts against HPS and pagu, a
Pengadaan Langsung above its limit, a late stage without its documents); two read a group —
the packages one agency gave one supplier in one fiscal year (repeated wins, Pengadaan
Langsung that together pass the limit). So a change to a package recomputes its whole agency
and year. Each flag carries its reason in words and the numbers behind it.

The reasons are sentences stored with the flag (PackageFlag.reason), written in Indonesian with
the Indonesian forms of money and dates (opendata_kontrak.text), whatever language a page or
worker runs in: stored data, shown as stored on the English pages too (issue #23). The flags'
labels are translated where shown (contracts.flag_codes).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from contracts import pipeline, public_cache
from contracts.amendments import amended_end_of
from contracts.deadlines import due_date
from contracts.models import (
    STAGE_ORDER,
    Bidder,
    Method,
    Process,
    Stage,
    StageCompleteness,
    Status,
)
from contracts.templatetags.rupiah import angka, desimal, rupiah
from integrity.models import Flag, PackageFlag, Threshold
from opendata_kontrak import bulk
from opendata_kontrak.text import long_date

TENTH = Decimal("0.1")
OPEN_TENDERS = {Method.TENDER, Method.QUICK_TENDER}
COMPETITIVE = {Method.TENDER, Method.QUICK_TENDER, Method.SELECTION}


@dataclass
class Found:
    flag: str
    reason: str
    figures: dict
    threshold: Threshold | None = None


class Thresholds:
    """Every threshold row, read once per refresh."""

    def __init__(self, rows):
        self.rows = defaultdict(list)
        for row in rows:
            self.rows[row.flag].append(row)

    @classmethod
    def load(cls):
        return cls(Threshold.objects.all())

    def find(self, flag, date, *, category="", method=""):
        """The most specific threshold of `flag` in force on `date`, or None."""
        candidates = [
            row
            for row in self.rows.get(flag, [])
            if row.applies(date, category=category, method=method)
        ]
        candidates.sort(key=lambda row: (bool(row.category) + bool(row.method), row.valid_from))
        return candidates[-1] if candidates else None


def reference_date(process):
    """The date a package's rules are read at: its tender, else its plan, else its year."""
    return (
        process.tender_announced
        or process.award_date
        or process.contract_signed
        or process.planned_start
        or datetime.date(process.fiscal_year, 1, 1)
    )


def direct_value(process):
    """What a Pengadaan Langsung is worth: its contract, award, HPS, else its pagu."""
    for label, amount in [
        ("nilai kontrak", process.contract_amount),
        ("nilai penetapan", process.award_amount),
        ("HPS", process.hps_amount),
        ("pagu", process.budget_amount),
    ]:
        if amount:
            return label, amount
    return None, None


def _percent(part, whole):
    return round(100 * part / whole, 1)


def _share_above(part, whole, threshold):
    """`part` as a percentage of `whole` for a reason's text, written with a decimal comma
    ("96,2"), known to lie above `threshold` percent and below 100: one decimal cut toward
    zero, so that what is under the whole never reads "100", and rounded up instead where
    cutting would land on the threshold, so that it never reads as the threshold itself."""
    exact = Decimal(100 * part) / Decimal(whole)
    share = exact.quantize(TENTH, rounding=ROUND_DOWN)
    if share <= threshold:
        share = exact.quantize(TENTH, rounding=ROUND_UP)
    return desimal(share)


def _excess(amount, limit, limit_name):
    """How far `amount` passes `limit`, in Rupiah and, where it is at least a tenth of a
    percent, as a share of the limit: 'sebesar Rp 4.364' or 'sebesar Rp 50.000.000 (5% di atas
    HPS)'. The amount as a rounded share of the limit would read "100%" for one that passes."""
    over = Decimal(100 * (amount - limit)) / Decimal(limit)
    share = over.quantize(TENTH, rounding=ROUND_DOWN)
    text = f"sebesar {rupiah(amount - limit)}"
    return f"{text} ({desimal(share)}% di atas {limit_name})" if share > 0 else text


def _near(price, hps, threshold):
    """A price close to the HPS in words: its share of the HPS and what is left below it (or
    how far it passes the HPS, where the threshold above the HPS allows some)."""
    if price == hps:
        return f"sama dengan HPS {rupiah(hps)}"
    if price > hps:
        return f"melebihi HPS {rupiah(hps)} {_excess(price, hps, 'HPS')}"
    return (
        f"adalah {_share_above(price, hps, threshold)}% dari HPS {rupiah(hps)}, "
        f"hanya {rupiah(hps - price)} di bawahnya"
    )


def package_flags(process, thresholds, *, bidder_count, missing_documents, today):
    """The flags one package earns on its own. `process` carries `amended_end` (annotated with
    contracts.amendments.amended_end_of)."""
    found = []
    date = reference_date(process)
    method, category = process.method, process.category

    tenderers = process.number_of_tenderers or bidder_count
    rule = thresholds.find(Flag.SINGLE_BIDDER, date, method=method)
    if method in OPEN_TENDERS and rule and tenderers and tenderers <= rule.value:
        found.append(
            Found(
                Flag.SINGLE_BIDDER,
                f"{process.get_method_display()} ini diikuti {tenderers} peserta saja: "
                "tidak ada persaingan harga.",
                {"peserta": tenderers},
                rule,
            )
        )

    if method in COMPETITIVE and process.tender_announced and process.bid_deadline:
        days = (process.bid_deadline - process.tender_announced).days
        rule = thresholds.find(Flag.SHORT_TENDER, date, method=method)
        if rule and days < rule.value:
            found.append(
                Found(
                    Flag.SHORT_TENDER,
                    f"Dari pengumuman ({long_date(process.tender_announced)}) sampai batas "
                    f"penawaran ({long_date(process.bid_deadline)}) hanya {angka(days)} hari; "
                    f"ambangnya {angka(rule.value)} hari.",
                    {"hari": days, "ambang_hari": rule.value},
                    rule,
                )
            )

    hps, budget = process.hps_amount, process.budget_amount
    # The price agreed: the contract's, else the award's (LPSE publishes awards, not contracts).
    label, price = (
        ("Nilai kontrak", process.contract_amount)
        if process.contract_amount
        else ("Nilai penetapan", process.award_amount)
    )
    if hps and price:
        share = _percent(price, hps)
        rule = thresholds.find(Flag.CONTRACT_ABOVE_HPS, date)
        near = thresholds.find(Flag.CONTRACT_NEAR_HPS, date)
        figures = {"nilai": price, "dasar_nilai": label.lower(), "hps": hps, "persen": share}
        if rule and price * 100 > hps * rule.value:
            found.append(
                Found(
                    Flag.CONTRACT_ABOVE_HPS,
                    f"{label} {rupiah(price)} melebihi HPS {rupiah(hps)} "
                    f"{_excess(price, hps, 'HPS')}.",
                    figures,
                    rule,
                )
            )
        elif near and price * 100 > hps * near.value:
            found.append(
                Found(
                    Flag.CONTRACT_NEAR_HPS,
                    f"{label} {rupiah(price)} {_near(price, hps, near.value)}; "
                    f"penawaran di atas {near.value}% dari HPS jarang bersaing.",
                    figures,
                    near,
                )
            )
    if hps and budget:
        rule = thresholds.find(Flag.HPS_ABOVE_BUDGET, date)
        if rule and hps * 100 > budget * rule.value:
            found.append(
                Found(
                    Flag.HPS_ABOVE_BUDGET,
                    f"HPS {rupiah(hps)} melebihi pagu {rupiah(budget)} "
                    f"{_excess(hps, budget, 'pagu')}.",
                    {"hps": hps, "pagu": budget, "persen": _percent(hps, budget)},
                    rule,
                )
            )

    if method == Method.DIRECT_PROCUREMENT:
        label, amount = direct_value(process)
        rule = thresholds.find(Flag.DIRECT_ABOVE_LIMIT, date, category=category)
        if rule and amount and amount > rule.value:
            found.append(
                Found(
                    Flag.DIRECT_ABOVE_LIMIT,
                    f"Pengadaan Langsung dengan {label} {rupiah(amount)}, di atas batasnya "
                    f"{rupiah(rule.value)} untuk {process.get_category_display() or 'jenis ini'}.",
                    {"nilai": amount, "dasar_nilai": label, "batas": rule.value},
                    rule,
                )
            )

    if missing_documents:
        rule = thresholds.find(Flag.OVERDUE_MISSING, today)
        late = []
        reached = STAGE_ORDER.index(process.stage_reached)
        for stage in STAGE_ORDER[: reached + 1]:
            due = due_date(process, stage, amended_end=process.amended_end)
            documents = missing_documents.get(stage)
            if rule and documents and due and (today - due).days > rule.value:
                late.append((stage, due, documents))
        if late:
            parts = [
                f"{Stage(stage).label} (lewat {angka((today - due).days)} hari sejak "
                f"{long_date(due)}): {', '.join(documents)}"
                for stage, due, documents in late
            ]
            found.append(
                Found(
                    Flag.OVERDUE_MISSING,
                    "Dokumen wajib belum diunggah padahal tahapnya sudah lewat: "
                    + "; ".join(parts)
                    + ".",
                    {
                        "tahap": [
                            {"tahap": s, "jatuh_tempo": d.isoformat(), "dokumen": docs}
                            for s, d, docs in late
                        ]
                    },
                    rule,
                )
            )
    return found


def group_flags(members, thresholds):
    """Flags of the packages one agency gave one supplier in one fiscal year: {pk: [Found]}."""
    found = defaultdict(list)
    if not members:
        return found
    latest = max(reference_date(p) for p in members)
    rule = thresholds.find(Flag.REPEAT_WINNER, latest)
    if rule and len(members) >= rule.value:
        supplier = members[0].supplier
        for process in members:
            found[process.pk].append(
                Found(
                    Flag.REPEAT_WINNER,
                    f"{supplier.name} memenangi {len(members)} paket dari "
                    f"{process.agency.name} pada tahun anggaran {process.fiscal_year}.",
                    {"paket": len(members), "ocid": sorted(p.ocid for p in members)},
                    rule,
                )
            )
    by_category = defaultdict(list)
    for process in members:
        if process.method == Method.DIRECT_PROCUREMENT:
            by_category[process.category].append(process)
    for category, direct in by_category.items():
        if len(direct) < 2:
            continue
        rule = thresholds.find(
            Flag.DIRECT_ABOVE_LIMIT, max(reference_date(p) for p in direct), category=category
        )
        total = sum(direct_value(p)[1] or 0 for p in direct)
        if rule and total > rule.value:
            for process in direct:
                found[process.pk].append(
                    Found(
                        Flag.DIRECT_SPLIT,
                        f"{len(direct)} Pengadaan Langsung {process.get_category_display()} "
                        f"dari {process.agency.name} kepada {process.supplier.name} pada tahun "
                        f"{process.fiscal_year} berjumlah {rupiah(total)}, di atas batas satu "
                        f"Pengadaan Langsung {rupiah(rule.value)}.",
                        {
                            "paket": len(direct),
                            "jumlah": total,
                            "batas": rule.value,
                            "ocid": sorted(p.ocid for p in direct),
                        },
                        rule,
                    )
                )
    return found


def refresh(process_ids, *, today=None):
    """Recompute the flags of every published package sharing an agency and year with these."""
    process_ids = list(process_ids)
    if not process_ids:
        return 0
    groups = set(Process.objects.filter(pk__in=process_ids).values_list("agency_id", "fiscal_year"))
    scope = Q()
    for agency_id, year in groups:
        scope |= Q(agency_id=agency_id, fiscal_year=year)
    packages = Process.objects.filter(scope) if groups else Process.objects.none()
    return _recompute(packages, stale=process_ids, today=today)


def refresh_all(*, today=None, years=None):
    """Every package's flags, one fiscal year at a time: memory holds one year, not ten.

    The flags of a group (an agency's year) never span two years, so each year is whole.
    """
    if years is None:
        years = Process.objects.order_by().values_list("fiscal_year", flat=True).distinct()
    years = sorted(years)
    count = sum(
        _recompute(Process.objects.filter(fiscal_year=year), stale=None, today=today)
        for year in years
    )
    # (A refresh of some packages is part of the completeness refresh, which does this.)
    public_cache.changed(years=years)
    return count


# What the rules read of a package (loading only these keeps a year's recompute fast; a rule
# reading another field would cost a query per package: test_flags pins the count).
FIELDS_READ = [
    "ocid",
    "title",
    "agency",
    "supplier",
    "agency__name",
    "agency__short_name",
    "supplier__name",
    "fiscal_year",
    "method",
    "category",
    "status",
    "stage_reached",
    "budget_amount",
    "hps_amount",
    "award_amount",
    "contract_amount",
    "number_of_tenderers",
    "planned_start",
    "planned_end",
    "contract_start",
    "contract_end",
    "tender_announced",
    "bid_deadline",
    "award_date",
    "contract_signed",
]


def _recompute(packages, *, stale, today):
    today = today or timezone.localdate()
    thresholds = Thresholds.load()
    published = list(
        packages.filter(status=Status.PUBLISHED)
        .select_related("agency", "supplier")
        .only(*FIELDS_READ)
        # The hand-over is late only after the end as amended (adendum waktu).
        .annotate(amended_end=amended_end_of())
    )
    ids = [p.pk for p in published]
    bidders = dict(
        Bidder.objects.filter(process_id__in=ids)
        .values_list("process_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    missing = defaultdict(dict)
    # Only the stages that lack a document (JSON containment, in the database).
    for process_id, stage, lacking in StageCompleteness.objects.filter(
        process_id__in=ids,
        is_required=True,
        is_complete=False,
        missing__contains=[{"kind": "document"}],
    ).values_list("process_id", "stage", "missing"):
        documents = [item["label"] for item in lacking if item.get("kind") == "document"]
        if documents:
            missing[process_id][stage] = documents
    rows = []
    winners = defaultdict(list)
    for process in published:
        for item in package_flags(
            process,
            thresholds,
            bidder_count=bidders.get(process.pk, 0),
            missing_documents=missing.get(process.pk),
            today=today,
        ):
            rows.append(_row(process.pk, item))
        if process.supplier_id and process.method != Method.SELF_MANAGED:
            winners[(process.agency_id, process.fiscal_year, process.supplier_id)].append(process)
    for members in winners.values():
        for pk, items in group_flags(members, thresholds).items():
            rows.extend(_row(pk, item) for item in items)
    with transaction.atomic():
        # One writer of flags at a time, until this transaction ends (transaction-level, so
        # safe behind a transaction pooler): two refreshes at once (the daily job and an
        # operator's refresh_flags, or a threshold edit's) would each delete what the other
        # has not yet committed and then both insert, failing on packageflag_once. Waiting
        # here, the second deletes the first's rows once they are committed.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('integrity.flags'))")
        doomed = PackageFlag.objects.filter(process__in=packages)
        if stale is not None:
            doomed = PackageFlag.objects.filter(Q(process__in=packages) | Q(process_id__in=stale))
        before = _delete_returning(doomed)
        bulk.copy_values(PackageFlag, ROW_COLUMNS, rows)
        _record_raised(before, {(row[0], row[1]) for row in rows})
    return len(rows)


def _delete_returning(doomed):
    """Delete these PackageFlag rows (nothing points at them, no signal listens) and return
    their (process_id, flag) pairs, in the one statement the delete costs anyway."""
    subquery, params = doomed.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(PackageFlag._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN ({subquery}) "  # noqa: S608 (compiled query)
            "RETURNING process_id, flag",
            params,
        )
        return set(cursor.fetchall())


def _record_raised(before, after):
    """Announce (contracts.pipeline `flags_raised`, heard by alerts: a `tanda` change each)
    the public packages' flags they did not have; `before`, `after`: sets of
    (process_id, flag code)."""
    raised = after - before
    if not raised:
        return
    # The one rule: a sample beside real data is flagged, never announced.
    public = set(
        Process.objects.filter(pk__in={pk for pk, _ in raised})
        .published()
        .values_list("pk", flat=True)
    )
    shown = {pair for pair in raised if pair[0] in public}
    pipeline.announce("flags_raised", pairs=shown, labels=dict(Flag.choices))


ROW_COLUMNS = ["process_id", "flag", "reason", "figures", "threshold_id"]


def _row(process_id, item):
    return (
        process_id,
        item.flag,
        item.reason,
        item.figures,
        item.threshold.pk if item.threshold else None,
    )
