"""What happens after packages change: the one announcement, and every step that follows it.

A service that changes packages (contracts.services, the imports, the register of places, a
requirements edit) calls `contracts.completeness.refresh`, which does the synchronous core the
page needs at once and then announces the change here, once, with `packages_changed`. The
steps, in this order (the order is this module's, not the order the apps happen to load in):

  In `completeness.refresh` itself (contracts, synchronous, before the announcement):
    0. completeness rows (StageCompleteness), the stage reached, `all_complete` and the search
       text of each package — one pass, one UPDATE.

  Announced by `packages_changed(process_ids, packages=..., public=..., years=...,
  releases=True, flags=True)`, run synchronously in the caller's transaction:
    1. "releases" (contracts.releases.capture, registered by contracts): a new OCDS release for
       each package in open data whose published state changed. Skipped with
       `releases=False` (only the requirements changed: nothing published changed).
       When it stored any (and records changes), it announces `releases_captured`
       (releases=[Captured...], now=...):
         1a. alerts (alerts.changes, registered by alerts): what each package's followers are
             told (baru, tahap, kontrak, dokumen, ditarik), one COPY; instant alerts are
             asked to run once the transaction commits.
    2. "flags" (integrity.flags.refresh, registered by integrity): the red flags of every
       published package sharing an agency and fiscal year with these. Skipped with
       `flags=False` (a caller refreshing many chunks recomputes them once at the end, with
       `flags_changed` or `all_flags_changed`).
       It announces `flags_raised` (pairs=..., labels=...) for flags newly raised on public
       packages:
         2a. alerts (alerts.changes, registered by alerts): a `tanda` change for each.
    3. "cache" (contracts.public_cache.changed, registered by contracts): a new data version,
       last, since releases and flags change what the pages show. `public=False`: only drafts
       changed, so only the supervisors' pages' version moves.

  `flags_changed(process_ids)` and `all_flags_changed()` announce steps 2 and 3 alone, for
  callers that skipped the flags per chunk (imports, requirements edits).

Why a registry and not imports: contracts sits below integrity and alerts (their models point
at contracts' Process), so contracts may not import them; they subscribe in their
`AppConfig.ready()`. A step declared here but not registered is an error at the first
announcement (a missing app would otherwise silently stop, say, the flags).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

# The steps of `packages_changed`, in the order they run.
STEPS = ("releases", "flags", "cache")
# Events announced by a step, for the apps above to follow (any number of listeners each).
EVENTS = ("releases_captured", "flags_raised")

_steps = {}
_listeners = {event: [] for event in EVENTS}


@dataclass(frozen=True)
class Change:
    """One announced change: `process_ids` (a list of Process ids; None: every package, after
    a change of the rules or thresholds); `packages`: those of them
    the caller has just read (with agency and supplier), or None; `public`: whether anything
    the public sees changed (False: only drafts); `years`: the fiscal years touched."""

    process_ids: list
    packages: list | None = None
    public: bool = True
    years: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class Captured:
    """One new stored release: its package (a Process), the published state before it (a dict
    without deletions, None for a first release), the state now, and the stage the previous
    release had reached (None for a first release)."""

    process: object
    before: dict | None
    current: dict
    previous_stage: str | None


def step(name):
    """Register the function of step `name` (one of STEPS); it is called with a Change.
    Used as a decorator-less call in an AppConfig.ready(): `pipeline.step("flags")(run)`."""
    if name not in STEPS:
        raise ValueError(f"unknown pipeline step {name!r}; the steps are {STEPS}")

    def register(function):
        _steps[name] = function
        return function

    return register


def listen(event, function):
    """Call `function(**payload)` whenever `event` (one of EVENTS) is announced. Registering the
    same function twice (ready() run again) keeps one."""
    if event not in EVENTS:
        raise ValueError(f"unknown pipeline event {event!r}; the events are {EVENTS}")
    if function not in _listeners[event]:
        _listeners[event].append(function)


def announce(event, **payload):
    """Tell every listener of `event` (see the module docstring for who listens to what)."""
    for function in _listeners[event]:
        function(**payload)


def _run(name, change):
    try:
        function = _steps[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"pipeline step {name!r} has no function: is the app that registers it installed?"
        ) from None
    function(change)


def packages_changed(
    process_ids, *, packages=None, public=True, years=(), releases=True, flags=True
):
    """Run the steps after a change of these packages (see the module docstring), in order."""
    change = Change(list(process_ids), packages, public, frozenset(years))
    if not change.process_ids:
        return
    if releases:
        _run("releases", change)
    if flags:
        _run("flags", change)
    _run("cache", change)


def all_flags_changed():
    """Steps 2 and 3 for every package (after the requirements changed: missing documents
    feed a flag), then the cache."""
    change = Change(None)
    _run("flags", change)
    _run("cache", change)


def flags_changed(process_ids):
    """Steps 2 and 3 alone: the flags of these packages' agency-years, then the cache."""
    change = Change(list(process_ids))
    if not change.process_ids:
        return
    _run("flags", change)
    _run("cache", change)
