"""Real Chromium (Debian's build) driven by Playwright against a live portal.

Playwright runs an event loop in the test thread; Django refuses ORM calls from such a thread
unless told that this is intended.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps

from agencies.places import load_places
from agencies.register import load_register
from agencies.roles import sync_roles
from contracts.rules import seed_rules
from integrity.thresholds import seed_thresholds

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        # In CI a missing browser is a broken set-up, never a reason to test less.
        return
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if os.environ.get("CI") == "true" and not os.path.exists(CHROMIUM):
        pytest.fail(f"CI=true and Chromium is missing at {CHROMIUM}: .ci/run must install it")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture
def portal(live_server, transactional_db, settings):
    """The live portal with the data its migrations load (register, roles, rules, thresholds),
    which transactional tests flush away after them.

    The live server answers /static/ from the source folders (unhashed names), so its pages
    must ask for unhashed names too; the hashed, compressed set is tested in test_pages.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    load_register(path=settings.PORTAL["AGENCY_REGISTER"])
    load_places()
    sync_roles(apps)
    seed_rules(apps)
    seed_thresholds(apps)
    return live_server


@pytest.fixture
def console_errors(page):
    """Errors in the page's console, a refused Content-Security-Policy among them."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture
def axe_violations():
    """Run axe-core (the copy shipped in axe-playwright-python) on a page: WCAG A and AA rules."""
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()

    def check(page):
        # Evaluated by the driver, not added as a <script> tag: the portal's
        # Content-Security-Policy (rightly) refuses inline scripts.
        page.evaluate("() => {" + script + "\n}")
        result = page.evaluate(
            "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        )
        return [
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in result["violations"]
        ]

    return check


@pytest.fixture
def english_phone(browser):
    """A 360 x 740 phone page whose browser asks for English first: the pages' language tests
    show that only the address decides (an Indonesian address stays Indonesian)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    yield context.new_page()
    context.close()
