"""Refuse webhook URLs that reach inside: private, loopback, link-local and other
non-public addresses (server-side request forgery), unless an operator allows them."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedUrl(ValueError):
    pass


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, allow_private: bool) -> None:
    """Raise RefusedUrl unless ``url`` is https (http only when private ones are allowed)
    and every address its host resolves to is public (or private ones are allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RefusedUrl("must be an absolute https URL")
    if parts.scheme == "http" and not allow_private:
        raise RefusedUrl("must use https")
    if parts.username or parts.password:
        raise RefusedUrl("must not carry credentials")
    if allow_private:
        return
    try:
        port = parts.port or 443
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise RefusedUrl(f"host {parts.hostname} does not resolve") from exc
    if not all(_public(str(info[4][0])) for info in infos):
        raise RefusedUrl("resolves to a private, loopback or link-local address")
