"""The change pipeline (contracts.pipeline): after a package changes, its steps run once, in
the order the module declares, and the apps above contracts follow through what they
registered in their AppConfig.ready()."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from agencies.models import Agency
from alerts.models import Change, ChangeKind
from contracts import completeness, pipeline, services
from contracts.models import Release
from integrity.models import Flag, PackageFlag
from tests.factories import make_operator, make_process, planning_fields


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"))


@pytest.fixture
def heard(monkeypatch):
    """The names of the steps and events as they run, in order; each still does its work."""
    order = []

    def recording(name, function):
        def run(*args, **kwargs):
            order.append(name)
            return function(*args, **kwargs)

        return run

    for name, function in list(pipeline._steps.items()):
        monkeypatch.setitem(pipeline._steps, name, recording(name, function))
    for event, functions in pipeline._listeners.items():
        monkeypatch.setitem(pipeline._listeners, event, [recording(event, f) for f in functions])
    return order


def test_every_step_and_event_is_registered_and_documented():
    # Registered by contracts, integrity and alerts at start-up; the docstring is the one
    # place that says what happens after a change, so each name must be in it.
    assert set(pipeline._steps) == set(pipeline.STEPS)
    assert all(pipeline._listeners[event] for event in pipeline.EVENTS)
    for name in (*pipeline.STEPS, *pipeline.EVENTS):
        assert f'"{name}"' in pipeline.__doc__ or f"`{name}`" in pipeline.__doc__


@pytest.mark.django_db
def test_a_publication_runs_releases_then_alerts_then_flags_then_the_cache(operator, heard):
    # HPS above the budget: a flag appears at publication, so both events are announced.
    process = make_process(
        operator.agency,
        **{**planning_fields(), "budget_amount": 1_000_000_000, "hps_amount": 1_100_000_000},
    )
    heard.clear()
    services.publish_process(process=process, by=operator)

    assert heard == ["releases", "releases_captured", "flags", "flags_raised", "cache"]
    # And each did its work: a release, the flag, and the followers' two changes.
    assert Release.objects.filter(process=process).count() == 1
    assert PackageFlag.objects.filter(process=process, flag=Flag.HPS_ABOVE_BUDGET).exists()
    kinds = set(Change.objects.filter(process=process).values_list("kind", flat=True))
    assert {ChangeKind.NEW, ChangeKind.FLAG} <= kinds


@pytest.mark.django_db
def test_a_draft_change_touches_no_release_and_only_the_drafts_cache(operator, heard, monkeypatch):
    process = make_process(operator.agency, **planning_fields())
    bumped = []
    monkeypatch.setattr(
        "contracts.public_cache.changed",
        lambda *, public=True, years=None: bumped.append((public, years)),
    )
    heard.clear()
    completeness.refresh([process.pk])
    # The steps run (nothing of a draft is in open data, so no release and no event).
    assert heard == ["releases", "flags", "cache"]
    assert bumped == [(False, {process.fiscal_year})]
    assert not Release.objects.filter(process=process).exists()


@pytest.mark.django_db
def test_a_requirements_refresh_skips_releases_and_flags_per_chunk(operator, heard):
    process = make_process(operator.agency, **planning_fields())
    heard.clear()
    completeness.refresh([process.pk], releases=False, flags=False)
    assert heard == ["cache"]
    heard.clear()
    completeness.refresh_all(chunk_size=1)
    # Each package's chunk bumps the cache; the flags of all, once, then the cache again.
    assert heard[-2:] == ["flags", "cache"]
    assert heard.count("flags") == 1


def test_a_step_no_app_registered_is_an_error_not_a_silent_skip(monkeypatch):
    monkeypatch.delitem(pipeline._steps, "flags")
    with pytest.raises(ImproperlyConfigured, match="flags"):
        pipeline.flags_changed([1])


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown pipeline step"):
        pipeline.step("search")
    with pytest.raises(ValueError, match="unknown pipeline event"):
        pipeline.listen("published", print)
