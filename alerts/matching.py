"""Which subscriptions a set of changes concerns.

A subscription to the list's filters is matched by the list's own rule: the packages that
changed are filtered with `PackageFilter(params).conditions()` over the public packages
(`Process.objects.published()`, so a sample beside real data never matches), exactly as the
list would show them now. Subscriptions with the same filters are evaluated once, and the
distinct filters UNION-ed a batch at a time: a day of changes against thousands of filters is
a few dozen queries, not one per subscription. A subscription to one package is matched by
its id, over the packages in open data, so a withdrawn package still tells its followers it
was withdrawn. A package withdrawn in the batch (a `ditarik` change) has left the public list:
it is matched over open data (`Process.objects.open_data()`, published and withdrawn, the one
rule) so that the list's, kecamatan's, supplier's and search's followers, who were told of it,
are told it was withdrawn too.

Scope `peluang` (opportunities) takes only new plans and tenders: a package first published
at Perencanaan or Pemilihan, and a package reaching Pemilihan — and the withdrawal of a
package still at Perencanaan or Pemilihan (a tender its followers may be preparing for).
"""

import json
from collections import defaultdict

from django.db.models import Q, Value
from django.db.models.expressions import RawSQL

from alerts.models import ChangeKind, Scope
from contracts.filters import PackageFilter, with_lookups
from contracts.models import Process, Stage, Status

# Distinct filters per UNION query: large enough to save round trips, small enough for the
# planner to plan each part quickly.
FILTERS_PER_QUERY = 100

OPPORTUNITY_STAGES = (Stage.PLANNING, Stage.TENDER)


def is_opportunity(change, stage_now=None):
    """Whether `change` is news for a supplier looking for work: a new plan or tender, a
    package whose supplier selection has begun, or the withdrawal of a package at
    Perencanaan or Pemilihan (`stage_now`: the package's stage reached, a Stage value)."""
    stage = (change.detail or {}).get("tahap")
    if change.kind == ChangeKind.WITHDRAWN:
        return stage_now in OPPORTUNITY_STAGES
    if change.kind == ChangeKind.NEW:
        return stage in OPPORTUNITY_STAGES
    return change.kind == ChangeKind.STAGE and stage == Stage.TENDER


def params_key(params):
    """One text per distinct filter set (order of keys and 2019 vs "2019" aside)."""
    return json.dumps({k: str(v) for k, v in params.items()}, sort_keys=True)


def _read(params):
    """The stored filters read again as the list reads its address: a value it would refuse
    (stored by an older version, or by hand) is dropped, as the list drops it, rather than
    failing the whole run."""
    return PackageFilter.from_query({name: str(value) for name, value in params.items()})


def _changed(process_ids):
    # One array parameter, not one per id: an import's thousands of ids, a hundred times over.
    return RawSQL("SELECT unnest(%s::bigint[])", (sorted(process_ids),))


def matching_packages(filters, process_ids, withdrawn_ids=(), stages=None):
    """{params_key: set of process ids} — of the public packages among `process_ids`, and of
    the packages in open data among `withdrawn_ids` (withdrawn in this batch), those each
    filter set of `filters` (an iterable of PackageFilter.params dicts) lists. `stages`, a
    dict if given, is filled with {process id: stage reached} of the packages found."""
    distinct = {params_key(params): params for params in filters}
    found = {key: set() for key in distinct}
    if not distinct or not process_ids:
        return found
    if withdrawn_ids:
        packages = Process.objects.open_data().filter(
            Q(status=Status.PUBLISHED) | Q(pk__in=_changed(withdrawn_ids))
        )
    else:
        packages = Process.objects.published()
    base = with_lookups(packages.filter(pk__in=_changed(process_ids)))
    keys = list(distinct)
    for start in range(0, len(keys), FILTERS_PER_QUERY):
        chunk = keys[start : start + FILTERS_PER_QUERY]
        parts = [
            base.filter(_read(distinct[key]).conditions())
            .order_by()
            .annotate(filter_index=Value(start + offset))
            .values_list("filter_index", "pk", "stage_reached")
            for offset, key in enumerate(chunk)
        ]
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for index, pk, stage in query:
            found[keys[index]].add(pk)
            if stages is not None:
                stages[pk] = stage
    return found


def match(changes, subscriptions):
    """{subscription pk: [its changes, in the order given]} for `changes` (Change rows) and
    `subscriptions` (Subscription rows: active ones, as the caller chose them). Subscriptions
    no change concerns are left out."""
    by_process = defaultdict(list)
    order = {}
    for position, change in enumerate(changes):
        order[change] = position
        by_process[change.process_id].append(change)
    if not by_process:
        return {}
    filtered = [s for s in subscriptions if s.process_id is None]
    followed = [s for s in subscriptions if s.process_id is not None and s.process_id in by_process]
    withdrawn = {c.process_id for c in changes if c.kind == ChangeKind.WITHDRAWN}
    stages = {}
    packages = matching_packages(
        (s.params for s in filtered), set(by_process), withdrawn_ids=withdrawn, stages=stages
    )
    shown = set()
    if followed:
        shown = set(
            Process.objects.filter(pk__in={s.process_id for s in followed})
            .open_data()
            .values_list("pk", flat=True)
        )
    matched = {}
    for subscription in filtered + followed:
        if subscription.process_id is not None:
            ids = {subscription.process_id} & shown
        else:
            ids = packages[params_key(subscription.params)]
        concerning = sorted(
            (
                change
                for process_id in ids
                for change in by_process[process_id]
                if subscription.scope != Scope.OPPORTUNITIES
                or is_opportunity(change, stages.get(process_id))
            ),
            key=order.__getitem__,
        )
        if concerning:
            matched[subscription.pk] = concerning
    return matched
