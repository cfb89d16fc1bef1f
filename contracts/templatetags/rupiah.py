"""Money and dates the Indonesian way, for every template and the admin."""

from django import template

register = template.Library()


@register.filter
def rupiah(amount):
    """12500000 -> 'Rp 12.500.000'; None -> '—' (unknown is not zero)."""
    if amount is None or amount == "":
        return "—"
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {abs(value):,}".replace(",", ".")


@register.filter
def audit_changes(entry):
    from contracts.admin import describe_changes

    return describe_changes(entry)
