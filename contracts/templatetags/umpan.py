"""The address of a selection's Atom feed, for the pages that link to it (contracts.feeds)."""

from django import template
from django.urls import reverse

from contracts.filters import PackageFilter

register = template.Library()


@register.simple_tag
def umpan(params=None, **filters):
    """`/feed/paket/?…` for the list's selection `params` (PackageFilter.params) and/or the
    filters named as in the list's query string (`penyedia=12`, `kecamatan="Balen"`); the
    sort, which a feed does not follow, left out."""
    query = PackageFilter(params={**(params or {}), **filters}).query_string(urut=None)
    url = reverse("contracts:feed")
    return f"{url}?{query}" if query else url
