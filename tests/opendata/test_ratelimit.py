"""Whose address is counted: the client's, as far as the configured proxies vouch for it."""

import ipaddress

import pytest
from django.test import RequestFactory

from opendata.ratelimit import client_address

NGINX = "127.0.0.1"
CLIENT = "203.0.113.7"
FORGED = "198.51.100.66"


def address(settings, trusted, *, peer, forwarded=None):
    settings.TRUSTED_PROXIES = trusted
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def networks(*values):
    return tuple(ipaddress.ip_network(value) for value in values)


def test_by_default_no_proxy_is_trusted_and_the_header_is_ignored(settings):
    assert address(settings, 0, peer=CLIENT, forwarded=FORGED) == CLIENT
    assert address(settings, 0, peer=NGINX, forwarded=CLIENT) == NGINX


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        # nginx appended the address it saw; the forged entry before it is the client's own.
        (1, CLIENT, CLIENT),
        (1, f"{FORGED}, {CLIENT}", CLIENT),
        (1, f"{FORGED},{FORGED} , {CLIENT}", CLIENT),
        # A load balancer, then nginx: the load balancer's entry is the client.
        (2, f"{FORGED}, {CLIENT}, 10.0.0.5", CLIENT),
        # Fewer entries than proxies: the request did not come through them; the peer counts.
        (2, CLIENT, NGINX),
        (1, None, NGINX),
        (1, " , ", NGINX),
    ],
)
def test_a_count_believes_that_many_entries_from_the_right(settings, count, forwarded, expected):
    assert address(settings, count, peer=NGINX, forwarded=forwarded) == expected


def test_a_list_believes_only_hops_from_its_addresses(settings):
    trusted = networks("127.0.0.1", "10.0.0.0/8")
    assert address(settings, trusted, peer=NGINX, forwarded=f"{FORGED}, {CLIENT}") == CLIENT
    # Through a load balancer inside 10/8 and then nginx.
    chain = f"{FORGED}, {CLIENT}, 10.1.2.3"
    assert address(settings, trusted, peer=NGINX, forwarded=chain) == CLIENT
    # Every hop trusted: the leftmost is as far as the chain goes.
    assert address(settings, trusted, peer=NGINX, forwarded="10.1.2.3") == "10.1.2.3"
    # A junk entry is not an address a proxy writes: the last believed hop is the client.
    assert address(settings, trusted, peer=NGINX, forwarded="<script>, 10.1.2.3") == "10.1.2.3"
    assert address(settings, networks("2001:db8::/32"), peer="2001:db8::1", forwarded=CLIENT) == (
        CLIENT
    )


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(settings):
    # A client reaching gunicorn directly, not through the listed proxy, writes what it likes.
    trusted = networks("127.0.0.1", "10.0.0.0/8")
    assert address(settings, trusted, peer=CLIENT, forwarded=f"{NGINX}, 10.0.0.1") == CLIENT
    assert address(settings, trusted, peer=CLIENT, forwarded=FORGED) == CLIENT
