"""A programmes API on a fresh PostgreSQL database, with keys, organisations and volume.

The database is migrated with ``setu programmes migrate``, the first secretariat key comes
from ``setu programmes bootstrap``, and the rest goes through the HTTP API, except volume:
one programme made through the API is then cloned server-side (INSERT ... SELECT over
generate_series, every column copied but the id and the reference), so a hundred thousand
programmes take seconds.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import psycopg

from bench.context import Context, venv
from bench.seed import plain_url
from setu_contract.secret_settings import INTERNAL_SECRET, new_secret
from tests.support.infra import postgres_database

# The API's per-key rate limit would turn a benchmark into a measurement of 429s.
UNLIMITED = "100000000/minute"


class ApiError(RuntimeError):
    pass


class Client:
    """One keep-alive HTTP connection to an API, JSON in and out."""

    def __init__(self, base: str, key: str | None = None):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.key = key

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, dict]:
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        payload = json.dumps(body) if body is not None else None
        try:
            self.connection.request(method, path, payload, headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # gunicorn closed the idle keep-alive connection: the request was never read.
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.connection.request(method, path, payload, headers)
            response = self.connection.getresponse()
        raw = response.read()
        data = json.loads(raw) if raw else None
        return response.status, data, dict(response.getheaders())

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, data, _ = self.call(method, path, body)
        if status >= 300:
            raise ApiError(f"{method} {path} answered {status}: {data}")
        return data


@dataclass
class Programmes:
    base: str
    database_url: str
    env: dict[str, str]
    secretariat_key: str
    partner_key: str
    jp_org: str
    in_org: str
    in_partner_key: str

    def programme_body(self, title: str = "Chiplet packaging for edge AI") -> dict[str, Any]:
        return {
            "title": title,
            "summary": "Joint work on advanced packaging for low-power inference.",
            "focus_area": FOCUS_AREA,
            "partners": [
                {"organisation_id": self.jp_org, "role": "lead"},
                {"organisation_id": self.in_org, "role": "lead"},
            ],
            "start_date": "2027-04-01",
            "end_date": "2029-03-31",
            "budget": [
                {"organisation_id": self.jp_org, "currency": "JPY", "amount": "25000000"},
                {"organisation_id": self.in_org, "currency": "INR", "amount": "1500000.50"},
            ],
            "exchange_slots": 4,
        }

    def confirmed_draft(self) -> str:
        """A draft proposed by the JP partner and confirmed by the IN partner it names, so
        that it, and every clone of it, can be submitted: its id."""
        draft = Client(self.base, self.partner_key).ok(
            "POST", "/v1/programmes", self.programme_body()
        )
        path = f"/v1/programmes/{draft['id']}/participation"
        Client(self.base, self.in_partner_key).ok("POST", path, {"decision": "confirm"})
        return draft["id"]


FOCUS_AREA = "semiconductor_packaging"


def _bootstrap(env: dict[str, str]) -> str:
    done = subprocess.run(
        [venv("setu"), "programmes", "bootstrap", "--side", "JP"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"setu programmes bootstrap failed: {done.stderr[-1500:]}")
    return done.stdout.strip().splitlines()[-1]


def _organisation(client: Client, country: str) -> str:
    body = {
        "name": f"Bench {country} university {uuid.uuid4().hex[:6]}",
        "country": country,
        "kind": "university",
        "contact_email": f"office-{country.lower()}@bench.example",
    }
    return client.ok("POST", "/v1/organisations", body)["id"]


def start_programmes(ctx: Context, extra_env: dict[str, str] | None = None) -> Programmes:
    import os

    url = ctx.stack.enter_context(postgres_database())
    env = {
        "PROGRAMMES_DATABASE_URL": url,
        "REDIS_URL": ctx.redis_url,
        "SETU_RATE_LIMIT": UNLIMITED,
        INTERNAL_SECRET: new_secret(),  # the API signs the identity it vouches for
        **(extra_env or {}),
    }
    full_env = {**os.environ, **env, "LOG_LEVEL": "WARNING"}
    subprocess.run([venv("setu"), "programmes", "migrate"], env=full_env, check=True, timeout=120)
    secretariat = _bootstrap(full_env)
    base = ctx.gunicorn("programmes-api", "programmes.app:create_app()", env)
    admin = Client(base, secretariat)
    jp_org, in_org = _organisation(admin, "JP"), _organisation(admin, "IN")
    jp_key, in_key = (
        admin.ok("POST", f"/v1/organisations/{org}/api-keys", {"name": "bench", "role": "partner"})[
            "key"
        ]
        for org in (jp_org, in_org)
    )
    return Programmes(base, url, env, secretariat, jp_key, jp_org, in_org, in_key)


def _columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str | None]]:
    rows = conn.execute(
        "SELECT column_name, column_default FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [(name, default) for name, default in rows]


def clone_programme(database_url: str, template_id: str, count: int) -> list[str]:
    """``count`` copies of one programme, with their partners and budget lines; their ids."""
    with psycopg.connect(plain_url(database_url), autocommit=False) as conn:
        columns = [name for name, _ in _columns(conn, "programmes")]
        chosen = {"id": "'bench-' || n", "reference": "'BEN-' || n"}
        select_list = ", ".join(chosen.get(c, c) for c in columns)
        conn.execute(
            f"INSERT INTO programmes ({', '.join(columns)}) SELECT {select_list} "
            "FROM programmes, generate_series(1::bigint, %s::bigint) AS n WHERE id = %s",
            (count, template_id),
        )
        for child in ("programme_partners", "budget_lines"):
            kept = [n for n, d in _columns(conn, child) if not (d or "").startswith("nextval")]
            picked = ", ".join("'bench-' || n" if c == "programme_id" else c for c in kept)
            conn.execute(
                f"INSERT INTO {child} ({', '.join(kept)}) SELECT {picked} "
                f"FROM {child}, generate_series(1::bigint, %s::bigint) AS n "
                "WHERE programme_id = %s",
                (count, template_id),
            )
        conn.commit()
    # This machine's PostgreSQL runs with autovacuum off; a production one would have
    # vacuumed the tables after so many inserts, which lets index-only scans skip the heap.
    with psycopg.connect(plain_url(database_url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return [f"bench-{n}" for n in range(1, count + 1)]
