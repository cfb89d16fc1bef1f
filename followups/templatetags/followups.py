"""The requests shown on pages of other apps (the workspace's front page, the package page),
read here so that those apps do not import this one."""

from django import template

from followups import selectors

register = template.Library()


@register.simple_tag
def operator_requests(user, limit=10):
    """The open requests of an operator's agency, oldest first."""
    if not user.is_operator:
        return []
    return selectors.operator_open(user, limit=limit)


@register.simple_tag
def package_requests(user, process):
    """A package's requests not yet closed, for whoever may see them."""
    if process is None:
        return []
    return selectors.for_process(user, process)


@register.simple_tag
def requests_awaiting_close(user, limit=10):
    """Requests the operators marked done, for a supervisor to close."""
    if not (user.is_supervisor or user.is_administrator):
        return []
    return selectors.awaiting_close(user, limit=limit)
