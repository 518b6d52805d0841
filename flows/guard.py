"""The network guard: which addresses a URL from a stranger's feed may make us connect to.

Only http and https; the host's name is resolved here and every address it resolves to must be public (not
loopback, private, link-local, multicast, reserved, unspecified, or a cloud metadata address); the connection is
then made to the address that was checked (DNS rebinding cannot swap it), with the original name in the
``Host`` header and as the TLS server name. ``CPEC_WATCH_ALLOW_PRIVATE_NETWORKS=1`` lifts the address check (the
tests' servers are on 127.0.0.1); the scheme check always holds.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressCheck = Callable[[Address], bool]  # may we connect to this address?
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class GuardError(Exception):
    """The URL is refused (the message says why), or its host cannot be resolved (``unresolvable``)."""

    def __init__(self, message: str, *, unresolvable: bool = False) -> None:
        super().__init__(message)
        self.unresolvable = unresolvable


@dataclass(frozen=True)
class Target:
    """Where to connect for a URL: the checked address, and what to tell the server."""

    url: str  # the URL with the checked address in place of the host name
    host_header: str
    server_name: str | None  # the TLS server name (https only)


def is_public(address: Address) -> bool:
    """A global unicast address that is not a cloud metadata endpoint (IPv4-mapped IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast and address not in METADATA


def target(url: str, allowed: AddressCheck | None = is_public) -> Target:
    """The pinned connection for ``url``, or :class:`GuardError`; ``allowed=None`` lets any address through."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise GuardError(f"refused: only http and https URLs are fetched, not {parts.scheme or 'no scheme'!r}")
    host = parts.hostname
    if not host:
        raise GuardError("refused: the URL names no host")
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    try:
        found = {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as exc:
        raise GuardError(f"ConnectError: {exc}", unresolvable=True) from None
    addresses = sorted((ipaddress.ip_address(a.split("%", 1)[0]) for a in found), key=lambda a: (a.version, str(a)))
    if allowed is not None:
        for address in addresses:
            if not allowed(address):
                raise GuardError(
                    f"refused: {host} resolves to {address}, which is not a public address "
                    "(set CPEC_WATCH_ALLOW_PRIVATE_NETWORKS=1 to allow private networks)"
                )
    chosen = addresses[0]
    literal = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    netloc = f"{literal}:{port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    name = f"[{host}]" if ":" in host else host
    host_header = name if port == DEFAULT_PORTS[parts.scheme] else f"{name}:{port}"
    return Target(pinned, host_header, host if parts.scheme == "https" else None)
