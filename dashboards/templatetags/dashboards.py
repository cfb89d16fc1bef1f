from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def share_class(share):
    """Colour band of a share: the worse, the warmer."""
    if share is None:
        return "cell--none"
    if share >= 90:
        return "cell--good"
    if share >= 60:
        return "cell--fair"
    if share >= 30:
        return "cell--poor"
    return "cell--bad"


@register.simple_tag
def operator_todo(user, limit=10):
    """The first items of an operator's to-do list, for the workspace's front page."""
    from dashboards.selectors import todo

    if not user.is_operator:
        return []
    return todo(user.agency, limit=limit)
