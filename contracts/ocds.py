"""A package as OCDS 1.1.5: its compiled release, and validation against the official schemas.

Mapping (DOMAIN.md): the agency is the `buyer`; planning carries the budget (kode RUP, pagu in
IDR, program); the tender, the one award and the one contract become arrays of one; documents
keep their stage's section and their documentType (local codes documented in the README).
"""

import csv
import datetime
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone

from contracts.amendments import amended_contract
from contracts.models import Category, Method, Stage, Status
from contracts.npwp import ORG_ID_SCHEME
from contracts.templatetags.rupiah import desimal, persen_angka
from opendata_kontrak.languages import canonical_reverse

SCHEMA_DIR = Path(__file__).resolve().parent / "ocds" / "1.1.5"
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"

METHODS = {
    Method.TENDER: "open",
    Method.QUICK_TENDER: "open",
    Method.SELECTION: "selective",
    # E-Purchasing buys from suppliers already admitted to the e-catalogue.
    Method.E_PURCHASING: "limited",
    Method.DIRECT_PROCUREMENT: "direct",
    Method.DIRECT_APPOINTMENT: "direct",
    Method.EMERGENCY: "direct",
}
CATEGORIES = {
    Category.GOODS: "goods",
    Category.WORKS: "works",
    Category.CONSULTING: "services",
    Category.OTHER_SERVICES: "services",
}
STAGE_TAGS = {
    Stage.PLANNING: "planning",
    Stage.TENDER: "tender",
    Stage.AWARD: "award",
    Stage.CONTRACT: "contract",
    Stage.IMPLEMENTATION: "implementation",
}


def _datetime(value):
    """OCDS dates are date-times, written in the portal's convention: Western Indonesian Time
    with its offset (`2020-01-01T00:30:00+07:00`); a calendar date is taken at midnight there.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    moment = datetime.datetime.combine(value, datetime.time())
    return timezone.make_aware(moment, timezone.get_default_timezone()).isoformat()


def _is_date_field(key):
    return key == "date" or key.startswith("date") or key.endswith("Date")


def in_time_convention(data):
    """`data` (a release or any part of one) with every date-time field written in the
    portal's convention (`_datetime`): the same instants, spelled as the portal spells them now.

    Releases stored before the convention (documents' `datePublished` and release dates in
    UTC, `+00:00`) stay as they were published; this is how they are compared with the
    current state, so that a change of spelling is never taken for a change of the package."""
    if isinstance(data, dict):
        return {
            key: _in_convention(value)
            if _is_date_field(key) and isinstance(value, str)
            else in_time_convention(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [in_time_convention(item) for item in data]
    return data


def _in_convention(text):
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return text
    return _datetime(moment) if timezone.is_aware(moment) else text


def portal_url(route, pk):
    """The public address (PORTAL_BASE_URL) of a page or file of the portal, by its route: the
    canonical (Indonesian) one, so a release built in an English request says no /en/."""
    return f"{settings.PORTAL['BASE_URL']}{canonical_reverse(route, args=[pk])}"


def _money(amount):
    return {"amount": amount, "currency": "IDR"} if amount is not None else None


def _clean(value):
    """Drop empty fields, as OCDS wants absent rather than null or empty."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [item for item in (_clean(v) for v in value) if item not in (None, "", [], {})]
    return value


def agency_party(agency):
    """An agency as the `buyer` party.

    No organisation register in org-id.guide numbers Indonesia's regional agencies, so the
    identifier names no `scheme`: its `id` is the agency's satker id in LKPP's SiRUP when
    known (the README's open-data section says so), and it is left out otherwise.
    """
    return {
        "id": f"buyer-{agency.code}",
        "name": agency.name,
        "identifier": {"id": agency.sirup_id or None, "legalName": agency.name},
        "roles": ["buyer"],
    }


def supplier_party(supplier, roles):
    """A supplier as a party; its `id` (from the NPWP, else the row) is the same in every
    release. Its NPWP is its `identifier` under org-id.guide's ID-DJP scheme, as the 16
    digits the portal stores, only when the number passes its check digit."""
    return {
        "id": f"supplier-{supplier.npwp or supplier.pk}",
        "name": supplier.name,
        "identifier": {"scheme": ORG_ID_SCHEME, "id": supplier.npwp, "legalName": supplier.name}
        if supplier.npwp_passes_check
        else None,
        "address": {"streetAddress": supplier.address} if supplier.address else None,
        "roles": sorted(roles),
    }


def bids(process, bidders):
    """The bids extension's `bids` section: one `details` entry per bidder with a price.

    A bidder row without a price is a participant the LPSE export names, not a bid, and is
    left out. A bid's `value` is the corrected price (harga terkoreksi) when there is one,
    as the extension says a correction overwrites the value, else the price offered
    (penawaran); both stay in the API and the bulk CSV. The winner's bid is `valid`; the
    others carry no status, as the export does not say whether they passed evaluation.
    """
    details = []
    for bidder in bidders:
        amount = bidder.corrected_amount or bidder.bid_amount
        if not amount:
            continue
        party = supplier_party(bidder.supplier, {"tenderer"})
        details.append(
            {
                "id": f"penawaran-{party['id'].removeprefix('supplier-')}",
                "status": "valid" if bidder.supplier_id == process.supplier_id else None,
                "tenderers": [{"id": party["id"], "name": party["name"]}],
                "value": _money(amount),
            }
        )
    if not details:
        return None
    return {
        "statistics": [{"id": "penawaran", "measure": "bids", "value": len(details)}],
        "details": details,
    }


def _document(document):
    return {
        "id": str(document.pk),
        "documentType": document.document_type.ocds_code,
        "title": document.title or document.original_filename,
        "url": portal_url("contracts:document-download", document.pk),
        "datePublished": _datetime(document.uploaded_at),
        "format": "application/pdf",
        "language": "id",
    }


def _progress_photo(report, photo):
    """A photo of a progress report: a physicalProgressReport document whose format is the
    image's media type (image/jpeg or image/png), at its public URL."""
    return {
        "id": f"foto-kemajuan-{photo.pk}",
        "documentType": "physicalProgressReport",
        "title": f"Foto kemajuan pekerjaan {report.date.isoformat()}",  # i18n: data
        "description": f"Progres fisik {persen_angka(report.physical_percent)} pada "
        f"{report.date.isoformat()}",
        "url": portal_url("contracts:progress-photo", photo.pk),
        "datePublished": _datetime(photo.created_at),
        "format": photo.content_type,
        "language": "id",
    }


def _agency_document(document):
    """An agency document (DPA, Renja SKPD, …) as it appears in every package it covers: the
    same id and the one URL in each, never a copy."""
    description = ", ".join(
        part
        for part in (
            f"perubahan ke-{document.revision}" if document.revision else "",
            f"kode program {document.program_code}" if document.program_code else "",
            f"kode kegiatan {document.activity_code}" if document.activity_code else "",
            f"halaman {document.pages}" if document.pages else "",
        )
        if part
    )
    return {
        "id": f"opd-{document.pk}",
        "documentType": document.document_type.ocds_code,
        "title": document.title or document.original_filename,
        "description": f"Dokumen perangkat daerah TA {document.fiscal_year}"
        + (f" ({description})" if description else ""),
        "url": portal_url("contracts:agency-document-download", document.pk),
        "datePublished": _datetime(document.uploaded_at),
        "format": "application/pdf",
        "language": "id",
    }


def _local_date(moment):
    return timezone.localtime(moment).date()


def tender_status(process):
    """tenderStatus from the stage reached: `planned` while only planned, `active` during the
    selection, `complete` once a winner (or, for Swakelola, the implementing agreement) exists;
    a withdrawn package is `withdrawn` if it never reached the selection ("no further
    information under this ocid"), else `cancelled`."""
    if process.status == Status.WITHDRAWN:
        return "withdrawn" if process.stage_reached == Stage.PLANNING else "cancelled"
    if process.stage_reached == Stage.PLANNING:
        return "planned"
    if process.stage_reached == Stage.TENDER:
        return "active"
    return "complete"


def _milestone_status(due, met, today, withdrawn):
    """milestoneStatus, only as far as the data knows: `met` when it says the milestone
    happened by the day of the release; `notMet` when the package was withdrawn (it will not
    happen); `scheduled` while its due date is ahead. A due date passed with nothing recorded
    has no status: the work may well have started or ended, unreported (most direct purchases
    never reach LPSE), and "not met" would be a claim the data cannot make."""
    if met:
        return "met"
    if withdrawn:
        return "notMet"
    if due is None or due < today:
        return None
    return "scheduled"


def _milestone(identifier, title, kind, *, due, met, today, withdrawn=False):
    met = met if met and met <= today else None
    return {
        "id": identifier,
        "title": title,
        "type": kind,
        "dueDate": _datetime(due),
        "dateMet": _datetime(met),
        "status": _milestone_status(due, met, today, withdrawn),
    }


def _on_or_before(day, today):
    return day is not None and day <= today


def expects_final_handover(process):
    """Whether the package has a final hand-over (FHO) to come: works, which have a maintenance
    period, or any package with a maintenance end or an FHO recorded."""
    return bool(process.category == Category.WORKS or process.maintenance_end or process.fho_date)


def _handover_milestones(process, amended_end, today, withdrawn):
    """The provisional hand-over (PHO, the BAST; id `serah-terima` as before FHO was kept), due
    at the contract's end as amended; and, when one is expected, the final hand-over (FHO),
    due at the end of the maintenance period. Both `delivery`; `met` on their dates."""
    milestones = [
        {
            **_milestone(
                "serah-terima",
                "Serah terima pertama pekerjaan (PHO/BAST)",
                "delivery",
                due=amended_end,
                met=process.pho_date,
                today=today,
                withdrawn=withdrawn,
            ),
            "code": "PHO",
        }
    ]
    if expects_final_handover(process):
        milestones.append(
            {
                **_milestone(
                    "serah-terima-akhir",
                    "Serah terima akhir pekerjaan (FHO), setelah masa pemeliharaan",
                    "delivery",
                    due=process.maintenance_end,
                    met=process.fho_date,
                    today=today,
                    withdrawn=withdrawn,
                ),
                "code": "FHO",
            }
        )
    return milestones


def _planned_milestones(planned, progress, today, withdrawn):
    """The planned physical progress (kurva S) as `delivery` milestones coded
    `rencanaProgresFisik`, in the order entered: due at the period's end; `met` on the first
    report reaching the planned percent; `notMet` when a report dated on or after the due date
    is still below it (`dateModified`: that report's date); else `scheduled` while due after
    `today`. The description gives the plan and, once the period has ended, its actual progress
    and deviation (contracts.progress); a period not yet ended says so, with no deviation. Numbers
    in the Indonesian text have a decimal comma (87,5%)."""
    from contracts.progress import periods

    by_plan = {id(p.plan): p for p in periods(planned, progress, today=today)}
    reports = sorted(progress, key=lambda r: (r.date, r.pk or 0))
    milestones = []
    for plan in sorted(planned, key=lambda p: p.pk):
        reached = next(
            (r for r in reports if r.physical_percent >= plan.planned_percent and r.date <= today),
            None,
        )
        behind = next(
            (
                r
                for r in reports
                if plan.date <= r.date <= today and r.physical_percent < plan.planned_percent
            ),
            None,
        )
        period = by_plan[id(plan)]
        description = f"Rencana progres fisik kumulatif {persen_angka(plan.planned_percent)}"
        if not period.ended:
            description += "; belum jatuh tempo"
        elif period.report is not None:
            description += (
                f"; realisasi {persen_angka(period.report.physical_percent)} "
                f"(deviasi {desimal(period.deviation, signed=True)} poin persen)"
            )
        milestone = {
            "id": f"rencana-progres-{plan.pk}",
            "title": f"Rencana progres fisik {persen_angka(plan.planned_percent)}"
            + (f" ({plan.period})" if plan.period else ""),
            "description": description,
            "type": "delivery",
            "code": "rencanaProgresFisik",
            "dueDate": _datetime(plan.date),
        }
        if reached is not None:
            milestone.update(status="met", dateMet=_datetime(reached.date))
        elif withdrawn:
            milestone["status"] = "notMet"
        elif behind is not None:
            milestone.update(status="notMet", dateModified=_datetime(behind.date))
        elif not period.ended:
            milestone["status"] = "scheduled"
        milestones.append(milestone)
    return milestones


def _add_role(parties, party_id, role):
    parties[party_id]["roles"] = sorted({*parties[party_id]["roles"], role})


def _transactions(process, payments, payer, payee):
    """Payments as transactions: the SP2D number is the id (unique within the contract; a blank
    or repeated one falls back to the row's id). No `source`: it must be a URI and the treasury
    publishes none for an SP2D."""
    seen, transactions = set(), []
    for payment in payments:
        identifier = payment.sp2d_number.strip()
        if not identifier or identifier in seen:
            identifier = str(payment.pk)
            if identifier in seen:  # an SP2D number that happens to be another row's id
                identifier = f"pembayaran-{payment.pk}"
        seen.add(identifier)
        transactions.append(
            {
                "id": identifier,
                "date": _datetime(payment.date),
                "value": _money(payment.amount),
                "payer": payer,
                "payee": payee,
            }
        )
    return transactions


def _amendment_description(amendment, changes):
    """What an addendum changed, in Indonesian: "Adendum 01/ADD/2018: nilai kontrak
    Rp1.150.000.000 menjadi Rp1.250.000.000; akhir kontrak 2018-11-05 menjadi 2018-12-20"."""
    parts = []
    for change in changes:
        if isinstance(change.after, int):
            before = "-" if change.before is None else f"Rp{change.before:,}".replace(",", ".")
            after = f"Rp{change.after:,}".replace(",", ".")
        else:
            before = "-" if change.before is None else change.before.isoformat()
            after = change.after.isoformat()
        parts.append(f"{change.what} {before} menjadi {after}")
    head = f"Adendum {amendment.number}"
    return f"{head}: {'; '.join(parts)}" if parts else f"{head}: tanpa perubahan nilai atau waktu"


def package_state(
    process,
    *,
    as_of,
    documents=(),
    agency_documents=(),
    bidders=(),
    amendments=(),
    progress=(),
    payments=(),
    planned=(),
):
    """The package's public content as OCDS, without a release's `id`, `date` and `tag`.

    `as_of` (an aware datetime): the moment statuses that depend on dates (milestones, awards)
    are judged at, the date of the release that publishes them. Lists are passed in to avoid
    N+1. Every document appears: in its stage's section, or in `tender.documents` when that
    section is absent (award documents without an award, and so on). `agency_documents`: the
    AgencyDocuments covering the package, listed first in `planning.documents`."""
    today = _local_date(as_of)
    withdrawn = process.status == Status.WITHDRAWN
    agency = process.agency
    buyer_id = f"buyer-{agency.code}"
    parties = {buyer_id: agency_party(agency)}
    entity_id = None
    if process.procuring_entity:
        entity_id = f"entity-{agency.code}-{process.pk}"
        parties[entity_id] = {
            "id": entity_id,
            "name": process.procuring_entity,
            "roles": ["procuringEntity"],
        }
    supplier_roles = {}
    for bidder in bidders:
        supplier_roles.setdefault(bidder.supplier, set()).add("tenderer")
    if process.supplier:
        supplier_roles.setdefault(process.supplier, set()).add("supplier")
    for supplier, roles in supplier_roles.items():
        party = supplier_party(supplier, roles)
        parties[party["id"]] = party

    def ref(party_id):
        return {"id": party_id, "name": parties[party_id]["name"]}

    by_stage = {stage: [] for stage in STAGE_TAGS}
    for document in agency_documents:
        by_stage[document.stage].append(_agency_document(document))
    for document in documents:
        by_stage[document.stage].append(_document(document))
    for report in progress:
        by_stage[Stage.IMPLEMENTATION] += [_progress_photo(report, p) for p in report.photos.all()]
    has_contract = bool(
        process.contract_number or process.contract_amount or process.contract_signed
    )
    self_managed = process.method == Method.SELF_MANAGED
    started = process.contract_start or process.contract_signed
    state = {
        "ocid": process.ocid,
        "initiationType": "tender",
        "language": "id",
        "parties": None,  # filled below, once every party is known
        "buyer": ref(buyer_id),
        "planning": {
            "rationale": process.description,
            "budget": {
                "id": process.rup_code,
                "description": process.activity_name or process.title,
                "amount": _money(process.budget_amount),
                "project": process.program_name,
                "projectID": process.program_code,
            },
            # The activity's planned schedule: when the work is to start and to be delivered
            # (milestoneType has no "timeline"; these are the delivery's dates).
            "milestones": [
                _milestone(
                    "rencana-mulai",
                    "Rencana mulai",
                    "delivery",
                    due=process.planned_start,
                    met=started,
                    today=today,
                    withdrawn=withdrawn,
                )
                if process.planned_start
                else None,
                _milestone(
                    "rencana-selesai",
                    "Rencana selesai",
                    "delivery",
                    due=process.planned_end,
                    met=process.pho_date,
                    today=today,
                    withdrawn=withdrawn,
                )
                if process.planned_end
                else None,
            ],
            "documents": by_stage[Stage.PLANNING],
        },
    }
    tender_documents = by_stage[Stage.TENDER]
    if not self_managed:
        state["tender"] = {
            "id": process.tender_code or f"{process.ocid}-tender",
            "title": process.title,
            "status": tender_status(process),
            "value": _money(process.hps_amount),
            "procurementMethod": METHODS.get(process.method),
            "procurementMethodDetails": process.method_original or process.get_method_display(),
            "mainProcurementCategory": CATEGORIES.get(process.category),
            "additionalProcurementCategories": ["consultingServices"]
            if process.category == Category.CONSULTING
            else None,
            "tenderPeriod": {
                "startDate": _datetime(process.tender_announced),
                "endDate": _datetime(process.bid_deadline),
            },
            # Bids, not LPSE registrations: the parties listed as tenderers.
            "numberOfTenderers": len(bidders) or None,
            "numberOfRegistrations": process.number_of_tenderers,
            "tenderers": [ref(supplier_party(b.supplier, {"tenderer"})["id"]) for b in bidders],
            "procuringEntity": ref(entity_id) if entity_id else None,
            "documents": tender_documents,
        }
    else:
        state["tender"] = {
            "id": f"{process.ocid}-swakelola",
            "title": process.title,
            "status": tender_status(process),
            "procurementMethodDetails": "Swakelola",
            "mainProcurementCategory": CATEGORIES.get(process.category),
            "documents": tender_documents,
        }
    if withdrawn:
        state["tender"]["statusDetails"] = process.withdrawn_reason
    award_id = f"{process.ocid}-award"
    awards = []
    if process.supplier_id or process.award_amount or (has_contract and not self_managed):
        if withdrawn:
            award_status = "cancelled"
        elif has_contract or (
            process.supplier_id and (process.award_date is None or process.award_date <= today)
        ):
            award_status = "active"
        else:  # a value without a winner yet, or a decision dated after the release
            award_status = "pending"
        awards.append(
            {
                "id": award_id,
                "status": award_status,
                "date": _datetime(process.award_date),
                "value": _money(process.award_amount),
                "suppliers": [ref(supplier_party(process.supplier, {"supplier"})["id"])]
                if process.supplier
                else [],
                "documents": by_stage[Stage.AWARD],
            }
        )
    elif self_managed and has_contract:
        # Swakelola selects no supplier: the work goes to the agency's own implementing unit,
        # which is the award the agreement (the contract below) rests on.
        _add_role(parties, buyer_id, "supplier")
        award_id = f"{process.ocid}-swakelola"
        awards.append(
            {
                "id": award_id,
                "title": "Swakelola oleh perangkat daerah",  # i18n: data
                "status": "cancelled" if withdrawn else "active",
                "date": _datetime(process.contract_signed),
                "value": _money(process.contract_amount),
                "suppliers": [ref(buyer_id)],
                "documents": by_stage[Stage.AWARD],
            }
        )
    else:
        tender_documents += by_stage[Stage.AWARD]
    if awards:
        state["awards"] = awards
    if has_contract and awards:
        if withdrawn:
            contract_status = "cancelled"
        elif _on_or_before(process.fho_date, today) or (
            _on_or_before(process.pho_date, today) and not expects_final_handover(process)
        ):
            # Done by the release's date: handed over, and for works after the maintenance
            # period (FHO).
            contract_status = "terminated"
        elif process.contract_signed and process.contract_signed > today:
            contract_status = "pending"
        else:
            contract_status = "active"
        payee = (
            ref(supplier_party(process.supplier, {"supplier"})["id"]) if process.supplier else None
        )
        # Value and period as the addenda left them; each addendum says what it changed.
        amended = amended_contract(process, amendments)
        state["contracts"] = [
            {
                "id": process.contract_number or f"{process.ocid}-contract",
                "awardID": award_id,
                "status": contract_status,
                "value": _money(amended.amount),
                "dateSigned": _datetime(process.contract_signed),
                "period": {
                    "startDate": _datetime(process.contract_start),
                    "endDate": _datetime(amended.end),
                },
                "amendments": [
                    {
                        "id": str(a.pk),
                        "date": _datetime(a.date),
                        "description": _amendment_description(a, changes),
                        "rationale": a.description or f"Adendum nomor {a.number}",
                    }
                    for a, changes in amended.history
                ],
                # The kurva S agreed for the contract: one delivery milestone per planned point.
                "milestones": _planned_milestones(planned, progress, today, withdrawn),
                "documents": by_stage[Stage.CONTRACT],
                "implementation": {
                    "transactions": _transactions(process, payments, ref(buyer_id), payee),
                    # Created order, never re-sorted: a compile of the releases (ocdsmerge)
                    # keeps an array's objects in the order they first appeared, so the
                    # hand-over milestones, which appear together as the work starts, come
                    # first, and each progress report after those entered before it.
                    "milestones": (
                        _handover_milestones(process, amended.end, today, withdrawn)
                        # Once the work is under way (the implementation stage): its hand-over
                        # is due at the contract's end, met at the BAST.
                        if process.pho_date or progress or payments
                        else []
                    )
                    + [
                        {
                            "id": f"progres-{r.pk}",
                            "title": (
                                f"Progres fisik {persen_angka(r.physical_percent)}"  # i18n: data
                            ),
                            "description": f"Fisik {persen_angka(r.physical_percent)}, keuangan "
                            f"{persen_angka(r.financial_percent)}",
                            "type": "reporting",
                            "status": "met",  # a report received is a reporting milestone met
                            "dateMet": _datetime(r.date),
                        }
                        for r in sorted(progress, key=lambda r: r.pk)
                    ],
                    "documents": by_stage[Stage.IMPLEMENTATION],
                },
            }
        ]
    else:
        tender_documents += by_stage[Stage.CONTRACT] + by_stage[Stage.IMPLEMENTATION]
    if payments and "contracts" in state:
        # The parties a transaction names hold its roles (partyRole: payer, payee).
        _add_role(parties, buyer_id, "payer")
        if process.supplier:
            _add_role(parties, supplier_party(process.supplier, set())["id"], "payee")
    state["bids"] = bids(process, bidders)
    state["parties"] = list(parties.values())
    return _clean(state)


def compiled_release(process, *, releases, **lists):
    """The package's compiled release, as `ocdskit compile` makes it from `releases` (its
    release history, oldest first): the newest release's `date`, an `id` made of the ocid and
    that date, and the current data (as of that date), without the releases' explicit nulls.

    The date is written in the portal's convention (WIB, `_datetime`): for a newest release
    stored before it (in UTC), the same instant spelled in WIB."""
    return compiled_as_of(process, _in_convention(releases[-1]["date"]), **lists)


def compiled_as_of(process, newest, **lists):
    """compiled_release for a package whose newest release is dated `newest` (an ISO 8601
    date-time string), for readers that need no more of its history."""
    state = package_state(process, as_of=datetime.datetime.fromisoformat(newest), **lists)
    return {
        "ocid": process.ocid,
        "id": f"{process.ocid}-{newest}",
        "date": newest,
        "tag": ["compiled"],
        **state,
    }


def _stages(state, process):
    """{release tag of a stage: its content} for the stages `state` has, in stage order.

    The tender section belongs to the planning stage until the selection begins (a planned or
    withdrawn tender; always for Swakelola, which has no selection)."""
    tender = state.get("tender") or {}
    contracts = state.get("contracts") or []
    selection = process.method != Method.SELF_MANAGED and tender.get("status") not in (
        None,
        "planned",
        "withdrawn",
    )
    stages = {"planning": [state.get("planning"), None if selection else tender]}
    if selection:
        stages["tender"] = tender
    if state.get("awards"):
        stages["award"] = state["awards"]
    if contracts:
        stages["contract"] = [
            {key: value for key, value in contract.items() if key != "implementation"}
            for contract in contracts
        ]
    implementation = [
        contract["implementation"] for contract in contracts if contract.get("implementation")
    ]
    if implementation:
        stages["implementation"] = implementation
    return stages


def _cancelled(section):
    if isinstance(section, dict):
        return section.get("status") == "cancelled"
    return bool(section) and all(_cancelled(item) for item in section)


def _amendment_ids(contracts):
    return {
        amendment["id"]
        for contract in contracts or []
        for amendment in contract.get("amendments", [])
    }


def release_tags(previous, current, process):
    """releaseTag codes for a release of `current` after `previous` (states, without nulls;
    None for a package's first release): only for stages the release has.

    A stage new since `previous` earns its tag (`award`); a stage whose content changed earns
    its update tag (`tenderUpdate`), or its cancellation (`tenderCancellation`,
    `awardCancellation`) when it has just been cancelled. A planned tender's changes, its
    withdrawal included, are `planningUpdate`."""
    now = _stages(current, process)
    before = _stages(previous, process) if previous is not None else {}
    tags = []
    for stage, content in now.items():
        old = before.get(stage)
        if stage == "planning" and old and ("tender" in now) != ("tender" in before):
            # The tender just left (or re-entered) the planning stage: the plan itself counts.
            content, old = content[0], old[0]
        if stage not in before:
            tags.append(stage)
            if stage in ("tender", "award") and _cancelled(content):
                # First published already cancelled (a withdrawal in the same change).
                tags.append(f"{stage}Cancellation")
        elif content != old:
            cancelled = stage in ("tender", "award") and _cancelled(content)
            if cancelled and not _cancelled(old):
                tags.append(f"{stage}Cancellation")
            elif stage == "contract" and _amendment_ids(content) - _amendment_ids(old):
                # A new addendum (releaseTag: "changes to a contract through an amendment").
                tags.append("contractAmendment")
            else:
                tags.append(f"{stage}Update")
    # Only the parties or the buyer changed: an update of the furthest stage it has.
    return tags or [f"{list(now)[-1]}Update"]


# What stays when an object's fields are deleted: its identifiers (which the schema requires).
IDENTIFIERS = ("id", "awardID")


def _deleted(old):
    """`old` with every field it had deleted (null), its identifiers kept."""
    if isinstance(old, dict):
        return {key: value if key in IDENTIFIERS else _deleted(value) for key, value in old.items()}
    if isinstance(old, list) and old and all(isinstance(item, dict) for item in old):
        return [_deleted(item) for item in old]
    return None


def with_deletions(previous, current):
    """`current`, plus an explicit null for each field `previous` had and `current` lacks:
    OCDS deletes by null, so a compile of the releases forgets what an operator cleared.

    Objects in arrays are matched by `id`, as OCDS merges them. OCDS 1.1 cannot remove an
    object from an array: one that is gone keeps its identifiers, every other field null."""
    if isinstance(previous, dict) and isinstance(current, dict):
        merged = dict(current)
        for key, old in previous.items():
            merged[key] = with_deletions(old, current[key]) if key in current else _deleted(old)
        return merged
    identified = [
        isinstance(items, list) and items and all(isinstance(i, dict) and "id" in i for i in items)
        for items in (previous, current)
    ]
    if all(identified):
        before = {item["id"]: item for item in previous}
        ids = {item["id"] for item in current}
        return [
            with_deletions(before[item["id"]], item) if item["id"] in before else item
            for item in current
        ] + [_deleted(item) for item in previous if item["id"] not in ids]
    return current


def without_deletions(data):
    """A release's content without its nulls (and without objects whose every field but their
    identifiers was deleted): the package's state it published."""
    if isinstance(data, dict):
        kept = {k: without_deletions(v) for k, v in data.items()}
        kept = {k: v for k, v in kept.items() if v is not None}
        if len(kept) < len(data) and set(kept) <= set(IDENTIFIERS):
            return None
        return kept
    if isinstance(data, list):
        return [item for item in (without_deletions(v) for v in data) if item is not None]
    return data


# The official bids extension, at the tag whose schema the portal's bids section follows
# (its files vendored in opendata/extension/bids/ for offline checks).
BIDS_EXTENSION_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)


def publisher():
    """The package's `publisher`: the name, and the scheme, uid and URI set in PORTAL."""
    portal = settings.PORTAL
    return _clean(
        {
            "name": f"{portal['REGION_NAME']} — {portal['SITE_NAME']}",
            "scheme": portal["PUBLISHER_SCHEME"],
            "uid": portal["PUBLISHER_UID"],
            "uri": portal["PUBLISHER_URI"],
        }
    )


def publication_policy_url():
    return f"{settings.PORTAL['BASE_URL']}{canonical_reverse('opendata:policy')}"


def _package(uri):
    """What every release or record package says about itself and its publisher."""
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": _datetime(timezone.now()),
        "publisher": publisher(),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": publication_policy_url(),
    }


@cache
def _registry():
    from referencing import Registry, Resource

    resources = []
    for path in SCHEMA_DIR.glob("*.json"):
        contents = json.loads(path.read_text())
        resources.append(
            (
                SCHEMA_URL + path.name,
                Resource.from_contents(
                    contents,
                    default_specification=__import__("referencing.jsonschema").jsonschema.DRAFT4,
                ),
            )
        )
    return Registry().with_resources(resources)


# Formats OCDS uses that jsonschema checks only with optional libraries (rfc3987,
# rfc3339-validator): without them a non-URI `source` would pass unnoticed.
CHECKED_FORMATS = {"uri", "date-time"}


@cache
def validator(schema_name):
    """A Draft 4 validator of the OCDS schema `schema_name`, formats and closed codelists (the
    schema's `enum`s) included. Raises ImproperlyConfigured if a format cannot be checked."""
    from django.core.exceptions import ImproperlyConfigured
    from jsonschema import Draft4Validator, FormatChecker

    checker = FormatChecker()
    if missing := CHECKED_FORMATS - set(checker.checkers):
        raise ImproperlyConfigured(f"jsonschema cannot check these formats: {sorted(missing)}")
    schema = json.loads((SCHEMA_DIR / schema_name).read_text())
    return Draft4Validator(schema, registry=_registry(), format_checker=checker)


@cache
def _codelist_fields():
    """{field path in a release, array positions left out: (codelist file, is open)}."""
    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    fields = {}

    def walk(node, path):
        if "$ref" in node:
            node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
        if "codelist" in node:
            fields[path] = (node["codelist"], bool(node.get("openCodelist")))
        if isinstance(node.get("items"), dict):
            walk(node["items"], path)
        for key, child in node.get("properties", {}).items():
            if len(path) < 8:  # deeper than any codelist field; stops the schema's cycles
                walk(child, (*path, key))

    walk(schema, ())
    return fields


@cache
def _codes(codelist):
    with open(SCHEMA_DIR / "codelists" / codelist, newline="", encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def codelist_values(release):
    """Values of a release outside their codelist: {(field path, codelist, is open): {values}}.

    Closed codelists are also the schema's enums (schema_errors rejects them); values outside
    open ones are allowed (our local documentType codes) and reported."""
    found = {}

    def walk(value, path):
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, (*path, key))
        elif isinstance(value, list):
            for item in value:
                walk(item, path)
        elif path in _codelist_fields() and value is not None:
            codelist, is_open = _codelist_fields()[path]
            if str(value) not in _codes(codelist):
                found.setdefault(("/".join(path), codelist, is_open), set()).add(value)

    walk(release, ())
    return found


def schema_errors(document, schema_name="release-package-schema.json"):
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator(schema_name).iter_errors(document)
    ]


def release(process, **lists):
    """The release of a package that has none stored (data from before releases were kept):
    its current state, dated when it last changed."""
    date = _datetime(process.updated_at)
    state = package_state(process, as_of=process.updated_at, **lists)
    return {
        "ocid": process.ocid,
        "id": f"{process.ocid}-{process.updated_at:%Y%m%dT%H%M%S}",
        "date": date,
        "tag": release_tags(None, state, process),
        **state,
    }


def release_package(releases, *, uri):
    """A release package; its releases may carry the bids section and our extension's fields
    (registrations)."""
    return {
        **_package(uri),
        "extensions": [BIDS_EXTENSION_URL, red_flags_extension_url()],
        "releases": releases,
    }


def record_package_head(*, uri, packages):
    """A record package without its records: `packages` are the URLs of the release
    packages its records' releases come from (never the record package itself)."""
    return {
        **_package(uri),
        "extensions": [BIDS_EXTENSION_URL, red_flags_extension_url()],
        "packages": packages,
    }


def record_package(process, *, uri, packages, releases, flags=(), **lists):
    """The package's record: its release history and its compiled release with its flags.

    `packages`: the URLs of the release packages that publish `releases`."""
    return {
        **record_package_head(uri=uri, packages=packages),
        "records": [
            {
                "ocid": process.ocid,
                "releases": releases,
                "compiledRelease": with_red_flags(
                    compiled_release(process, releases=releases, **lists), flags
                ),
            }
        ],
    }


def red_flags_extension_url():
    return f"{settings.PORTAL['BASE_URL']}/data-terbuka/ekstensi/tanda/extension.json"


def with_red_flags(compiled, flags):
    """The red-flags extension: the package's current flags, on its compiled release only.

    Flags are the publisher's analysis of today's data, so they stay out of the release
    history (where a flag appearing with time would read like a change of the package).
    """
    items = [
        {
            "id": flag.flag,
            "title": flag.get_flag_display(),
            "description": flag.reason,
            "figures": flag.figures,
            "source": flag.threshold.source if flag.threshold else None,
        }
        for flag in sorted(flags, key=lambda f: f.flag)
    ]
    return {**compiled, "redFlags": _clean(items)} if items else compiled


# related_lists' keys: (the relation on Process, what each row joins).
RELATED = {
    "documents": ("documents", ["document_type"]),
    "bidders": ("bidders", ["supplier"]),
    "amendments": ("amendments", []),
    "progress": ("progress_reports", []),
    "planned": ("planned_progress", []),
    "payments": ("payments", []),
}


def related_lists(process):
    """The rows a release needs, for one package (prefetched ones are reused: with_related
    prefetches the agency's documents of every year, the package's are picked here)."""
    lists = {key: list(getattr(process, name).all()) for key, (name, _) in RELATED.items()}
    _add_progress_photos(lists["progress"])
    lists["agency_documents"] = [
        document for document in process.agency.agency_documents.all() if document.covers(process)
    ]
    return lists


def related_lists_of(process_ids):
    """related_lists for many packages at once, one query per kind of row:
    {process id: {"documents": [...], "bidders": [...], ...}}, rows in their models' order."""
    from contracts.models import Process

    lists = {pk: {key: [] for key in RELATED} for pk in process_ids}
    for key, (name, joined) in RELATED.items():
        relation = Process._meta.get_field(name)
        rows = relation.related_model.objects.filter(
            **{f"{relation.field.name}__in": list(lists)}
        ).select_related(*joined)
        for row in rows:
            lists[getattr(row, relation.field.attname)][key].append(row)
    _add_agency_documents(lists)
    _add_progress_photos([report for each in lists.values() for report in each["progress"]])
    return lists


def _add_progress_photos(reports):
    """Each progress report's photos, in one query for any number of reports (none when
    with_related already prefetched them)."""
    prefetch_related_objects(reports, "photos")


def _add_agency_documents(lists):
    """Each package's agency documents, in two queries for any number of packages."""
    from contracts.models import AgencyDocument, Process

    packages = list(Process.objects.filter(pk__in=list(lists)).only(*AGENCY_DOCUMENT_KEYS))
    for process in packages:
        lists[process.pk]["agency_documents"] = []
    if not packages:
        return
    documents = AgencyDocument.objects.filter(
        agency_id__in={p.agency_id for p in packages},
        fiscal_year__in={p.fiscal_year for p in packages},
    ).select_related("document_type")
    by_agency_year = {}
    for document in documents:
        by_agency_year.setdefault((document.agency_id, document.fiscal_year), []).append(document)
    for process in packages:
        lists[process.pk]["agency_documents"] = [
            document
            for document in by_agency_year.get((process.agency_id, process.fiscal_year), [])
            if document.covers(process)
        ]


# What AgencyDocument.covers reads of a package.
AGENCY_DOCUMENT_KEYS = ["agency_id", "fiscal_year", "program_code", "activity_code"]


def with_related(queryset):
    return queryset.select_related("agency", "supplier").prefetch_related(
        *("__".join([name, *joined]) for name, joined in RELATED.values()),
        "agency__agency_documents__document_type",
        "progress_reports__photos",
    )
