"""Refuse webhook URLs that reach inside: private, loopback, link-local and other
non-public addresses (server-side request forgery), unless an operator allows them.

An IPv6 address can carry an IPv4 one inside it, which a gateway on the way turns back into
IPv4: NAT64 (``64:ff9b::7f00:1`` is 127.0.0.1), 6to4 (``2002:7f00:1::``), Teredo, the
translated form ``::ffff:0:7f00:1`` and the old IPv4-compatible form. Such an address looks
global to ``ipaddress`` whatever the IPv4 inside, so it is refused outright; an IPv4-mapped
address (``::ffff:127.0.0.1``) is judged by the IPv4 address it maps.

``check_url`` resolves the name once and answers the addresses it checked: the transport
connects to one of those, never resolving the name again, so that a name that answers a
public address to the check and a private one a moment later (DNS rebinding) reaches
nothing inside.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

Resolver = Callable[..., list[tuple[Any, ...]]]

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges that embed an IPv4 address a translator turns back into IPv4.
EMBEDDING_IPV4 = tuple(
    ipaddress.ip_network(network)
    for network in (
        "64:ff9b::/96",  # NAT64, well-known prefix (RFC 6052)
        "64:ff9b:1::/48",  # NAT64, local use (RFC 8215)
        "2002::/16",  # 6to4 (RFC 3056)
        "2001::/32",  # Teredo (RFC 4380)
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "::/96",  # IPv4-compatible (deprecated, RFC 4291)
    )
)


class RefusedUrl(ValueError):
    pass


@dataclass(frozen=True)
class Destination:
    """Where a checked URL goes: the scheme, the name (for Host and SNI), the port and the
    addresses the name resolved to when checked."""

    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def _refusal(ip: IP) -> str | None:
    """Why ``ip`` may not be reached, or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _refusal(ip.ipv4_mapped)
        if any(ip in network for network in EMBEDDING_IPV4):
            return "resolves to an IPv6 address that embeds an IPv4 one (NAT64, 6to4, Teredo)"
    if not ip.is_global or ip.is_multicast:
        return "resolves to a private, loopback or link-local address"
    return None


def check_url(url: str, allow_private: bool, resolve: Resolver | None = None) -> Destination:
    """The destination of ``url`` if it is https (http only when private ones are allowed)
    and every address its host resolves to is public (or private ones are allowed); else
    RefusedUrl. ``resolve`` stands in for ``socket.getaddrinfo`` in tests."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RefusedUrl("must be an absolute https URL")
    if parts.scheme == "http" and not allow_private:
        raise RefusedUrl("must use https")
    if parts.username or parts.password:
        raise RefusedUrl("must not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = (resolve or socket.getaddrinfo)(parts.hostname, port, proto=socket.IPPROTO_TCP)
        addresses = tuple(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
        ips = [ipaddress.ip_address(address) for address in addresses]
    except (OSError, ValueError, UnicodeError) as exc:
        raise RefusedUrl(f"host {parts.hostname} does not resolve") from exc
    if not ips:
        raise RefusedUrl(f"host {parts.hostname} does not resolve")
    if not allow_private:
        for ip in ips:
            reason = _refusal(ip)
            if reason:
                raise RefusedUrl(reason)
    return Destination(parts.scheme, parts.hostname, port, addresses)
