from django.conf import settings
from django.urls import NoReverseMatch, reverse

# The public navigation, in order. A section appears once its pages exist, so the header
# never links to a page that is not there.
NAVIGATION = [
    ("Beranda", "home"),
    ("Paket", "contracts:process-list"),
    ("Perangkat Daerah", "agencies:agency-list"),
    ("Tanda", "integrity:summary"),
    ("Data Terbuka", "opendata:index"),
    ("Tentang", "about"),
]


def _navigation(path):
    items = []
    for label, url_name in NAVIGATION:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        current = path == url if url == "/" else path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return items


def portal(request):
    """The publisher's identity and the navigation, for every page."""
    navigation = _navigation(request.path)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Staff see their own way in beside the public sections.
        if user.is_supervisor or user.is_administrator:
            navigation.append(_item("Pengawasan", "dashboards:matrix", request.path))
        elif user.is_operator:
            navigation.append(_item("Tugas saya", "dashboards:todo", request.path))
        if user.is_supervisor or user.is_administrator or user.is_operator:
            navigation.append(_item("Laporan warga", "participation:open-reports", request.path))
    return {"portal": settings.PORTAL, "navigation": navigation}


def _item(label, url_name, path):
    url = reverse(url_name)
    return {"label": label, "url": url, "current": path.startswith(url)}
