"""The address of a package's kecamatan page, for the package page's "Lokasi"."""

from django import template
from django.urls import reverse

from contracts import kecamatan as places

register = template.Library()


@register.simple_tag
def kecamatan_url(name):
    """The path of the page of the register's kecamatan that `name` (a package's stored
    kecamatan, any common spelling) names ("/kecamatan/sumberejo/"), or "" when the register
    has no such kecamatan. One query."""
    found = places.find(name) if name else None
    return reverse("contracts:kecamatan-detail", args=[places.slug(found)]) if found else ""
