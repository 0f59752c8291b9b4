"""Container healthchecks for the Setu image, standard library only.

    python /opt/setu/healthcheck.py http URL              the URL answers 2xx
    python /opt/setu/healthcheck.py smtp HOST PORT        an SMTP server greets with 220
    python /opt/setu/healthcheck.py redis                 REDIS_URL answers PING
    python /opt/setu/healthcheck.py database VARIABLE...  each database URL accepts a connection

Exit status 0 means healthy, 1 unhealthy (with the reason on stderr), as Docker expects.
Relays and beat serve no port: their check is that what they need answers, while their own
liveness is the container's (the process is PID 1; if it dies, the container restarts).
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.request
from urllib.parse import urlsplit

TIMEOUT = 5.0


def check_http(url: str) -> None:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
        if not 200 <= answer.status < 300:
            raise RuntimeError(f"{url} answered {answer.status}")


def check_smtp(host: str, port: str) -> None:
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        greeting = sock.recv(512)
        sock.sendall(b"QUIT\r\n")
    if not greeting.startswith(b"220"):
        raise RuntimeError(f"SMTP greeting was {greeting!r}")


def check_redis() -> None:
    url = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    with socket.create_connection((url.hostname, url.port or 6379), timeout=TIMEOUT) as sock:
        if url.password:
            user = url.username or "default"
            sock.sendall(f"AUTH {user} {url.password}\r\n".encode())
            if not sock.recv(64).startswith(b"+OK"):
                raise RuntimeError("Redis refused the credentials")
        sock.sendall(b"PING\r\n")
        answer = sock.recv(64)
    if not answer.startswith(b"+PONG"):
        raise RuntimeError(f"Redis answered {answer!r}")


def check_databases(*variables: str) -> None:
    from sqlalchemy import create_engine, text

    for variable in variables:
        engine = create_engine(os.environ[variable], pool_pre_ping=False)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()


def check_dependencies(*variables: str) -> None:
    check_redis()
    check_databases(*variables)


CHECKS = {
    "http": check_http,
    "smtp": check_smtp,
    "redis": check_redis,
    "database": check_databases,
    "dependencies": check_dependencies,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in CHECKS:
        print(f"usage: healthcheck.py {{{','.join(CHECKS)}}} ARGS...", file=sys.stderr)
        return 2
    try:
        CHECKS[argv[0]](*argv[1:])
    except Exception as exc:
        print(f"unhealthy: {exc!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
