"""What the apps above contracts add to contracts' public pages.

The home page holds the citizens' satisfaction poll and the package page the citizens' report
form, both participation's. contracts sits below participation (its rows point at Process), so
it does not import them: participation registers, in its AppConfig.ready(), a function giving
the context it adds to a page, the way integrity and alerts follow contracts.pipeline.

Pages: "beranda" (called with the request) and "paket" (with the request and the package).
"""

PAGES = ("beranda", "paket")

_extras = {page: [] for page in PAGES}


def add(page, function):
    """Let `function(request, **page_arguments)` return a dict added to `page`'s context."""
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; the pages are {PAGES}")
    if function not in _extras[page]:
        _extras[page].append(function)


def extras(page, request, **arguments):
    """The context every registered app adds to `page`, merged in registration order."""
    context = {}
    for function in _extras[page]:
        context.update(function(request, **arguments))
    return context
