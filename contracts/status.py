"""A package's state in plain words: the work on the ground apart from the data about it.

Citizens read "belum lengkap" as "the work is not finished" when it means "the data is not
complete", so the public pages say the two things in two sentences:

- the **work** ("Pekerjaan: selesai 12 Mei 2019", "Pekerjaan: berjalan, progres fisik 60,5%
  per 3 Maret 2019", "Pekerjaan: belum ada kontrak tercatat (data sampai tahap pemilihan
  penyedia)", "Pekerjaan: dibatalkan"), from what the package's data says happened, and
  nothing more: a 2018 tender with no later data is not "belum dimulai", it is a package whose
  data stops at the tender;
- the **data** ("Data: 3 dari 5 tahap lengkap"), from the stored completeness
  (`StageCompleteness`, kept by `contracts.completeness.refresh`).

`card_figures()` gives the annotations a list needs to say both (and the contract value as
amended) in the list's own query, so a card costs no query of its own.
"""

import re
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from contracts.models import (
    STAGE_ORDER,
    Method,
    ProgressReport,
    Stage,
    StageCompleteness,
    Status,
)
from contracts.templatetags.rupiah import decimal_here
from opendata_kontrak.text import page_date

# The work's states, as a CSS modifier and for tests; the sentence is what people read.
DONE, ONGOING, NO_REPORT, NOT_STARTED, CANCELLED, NO_CONTRACT, NO_WINNER = (
    "selesai",
    "berjalan",
    "belum-ada-laporan",
    "belum-dimulai",
    "dibatalkan",
    "belum-ada-kontrak",
    "tanpa-pemenang",
)
# How far the data of a package without a contract goes, by the stage it reached.
DATA_UP_TO = {
    Stage.PLANNING: gettext_lazy("tahap perencanaan"),
    Stage.TENDER: gettext_lazy("tahap pemilihan penyedia"),
    Stage.AWARD: gettext_lazy("penetapan pemenang"),
}
# What the LPSE import remembers of a tender's stage (imports.common.LPSE_STAGE; a test holds
# the two in step), and LPSE's words for a tender that is over ("Tender Sudah Selesai").
LPSE_STAGE = "lpse_tahap"
LPSE_FINISHED = re.compile(r"\bselesai\b", re.I)


@dataclass(frozen=True)
class WorkStatus:
    """`state`: one of DONE, ONGOING, NO_REPORT, NOT_STARTED, CANCELLED; `text`: the sentence."""

    state: str
    text: str

    def __str__(self):
        return self.text


@dataclass(frozen=True)
class DataStatus:
    """`complete` of `required` stages have all their required data and documents; `text`:
    the sentence. `required` is 0 when the completeness was never computed."""

    complete: int
    required: int
    text: str

    def __str__(self):
        return self.text


def has_contract(process):
    """Whether the data records a contract (any of its number, signing date, value, start)."""
    return bool(
        process.contract_number
        or process.contract_signed
        or process.contract_amount is not None
        or process.contract_start
    )


def work_status(process, *, latest_report, today):
    """What the data says of the work of `process`, as a WorkStatus.

    `latest_report`: (date, physical percent as Decimal) of the latest progress report (by
    date), or None; `today`: the day of reading in Asia/Jakarta (`jakarta_today()`).

    The first rule that applies decides:
    1. withdrawn (status `withdrawn`: the plan or the tender was cancelled) -> dibatalkan;
    2. a hand-over (PHO/BAST) date -> selesai on that date: the PPK received the work;
    3. a progress report at 100% physical progress -> selesai as of that report, saying the
       hand-over is not recorded yet;
    4. any other progress report -> berjalan, with its physical percent (decimal comma) and date;
    5. a contract whose start is after today -> belum dimulai, with the start date;
    6. a contract without a report (or only payments) -> NO_REPORT: "sudah berkontrak, belum
       ada laporan progres" (never guessed as running or finished from the dates alone);
    7. Swakelola (no supplier, no contract): belum dimulai while only planned for a fiscal
       year that has not begun, else NO_REPORT (saying when the data stops at the plan);
    8. no contract, no winner, and LPSE says the tender is over ("Tender Sudah Selesai") ->
       NO_WINNER: "tender selesai tanpa pemenang tercatat" (a failed tender, as far as the
       data goes; never "belum dimulai");
    9. a plan for a fiscal year that has not begun -> belum dimulai;
    10. any other package without a contract -> NO_CONTRACT: "belum ada kontrak tercatat",
        with the stage its data reaches (perencanaan, pemilihan penyedia, penetapan pemenang).
        The data does not say whether the work began, so the sentence does not either.

    The LPSE stage is the `lpse_stage` annotation of `card_figures()` when present, else the
    package's `source_values`.
    """
    if process.status == Status.WITHDRAWN:
        return WorkStatus(CANCELLED, _("Pekerjaan: dibatalkan"))
    if process.pho_date:
        return WorkStatus(
            DONE,
            _("Pekerjaan: selesai %(date)s (serah terima PHO/BAST)")
            % {"date": page_date(process.pho_date)},
        )
    if latest_report is not None:
        date, percent = latest_report
        if percent >= 100:
            return WorkStatus(
                DONE,
                _(
                    "Pekerjaan: selesai, progres fisik 100%% per %(date)s "
                    "(serah terima belum tercatat)"
                )
                % {"date": page_date(date)},
            )
        return WorkStatus(
            ONGOING,
            _("Pekerjaan: berjalan, progres fisik %(percent)s%% per %(date)s")
            % {"percent": decimal_here(percent), "date": page_date(date)},
        )
    if has_contract(process):
        if process.contract_start and process.contract_start > today:
            return WorkStatus(
                NOT_STARTED,
                _("Pekerjaan: belum dimulai, kontrak mulai %(date)s")
                % {"date": page_date(process.contract_start)},
            )
        if process.contract_start:
            return WorkStatus(
                NO_REPORT,
                _("Pekerjaan: sudah berkontrak mulai %(date)s, belum ada laporan progres")
                % {"date": page_date(process.contract_start)},
            )
        return WorkStatus(NO_REPORT, _("Pekerjaan: sudah berkontrak, belum ada laporan progres"))
    planned = process.stage_reached == Stage.PLANNING
    year_ahead = bool(process.fiscal_year) and process.fiscal_year > today.year
    if process.method == Method.SELF_MANAGED:
        if planned and year_ahead:
            return WorkStatus(
                NOT_STARTED,
                _("Pekerjaan: belum dimulai (swakelola, rencana tahun anggaran %(year)s)")
                % {"year": process.fiscal_year},
            )
        if planned:
            return WorkStatus(
                NO_REPORT,
                _(
                    "Pekerjaan: swakelola, belum ada laporan progres "
                    "(data sampai tahap perencanaan)"
                ),
            )
        return WorkStatus(NO_REPORT, _("Pekerjaan: swakelola, belum ada laporan progres"))
    lpse = _lpse_stage(process)
    if not process.supplier_id and lpse and LPSE_FINISHED.search(lpse):
        return WorkStatus(
            NO_WINNER,
            _(
                "Pekerjaan: belum ada kontrak tercatat. Tender selesai tanpa pemenang tercatat "
                "(LPSE: %(stage)s)"
            )
            % {"stage": lpse},
        )
    if planned and year_ahead:
        return WorkStatus(
            NOT_STARTED,
            _("Pekerjaan: belum dimulai (rencana tahun anggaran %(year)s)")
            % {"year": process.fiscal_year},
        )
    reached = DATA_UP_TO.get(process.stage_reached)
    if reached:
        return WorkStatus(
            NO_CONTRACT,
            _("Pekerjaan: belum ada kontrak tercatat (data sampai %(stage)s)") % {"stage": reached},
        )
    return WorkStatus(NO_CONTRACT, _("Pekerjaan: belum ada kontrak tercatat"))


def _lpse_stage(process):
    """The tender stage LPSE last gave for `process` (text), or None."""
    if hasattr(process, "lpse_stage"):
        return process.lpse_stage
    return (process.source_values or {}).get(LPSE_STAGE)


def data_status(*, complete, required):
    """The completeness of a package's data as a DataStatus.

    `complete`: stages that apply to the package's method and have every required field and
    document; `required`: stages that apply (5, fewer when the method is exempt from some, e.g.
    Swakelola has no selection); both int, or None when never computed."""
    complete, required = complete or 0, required or 0
    if not required:
        return DataStatus(0, 0, _("Data: kelengkapan belum dihitung"))
    figures = {"complete": complete, "required": required}
    if required == len(STAGE_ORDER):
        if complete == required:
            text = _("Data: semua %(required)s tahap lengkap") % figures
        else:
            text = _("Data: %(complete)s dari %(required)s tahap lengkap") % figures
    elif complete == required:
        text = _("Data: semua %(required)s tahap yang berlaku lengkap") % figures
    else:
        text = _("Data: %(complete)s dari %(required)s tahap yang berlaku lengkap") % figures
    return DataStatus(complete, required, text)


def card_figures():
    """Annotations for a queryset of Process: `latest_progress_percent` (Decimal) and
    `latest_progress_date` of the latest progress report, `stages_required` and
    `stages_complete` (int) from the stored completeness, `amended_amount` (Rupiah): the
    contract value as the latest addendum that set one left it, else the value as signed, and
    `lpse_stage` (text or None): the tender stage LPSE last gave.
    Each a correlated subquery: the list stays one query however many cards it shows."""
    from contracts.amendments import amended_amount_of

    latest = ProgressReport.objects.filter(process_id=OuterRef("pk")).order_by("-date", "-pk")
    stages = (
        StageCompleteness.objects.filter(process_id=OuterRef("pk"), is_required=True)
        .order_by()
        .values("process_id")
    )
    return {
        "latest_progress_percent": Subquery(latest.values("physical_percent")[:1]),
        "latest_progress_date": Subquery(latest.values("date")[:1]),
        "stages_required": Subquery(
            stages.annotate(n=Count("pk")).values("n"), output_field=IntegerField()
        ),
        "stages_complete": Subquery(
            stages.annotate(n=Count("pk", filter=Q(is_complete=True))).values("n"),
            output_field=IntegerField(),
        ),
        "amended_amount": Coalesce(amended_amount_of("pk"), "contract_amount"),
        "lpse_stage": KeyTextTransform(LPSE_STAGE, "source_values"),
    }


def package_status(process, *, today):
    """(WorkStatus, DataStatus) of a Process annotated with `card_figures()`."""
    percent = getattr(process, "latest_progress_percent", None)
    latest = (process.latest_progress_date, percent) if percent is not None else None
    return (
        work_status(process, latest_report=latest, today=today),
        data_status(
            complete=getattr(process, "stages_complete", None),
            required=getattr(process, "stages_required", None),
        ),
    )


# What the importers remember on a package beside the fields (imports.common.PLAN_ACTIVE and
# LPSE_STAGE; a test holds the two in step): the source that last said something of it.
IMPORT_SOURCES = {"sirup_status_aktif": "SiRUP", LPSE_STAGE: "LPSE"}

# The events a package's data dates, latest wins; later in the list wins a tie (a PHO signed on
# the day of the last report is the news). The labels stay Indonesian here; the page translates
# the one it shows (contracts/_package_updated.html).
EVENTS = [
    ("tender_announced", gettext_noop("pengumuman pemilihan penyedia")),
    ("bid_deadline", gettext_noop("batas pemasukan penawaran")),
    ("award_date", gettext_noop("penetapan pemenang")),
    ("contract_signed", gettext_noop("penandatanganan kontrak")),
    ("contract_start", gettext_noop("mulai kontrak")),
    ("last_amendment", gettext_noop("adendum kontrak")),
    ("last_payment", gettext_noop("pembayaran")),
    ("last_report", gettext_noop("laporan progres")),
    ("pho_date", gettext_noop("serah terima pertama (PHO/BAST)")),
    ("fho_date", gettext_noop("serah terima akhir (FHO)")),
]


def imported_from(process):
    """The sources an import brought `process` from, as words in the active language ("SiRUP",
    "SiRUP dan LPSE"; "SiRUP and LPSE"), or "" for a package an operator entered."""
    names = [name for key, name in IMPORT_SOURCES.items() if key in process.source_values]
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s dan %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def latest_event(process, *, last_dates, today):
    """(label, date) of the latest event the data of `process` records up to `today`, or None.

    `last_dates`: {"last_amendment", "last_payment", "last_report": date or None}, the latest
    of each row kind (`last_row_dates`). A date after today (a contract that starts next month)
    is a plan, not an event, and is left out. This, not `updated_at`, says how current an
    imported package is: its `updated_at` is the day of the import."""
    found = None
    for name, label in EVENTS:
        date = last_dates.get(name) if name.startswith("last_") else getattr(process, name)
        if date and date <= today and (found is None or date >= found[1]):
            found = (label, date)
    return found


def last_row_dates(process):
    """{"last_amendment", "last_payment", "last_report": date or None} of `process`, one query."""
    from django.db.models import Max

    from contracts.models import Amendment, Payment

    def latest(model):
        return Subquery(
            model.objects.filter(process_id=OuterRef("pk"))
            .order_by()
            .values("process_id")
            .annotate(d=Max("date"))
            .values("d")
        )

    return (
        type(process)
        .objects.filter(pk=process.pk)
        .values(
            last_amendment=latest(Amendment),
            last_payment=latest(Payment),
            last_report=latest(ProgressReport),
        )
        .get()
    )
