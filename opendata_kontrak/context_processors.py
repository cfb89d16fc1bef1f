from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from opendata_kontrak.languages import page_in

# The public navigation, in order. A section appears once its pages exist, so the header
# never links to a page that is not there.
NAVIGATION = [
    (_("Beranda"), "home"),
    (_("Paket"), "contracts:process-list"),
    (_("Perangkat Daerah"), "agencies:agency-list"),
    (_("Tanda"), "integrity:summary"),
    (_("Data Terbuka"), "opendata:index"),
    (_("Tentang"), "about"),
]


def _navigation(path):
    items = []
    for label, url_name in NAVIGATION:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        # The home page is current on itself only ("/" or "/en/": every page starts so).
        current = path == url if url == reverse("home") else path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return items


def portal(request):
    """The publisher's identity, the navigation and this page in each language, for every
    page."""
    navigation = _navigation(request.path)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Staff see their own way in beside the public sections.
        if user.is_supervisor or user.is_administrator:
            navigation.append(_item(_("Pengawasan"), "dashboards:matrix", request.path))
        elif user.is_operator:
            navigation.append(_item(_("Tugas saya"), "dashboards:todo", request.path))
        if user.is_supervisor or user.is_administrator or user.is_operator:
            navigation.append(_item(_("Laporan warga"), "participation:open-reports", request.path))
    return {
        "portal": settings.PORTAL,
        "navigation": navigation,
        "language_links": _language_links(request),
    }


def _language_links(request):
    """Each language's form of this page: `code`, `name` (in that language, for the
    switcher), `url` (path and query), `absolute` (for hreflang), `current`, `default` (the
    x-default: Indonesian)."""
    active = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = page_in(request, code)
        links.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": url,
                "absolute": _absolute(request, url),
                "current": code == active,
                "default": code == settings.LANGUAGE_CODE,
            }
        )
    return links


def _absolute(request, url):
    """`url` with this request's scheme and host; the 400 page for a host the portal does not
    serve (DisallowedHost) has no host to name, so its alternates stay relative."""
    try:
        return request.build_absolute_uri(url)
    except DisallowedHost:
        return url


def _item(label, url_name, path):
    url = reverse(url_name)
    return {"label": label, "url": url, "current": path.startswith(url)}
