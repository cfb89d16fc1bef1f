"""A package as OCDS 1.1.5: its compiled release, and validation against the official schemas.

Mapping (DOMAIN.md): the agency is the `buyer`; planning carries the budget (kode RUP, pagu in
IDR, program); the tender, the one award and the one contract become arrays of one; documents
keep their stage's section and their documentType (local codes documented in the README).
"""

import datetime
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from contracts.models import Category, Method, Stage, Status
from contracts.npwp import ORG_ID_SCHEME

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
    """OCDS dates are date-times; a calendar date is taken at midnight, Jakarta time."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    moment = datetime.datetime.combine(value, datetime.time())
    return timezone.make_aware(moment, timezone.get_default_timezone()).isoformat()


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


def _documents(process, documents, stage):
    return [
        {
            "id": str(document.pk),
            "documentType": document.document_type.ocds_code,
            "title": document.title or document.original_filename,
            "url": f"{settings.PORTAL['BASE_URL']}/dokumen/{document.pk}/",
            "datePublished": _datetime(document.uploaded_at),
            "format": "application/pdf",
            "language": "id",
        }
        for document in documents
        if document.stage == stage
    ]


def compiled_release(process, *, documents=(), bidders=(), amendments=(), progress=(), payments=()):
    """The package's current state as one release; lists are passed in to avoid N+1."""
    agency = process.agency
    parties = {f"buyer-{agency.code}": agency_party(agency)}
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

    release = {
        "ocid": process.ocid,
        "id": f"{process.ocid}-{process.updated_at:%Y%m%dT%H%M%S}",
        "date": _datetime(process.updated_at),
        "tag": ["compiled"],
        "initiationType": "tender",
        "language": "id",
        "parties": list(parties.values()),
        "buyer": ref(f"buyer-{agency.code}"),
        "planning": {
            "rationale": process.description,
            "budget": {
                "id": process.rup_code,
                "description": process.activity_name or process.title,
                "amount": _money(process.budget_amount),
                "project": process.program_name,
                "projectID": process.program_code,
            },
            "milestones": [
                {
                    "id": "rencana-mulai",
                    "title": "Rencana mulai",
                    "type": "timeline",
                    "dueDate": _datetime(process.planned_start),
                }
                if process.planned_start
                else None,
                {
                    "id": "rencana-selesai",
                    "title": "Rencana selesai",
                    "type": "timeline",
                    "dueDate": _datetime(process.planned_end),
                }
                if process.planned_end
                else None,
            ],
            "documents": _documents(process, documents, Stage.PLANNING),
        },
    }
    if process.method != Method.SELF_MANAGED:
        release["tender"] = {
            "id": process.tender_code or f"{process.ocid}-tender",
            "title": process.title,
            "status": "complete" if process.supplier_id else "active",
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
            "numberOfTenderers": process.number_of_tenderers,
            "tenderers": [ref(supplier_party(b.supplier, {"tenderer"})["id"]) for b in bidders],
            "procuringEntity": ref(entity_id) if entity_id else None,
            "documents": _documents(process, documents, Stage.TENDER),
        }
    else:
        release["tender"] = {
            "id": f"{process.ocid}-swakelola",
            "procurementMethodDetails": "Swakelola",
            "mainProcurementCategory": CATEGORIES.get(process.category),
        }
    award_id = f"{process.ocid}-award"
    if process.supplier_id or process.award_amount:
        release["awards"] = [
            {
                "id": award_id,
                "status": "active",
                "date": _datetime(process.award_date),
                "value": _money(process.award_amount),
                "suppliers": [ref(supplier_party(process.supplier, {"supplier"})["id"])]
                if process.supplier
                else [],
                "documents": _documents(process, documents, Stage.AWARD),
            }
        ]
    if process.contract_number or process.contract_amount or process.contract_signed:
        release["contracts"] = [
            {
                "id": process.contract_number or f"{process.ocid}-contract",
                "awardID": award_id if "awards" in release else f"{process.ocid}-swakelola",
                "status": "terminated" if process.completion_date else "active",
                "value": _money(process.contract_amount),
                "dateSigned": _datetime(process.contract_signed),
                "period": {
                    "startDate": _datetime(process.contract_start),
                    "endDate": _datetime(process.contract_end),
                },
                "amendments": [
                    {
                        "id": str(a.pk),
                        "date": _datetime(a.date),
                        "description": a.description or a.number,
                        "rationale": a.number,
                    }
                    for a in amendments
                ],
                "documents": _documents(process, documents, Stage.CONTRACT),
                "implementation": {
                    "transactions": [
                        {
                            "id": str(p.pk),
                            "source": p.sp2d_number,
                            "date": _datetime(p.date),
                            "value": _money(p.amount),
                            "uri": None,
                        }
                        for p in payments
                    ],
                    "milestones": [
                        {
                            "id": f"progres-{r.pk}",
                            "title": f"Progres fisik {r.physical_percent}%",
                            "description": f"Fisik {r.physical_percent}%, keuangan "
                            f"{r.financial_percent}%",
                            "type": "reporting",
                            "status": "met",
                            "dateMet": _datetime(r.date),
                        }
                        for r in progress
                    ]
                    + (
                        [
                            {
                                "id": "serah-terima",
                                "title": "Serah terima pekerjaan (BAST)",
                                "type": "delivery",
                                "status": "met",
                                "dateMet": _datetime(process.completion_date),
                            }
                        ]
                        if process.completion_date
                        else []
                    ),
                    "documents": _documents(process, documents, Stage.IMPLEMENTATION),
                },
            }
        ]
    release["bids"] = bids(process, bidders)
    if process.status == Status.WITHDRAWN:
        release["tender"]["status"] = "withdrawn"
        release["tender"]["statusDetails"] = process.withdrawn_reason
    return _clean(release)


def release_tags(process):
    """The stages a package's release speaks of, up to the one it reached."""
    from contracts.models import STAGE_ORDER

    reached = STAGE_ORDER.index(process.stage_reached)
    return [STAGE_TAGS[stage] for stage in STAGE_ORDER[: reached + 1]]


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
    return f"{settings.PORTAL['BASE_URL']}{reverse('opendata:policy')}"


def _package(uri):
    """What every release or record package says about itself and its publisher."""
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": timezone.now().isoformat(),
        "publisher": publisher(),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": publication_policy_url(),
    }


def release_package(releases, *, uri):
    return {**_package(uri), "extensions": [BIDS_EXTENSION_URL], "releases": releases}


def record_package_head(*, uri, packages):
    """A record package without its records: `packages` are the URLs of the release
    packages its records' releases come from (never the record package itself)."""
    return {
        **_package(uri),
        "extensions": [BIDS_EXTENSION_URL, red_flags_extension_url()],
        "packages": packages,
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


@cache
def validator(schema_name):
    from jsonschema import Draft4Validator, FormatChecker

    schema = json.loads((SCHEMA_DIR / schema_name).read_text())
    return Draft4Validator(schema, registry=_registry(), format_checker=FormatChecker())


def schema_errors(document, schema_name="release-package-schema.json"):
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in validator(schema_name).iter_errors(document)
    ]


def release(process, **lists):
    """The package's latest release: its current state, tagged with the stages it reached."""
    data = compiled_release(process, **lists)
    data["tag"] = (
        release_tags(process) if process.status != Status.WITHDRAWN else ["tenderCancellation"]
    )
    return data


def record_package(process, *, uri, packages, releases, flags=(), **lists):
    """The package's record: its release history and its compiled release with its flags.

    `packages`: the URLs of the release packages that publish `releases`."""
    return {
        **record_package_head(uri=uri, packages=packages),
        "records": [
            {
                "ocid": process.ocid,
                "releases": releases,
                "compiledRelease": with_red_flags(compiled_release(process, **lists), flags),
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
    "payments": ("payments", []),
}


def related_lists(process):
    """The rows a release needs, for one package (prefetched ones are reused)."""
    return {key: list(getattr(process, name).all()) for key, (name, _) in RELATED.items()}


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
    return lists


def with_related(queryset):
    return queryset.select_related("agency", "supplier").prefetch_related(
        *("__".join([name, *joined]) for name, joined in RELATED.values())
    )
