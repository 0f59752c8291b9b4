"""Who is calling, counted against the key's rate limit: before every /v1 request, and for the
gateway's ``/internal/authorize``.

A key this process has kept (store.kept_keys) costs one Redis round trip: the rate limit's
count, the keys' generation, the programmes' generation (store.kept_programmes) and the
failed authentications of the client's address, together. Any other key, or a kept one
whose generation has moved on, is read from the database under the generation read first,
then kept. A key refused is counted against the client's address (api.ratelimit); past
that limit the address gets 429 whatever key it sends.
"""

from __future__ import annotations

import ipaddress
import time

from flask import Flask, current_app, g, request

from programmes.api import request_session
from programmes.api.ratelimit import FailedAuthentications, RateLimiter
from programmes.domain.keys import bearer_secret
from programmes.domain.people import SESSION_PREFIX
from programmes.domain.rates import parse_rate
from programmes.services.access import authenticate, secret_hash
from programmes.services.sessions import ACTIVE, authenticate_session
from programmes.store.generation import read_together
from programmes.store.kept_keys import KeptKeys
from programmes.store.kept_programmes import KeptProgrammes
from programmes.store.redis_guard import GuardedRedis
from setu_contract.errors import Forbidden, Unauthenticated
from setu_contract.http import (
    AUTHORIZE_PATH,
    CLIENT_ADDRESS_HEADER,
    ORIGINAL_METHOD_HEADER,
    ORIGINAL_URI_HEADER,
    Principal,
    request_target,
    verified_client_address,
)

LIMITER = "programmes.ratelimit"
FAILURES = "programmes.auth_failures"
KEPT_KEYS = "programmes.kept_keys"
KEPT_PROGRAMMES = "programmes.kept_programmes"


def install(
    app: Flask, rate_text: str, failures_text: str, redis_url: str, database_url: str
) -> tuple[KeptKeys, KeptProgrammes]:
    """The rate limit, the limit on failed authentications, the kept keys and the kept
    programmes, on one guarded Redis client (one round trip each request); the keeps are
    returned to be watched."""
    guard = GuardedRedis(redis_url, "the rate limits, kept API keys and kept programmes")
    app.extensions[LIMITER] = RateLimiter(parse_rate(rate_text), guard)
    failures = FailedAuthentications(parse_rate(failures_text), guard, database_url)
    app.extensions[FAILURES] = failures
    keys = app.extensions[KEPT_KEYS] = KeptKeys(guard, database_url)
    programmes = app.extensions[KEPT_PROGRAMMES] = KeptProgrammes(guard, database_url)
    return keys, programmes


def kept_programmes() -> tuple[KeptProgrammes, bytes | None]:
    """The process's kept programmes, and the programmes' generation this request read before
    any statement (None when Redis is away)."""
    return current_app.extensions[KEPT_PROGRAMMES], g.get("programmes_generation")


def client_address() -> str:
    """The caller's address: the one the console vouches for (signed: every person who signs
    in through the console reaches the API from the console's address), else the last one in
    X-Forwarded-For, which the gateway sets to the address it was reached from; else the
    socket's."""
    for candidate in (_vouched_address(), _forwarded_address(), request.remote_addr or ""):
        if not candidate:
            continue  # most requests carry no vouched or forwarded address: no error raised
        try:
            return str(ipaddress.ip_address(candidate[:64]))
        except ValueError:
            continue
    return "unknown"


def _forwarded_address() -> str:
    return request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip()


def _vouched_address() -> str:
    """The console's signed address, checked for the request it was signed for: this one,
    or on the gateway's question the one the gateway is about to forward."""
    if CLIENT_ADDRESS_HEADER not in request.headers:
        return ""
    method, target = request.method, request_target(request.environ)
    if request.path == AUTHORIZE_PATH:
        method = request.headers.get(ORIGINAL_METHOD_HEADER) or ""
        target = request.headers.get(ORIGINAL_URI_HEADER) or ""
    secret = current_app.extensions["programmes.config"].internal_secret
    return verified_client_address(request.headers, secret, method, target) or ""


# What a session still waiting for its TOTP code may do: finish signing in, or sign out.
UNFINISHED_SESSION_ROUTES = frozenset(
    {
        "/v1/sessions/current",
        "/v1/sessions/current/totp",
        "/v1/sessions/current/totp-enrolment",
        "/v1/sessions/current/totp-enrolment/confirm",
    }
)


def identify(unfinished_routes: frozenset[str] = UNFINISHED_SESSION_ROUTES) -> Principal:
    """The principal of the request's Bearer key or person's session, after counting the
    request against the key's (or person's) rate limit: 401 for no valid key or session, 429
    over the limit or from an address with too many refused."""
    bearer = bearer_secret(request.headers.get("Authorization"))
    if bearer is not None and bearer.startswith(SESSION_PREFIX):
        return _identify_person(bearer, unfinished_routes)
    return _identify_key()


def _identify_person(bearer: str, unfinished_routes: frozenset[str]) -> Principal:
    """A session is read from the database on every request (services.sessions): one ended
    is refused on its next request, in every process. Then one Redis round trip counts the
    request against the person's rate limit and reads the programmes' generation and the
    address's failed authentications (before any programme is read)."""
    limiter: RateLimiter = current_app.extensions[LIMITER]
    programmes: KeptProgrammes = current_app.extensions[KEPT_PROGRAMMES]
    failures: FailedAuthentications = current_app.extensions[FAILURES]
    address, now = client_address(), time.time()
    failures_key = failures.key(address, now)
    try:
        principal, state = authenticate_session(request_session(), bearer)
    except Unauthenticated:
        failures.check_now(address, now)
        failures.record(address, now)
        raise
    reads = (programmes.generation_key, failures_key)
    count, (generation, failed) = limiter.count(principal.caller_id, now, read=reads)
    failures.check(address, failed, now)
    limiter.enforce(count, now)
    g.programmes_generation = generation
    g.session_state = state
    rule = request.url_rule.rule if request.url_rule is not None else ""
    if state != ACTIVE and rule not in unfinished_routes:
        raise Forbidden(
            f"finish signing in first: the session is {state}",
            {"state": [state]},
        )
    return principal


def _identify_key() -> Principal:
    limiter: RateLimiter = current_app.extensions[LIMITER]
    keys: KeptKeys = current_app.extensions[KEPT_KEYS]
    programmes: KeptProgrammes = current_app.extensions[KEPT_PROGRAMMES]
    failures: FailedAuthentications = current_app.extensions[FAILURES]
    key_hash = secret_hash(request.headers.get("Authorization"))
    address, now = client_address(), time.time()
    failures_key = failures.key(address, now)
    counted: int | None = None  # this request's count, if taken with a kept principal
    kept = keys.get(key_hash)
    if kept is not None:
        reads = (keys.generation_key, programmes.generation_key, failures_key)
        count, (generation, g.programmes_generation, failed) = limiter.count(
            kept.principal.caller_id, now, read=reads
        )
        failures.check(address, failed, now)
        if keys.valid(kept, generation, now):
            limiter.enforce(count, now)
            return kept.principal
        keys.forget(key_hash)
        counted = count
    # Both generations before any statement: the key's row, and the programme a GET reads.
    generation, g.programmes_generation, failed = read_together(
        keys.token, programmes.token, also=(failures_key,)
    )
    failures.check(address, failed, now)
    try:
        principal, expires = authenticate(request_session(), key_hash)
    except Unauthenticated:
        failures.record(address, now)
        raise
    if generation is not None:
        keys.keep(key_hash, principal, expires, generation)
    # One hash is one key: a kept principal's count was this key's.
    count = counted if counted is not None else limiter.count(principal.caller_id, now)[0]
    limiter.enforce(count, now)
    return principal
