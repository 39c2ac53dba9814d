"""The client address behind proxies: the TCP peer unless trusted, then the right-most untrusted forwarded hop."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.client_address import address_bucket, client_address
from shared.settings import Settings

PROXIES = "10.0.0.0/8, 2001:db8:ffff::/48"


def scope(peer: str | None, *forwarded: str) -> dict[str, object]:
    return {
        "type": "http",
        "client": (peer, 51000) if peer is not None else None,
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    # No proxy trusted by these rules' peer: the header is the client's own words and is ignored.
    ("203.0.113.9", ("198.51.100.1",), "203.0.113.9"),
    # A trusted proxy: its view of the client.
    ("10.1.2.3", ("198.51.100.1",), "198.51.100.1"),
    # The client wrote a hop itself: the right-most untrusted one is the address the proxy saw.
    ("10.1.2.3", ("6.6.6.6, 198.51.100.1",), "198.51.100.1"),
    # Two proxies in a row, the header repeated on separate lines.
    ("10.1.2.3", ("6.6.6.6, 198.51.100.1", "10.9.9.9"), "198.51.100.1"),
    # IPv6 client and proxies, ports and brackets as some proxies write them.
    ("2001:db8:ffff::1", ("2001:DB8:1::42",), "2001:db8:1::42"),
    ("10.1.2.3", ("[2001:db8:2::7]:4711, 2001:db8:ffff::5",), "2001:db8:2::7"),
    ("10.1.2.3", ("198.51.100.1:5555",), "198.51.100.1"),
    # An IPv4-mapped peer is the IPv4 client.
    ("::ffff:203.0.113.9", (), "203.0.113.9"),
    # Garbage stops the walk at the last trusted hop seen.
    ("10.1.2.3", ("198.51.100.1, ???",), "10.1.2.3"),
    ("10.1.2.3", ("198.51.100.1, not-an-ip, 10.4.4.4",), "10.4.4.4"),
    ("10.1.2.3", ("",), "10.1.2.3"),
    # Every hop trusted: the left-most one.
    ("10.1.2.3", ("10.7.7.7, 10.8.8.8",), "10.7.7.7"),
    # A trusted proxy that sent no header at all.
    ("10.1.2.3", (), "10.1.2.3"),
    # No peer (a Unix socket) and a peer that is not an address.
    (None, ("198.51.100.1",), "unknown"),
    ("testclient", ("198.51.100.1",), "testclient"),
])
def test_client_address_walks_forwarded_hops_from_the_right(
    peer: str | None, forwarded: tuple[str, ...], expected: str,
) -> None:
    assert client_address(scope(peer, *forwarded), PROXIES) == expected


def test_no_trusted_proxies_means_the_header_is_never_read() -> None:
    assert client_address(scope("127.0.0.1", "198.51.100.1"), "") == "127.0.0.1"


def test_trusted_proxies_setting_refuses_garbage_in_one_line() -> None:
    with pytest.raises(ValidationError, match="SANGKIEN_TRUSTED_PROXIES"):
        Settings(trusted_proxies="10.0.0.0/8, ten-dot-zero")
    assert Settings(trusted_proxies="10.0.0.0/8,fd00::/8, 192.0.2.1").trusted_proxies


@pytest.mark.parametrize(("address", "bucket"), [
    ("203.0.113.9", "203.0.113.9"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2::ffff", "2001:db8:1:2::/64"),
    ("unknown", "unknown"),
])
def test_per_address_limits_count_ipv6_clients_by_their_64(address: str, bucket: str) -> None:
    assert address_bucket(address) == bucket
