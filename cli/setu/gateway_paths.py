"""The path a request names, read as nginx reads it before it matches a location.

nginx (deploy/nginx/nginx.conf) decodes the path's percent-escapes once, merges repeated
slashes and resolves "." and ".." segments; a ".." above the root, an escaped NUL or a
broken escape is a bad request. The local gateway routes on the same path and forwards the
target as the client sent it, as nginx does, so whatever a service decodes from it, the
gateway routed the path it means: ``/v1/programmes/..%2F..%2Fmetrics`` is ``/metrics``, which
no route serves, and ``%3F`` stays in the path instead of starting a query.
"""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")
_BROKEN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# What may stand unescaped in a path (RFC 3986: unreserved, sub-delims, ":", "@", "/"); a
# query may hold "?" too. Anything else is sent percent-encoded, as urllib3 would send it.
_PATH_CHARACTERS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/"
_TO_ESCAPE = {
    "path": re.compile(rf"%[0-9A-Fa-f]{{2}}|[^{re.escape(_PATH_CHARACTERS)}]"),
    "query": re.compile(rf"%[0-9A-Fa-f]{{2}}|[^{re.escape(_PATH_CHARACTERS + '?')}]"),
}


class InvalidPath(ValueError):
    """A target nginx answers 400: the gateway does too."""


def origin_form(target: str) -> str:
    """The path and query of a request target; an absolute-form target (``http://host/p``,
    as sent to a proxy) loses its scheme and host, as nginx forwards it."""
    if target.startswith("/"):
        return target
    parts = urlsplit(target)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        path = parts.path or "/"
        return f"{path}?{parts.query}" if parts.query else path
    raise InvalidPath("the request target is not a path")


def _escaped(match: re.Match[str]) -> str:
    text = match.group(0)
    if text.startswith("%"):
        return text.upper()
    # WSGI strings carry the request's bytes as latin-1: each is sent as the byte it was.
    raw = text.encode("latin-1") if ord(text) < 256 else text.encode("utf-8", "surrogatepass")
    return "".join(f"%{byte:02X}" for byte in raw)


def forwarded_target(raw_target: str) -> str:
    """The target the gateway forwards: in origin form, without a fragment, escapes in
    upper case and any character a target may not hold escaped (the bytes the client sent;
    what an HTTP client library would send of it, unchanged)."""
    if _BROKEN_ESCAPE.search(raw_target):
        raise InvalidPath("the request target has a broken percent-escape")
    target = origin_form(raw_target).split("#", 1)[0]
    path, mark, query = target.partition("?")
    escaped_path = _TO_ESCAPE["path"].sub(_escaped, path)
    return escaped_path + mark + _TO_ESCAPE["query"].sub(_escaped, query)


def _decoded(path: str) -> str:
    raw = path.encode("latin-1", "replace")
    decoded = _ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), raw)
    if b"\x00" in decoded:
        raise InvalidPath("the path holds a NUL")
    return decoded.decode("utf-8", "surrogateescape")


def normalised_path(target: str) -> str:
    """The path of ``target`` (a ``forwarded_target``) decoded once, slashes merged, dot
    segments resolved: what the gateway routes on."""
    path = target.split("?", 1)[0]
    segments: list[str] = []
    trailing_slash = False
    for segment in _decoded(path).split("/")[1:]:
        trailing_slash = segment in ("", ".", "..")
        if segment == "..":
            if not segments:
                raise InvalidPath("the path climbs above the root")
            segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    joined = "/" + "/".join(segments)
    return joined + "/" if trailing_slash and segments else joined
