"""The public charts for templates whose views are shared: each tag returns a
`contracts.charts.BarChart` for `_partials/bar_chart.html`. The home page's tags read the
cached grouped figures only when the page's cached fragment is rendered anew; the agency's and
the supplier's charts are drawn from rows their pages have already read."""

from django import template

from contracts import spending

register = template.Library()


@register.simple_tag
def year_chart():
    return spending.year_chart()


@register.simple_tag
def method_chart(year):
    return spending.method_chart(year)


@register.simple_tag
def agency_year_chart(agency, per_year):
    return spending.agency_year_chart(agency, per_year)


@register.simple_tag
def supplier_chart(supplier, totals):
    return spending.supplier_chart(supplier, totals)
