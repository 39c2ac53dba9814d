"""The client address of an HTTP request: the TCP peer, or the right-most untrusted X-Forwarded-For hop."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from starlette.requests import HTTPConnection
from starlette.types import Scope

from shared.settings import get_settings, ipaddress_networks

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"
IPV6_PREFIX = 64  # one IPv6 subscriber gets a whole /64: keyed per address, each client would pick its own budget


@lru_cache(maxsize=16)
def parse_trusted_proxies(text: str) -> tuple[IPNetwork, ...]:
    """``"10.0.0.0/8, fd00::/8, 192.0.2.1"`` as networks; raise ``ValueError`` on a malformed entry."""
    return tuple(ipaddress_networks(text))


def _address(text: str) -> IPAddress | None:
    """An address as proxies write it (``a.b.c.d``, ``a.b.c.d:port``, ``::1``, ``[::1]:port``), or None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has at least two colons
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # the same client whether the socket is dual-stack or not
    return address


def _trusted(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(connection: HTTPConnection | Scope, trusted_proxies: str | None = None) -> str:
    """The address the request came from, for rate limits and caps.

    The TCP peer, unless the peer is a trusted proxy (``trusted_proxies``, default the
    ``SANGKIEN_TRUSTED_PROXIES`` setting): then ``X-Forwarded-For`` is walked from the right, skipping trusted
    hops, and the first untrusted hop is the client (every hop left of it could have been written by the
    client). A malformed entry stops the walk at the last trusted hop seen, since nothing left of a hop that
    cannot be read can be believed either; a chain of trusted hops only gives its left-most one.
    """
    scope = connection.scope if isinstance(connection, HTTPConnection) else connection
    networks = parse_trusted_proxies(get_settings().trusted_proxies if trusted_proxies is None else trusted_proxies)
    client = scope.get("client")
    peer_text = str(client[0]) if client else UNKNOWN
    peer = _address(peer_text)
    if peer is None:
        return peer_text  # a Unix socket or a test transport: nothing to parse
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [
        hop
        for name, value in scope.get("headers", [])
        if name == b"x-forwarded-for"
        for hop in value.decode("latin-1").split(",")
    ]
    last_trusted = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return str(last_trusted)
        if not _trusted(address, networks):
            return str(address)
        last_trusted = address
    return str(last_trusted)


def address_bucket(address: str) -> str:
    """What a per-address limit counts: an IPv4 address, or the /64 of an IPv6 address (anything else as is)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, IPV6_PREFIX), strict=False))
    return str(parsed)
