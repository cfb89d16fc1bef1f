"""The client's address behind trusted proxies: what the rate limits (opendata.ratelimit) and
the sign-in lockouts (agencies.signin) count a request as."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's address as the nearest hop we do not trust saw it.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    the header is read from the right, only as far as trusted proxies wrote it: whatever lies
    further left the client may have written itself. With no proxy trusted (the default) the
    header is ignored. settings.TRUSTED_PROXIES is a count (that many proxies in front, each
    appending one entry) or a tuple of networks (hops from these addresses are believed).
    """
    peer = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if not trusted:
        return peer[:100]
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if isinstance(trusted, int):
        # Fewer entries than proxies: the request did not come the way configured, so nothing
        # in the header is known to be a proxy's.
        return (forwarded[-trusted] if len(forwarded) >= trusted else peer)[:100]
    chain = [*forwarded, peer]
    address = chain.pop()
    while chain and _within(address, trusted):
        if _parse(chain[-1]) is None:
            break  # not an address a proxy would write
        address = chain.pop()
    return address[:100]


def _parse(address):
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _within(address, networks):
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in networks)
