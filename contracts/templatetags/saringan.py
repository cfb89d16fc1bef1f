"""The public list's heading and its filters' count, for templates (contracts.list_heading)."""

from django import template

from contracts.list_heading import active_filters, describe

register = template.Library()


@register.simple_tag
def judul_daftar(params):
    """{% judul_daftar params %}: the list's heading naming the active filters."""
    return describe(params)


@register.filter
def jumlah_saringan(params):
    """{{ params|jumlah_saringan }}: how many filters are in use."""
    return active_filters(params)
