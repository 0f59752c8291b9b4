"""Failed authentication is limited per client address: no unlimited key guessing. Past the
limit the address gets 429 with Retry-After, whatever key it sends, in every API process;
the address is the one the gateway puts in X-Forwarded-For, else the socket's."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server
from werkzeug.test import Client

from programmes.app import create_app
from programmes.config import Config
from programmes.domain.keys import new_secret
from setu.gateway import Gateway
from setu_contract.http import CLIENT_ADDRESS_HEADER, sign_client_address
from setu_contract.sign_in import link_token
from tests.integration.programmes.conftest import Caller, Partners
from tests.support.identity import INTERNAL_SECRET
from tests.support.infra import free_port

LIMIT = 5


def limited(database_url: str, redis_url: str) -> Flask:
    """An API process with a small limit on failed authentications."""
    limit = f"{LIMIT}/minute"
    config = Config(
        database_url,
        redis_url,
        auth_failure_limit=limit,
        internal_secret=INTERNAL_SECRET,
        testing=True,
    )
    return create_app(config)


@pytest.fixture
def app(database_url: str, redis_url: str) -> Iterator[Flask]:
    flask_app = limited(database_url, redis_url)
    yield flask_app
    flask_app.extensions["programmes.engine"].dispose()


@pytest.fixture
def second(database_url: str, redis_url: str, app: Flask) -> Iterator[Flask]:
    other = limited(database_url, redis_url)
    yield other
    other.extensions["programmes.engine"].dispose()


def from_address(caller: Caller, address: str, path: str = "/v1/programmes", key: str = ""):
    headers = {"Authorization": f"Bearer {key or caller.key}", "X-Forwarded-For": address}
    return caller.client.get(path, headers=headers)


def test_an_address_that_guesses_keys_is_stopped_whatever_key_it_sends(partners: Partners):
    caller = partners.jp_caller
    guesses = [from_address(caller, "203.0.113.7", key=new_secret()) for _ in range(LIMIT)]
    assert [answer.status_code for answer in guesses] == [401] * LIMIT
    stopped = from_address(caller, "203.0.113.7", key=new_secret())
    assert stopped.status_code == 429 and stopped.json["code"] == 429
    assert 1 <= int(stopped.headers["Retry-After"]) <= 60
    assert "failed authentications" in stopped.json["message"]
    # A right key from that address is stopped too (a guess would otherwise be told apart),
    # on the gateway's question as well.
    assert from_address(caller, "203.0.113.7").status_code == 429
    assert from_address(caller, "203.0.113.7", "/internal/authorize").status_code == 429
    # Other addresses are not.
    assert from_address(caller, "198.51.100.2").status_code == 200
    assert from_address(caller, "198.51.100.2", key=new_secret()).status_code == 401


def test_the_gateways_address_is_the_last_in_x_forwarded_for(partners: Partners):
    caller = partners.jp_caller
    for n in range(LIMIT):
        # What a client put first does not change the address the gateway saw.
        answer = from_address(caller, f"10.0.0.{n}, 203.0.113.8", key=new_secret())
        assert answer.status_code == 401
    assert from_address(caller, "10.9.9.9, 203.0.113.8").status_code == 429
    assert from_address(caller, "203.0.113.8").status_code == 429


def test_no_key_at_all_is_not_a_failed_guess(partners: Partners):
    client = partners.jp_caller.client
    for _ in range(LIMIT * 2):
        answer = client.get("/v1/programmes", headers={"X-Forwarded-For": "203.0.113.9"})
        assert answer.status_code == 401
    assert from_address(partners.jp_caller, "203.0.113.9").status_code == 200


def test_every_process_counts_the_same_failures(app: Flask, second: Flask, partners: Partners):
    there = Caller(second.test_client(), partners.jp_caller.key)
    for n in range(LIMIT):
        caller = partners.jp_caller if n % 2 else there
        assert from_address(caller, "203.0.113.10", key=new_secret()).status_code == 401
    assert from_address(there, "203.0.113.10").status_code == 429
    assert from_address(partners.jp_caller, "203.0.113.10").status_code == 429


def test_with_redis_away_each_process_counts_its_own(database_url: str, partners: Partners):
    away = limited(database_url, f"redis://127.0.0.1:{free_port()}/0")
    try:
        caller = Caller(away.test_client(), partners.jp_caller.key)
        for _ in range(LIMIT):
            assert from_address(caller, "203.0.113.11", key=new_secret()).status_code == 401
        assert from_address(caller, "203.0.113.11").status_code == 429
        assert from_address(caller, "203.0.113.12").status_code == 200
    finally:
        away.extensions["programmes.engine"].dispose()


def test_through_the_local_gateway_the_client_cannot_choose_its_address(
    app: Flask, partners: Partners
):
    """The local gateway sets X-Forwarded-For to the address it was reached from, on requests
    to programmes and on its question for the other services."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        upstreams = {"programmes": base, "notifications": base, "reports": base}
        gateway = Client(Gateway(upstreams))
        client = {"REMOTE_ADDR": "203.0.113.20"}

        def ask(path: str, key: str, forged: str):
            headers = {"Authorization": f"Bearer {key}", "X-Forwarded-For": forged}
            return gateway.get(path, headers=headers, environ_base=client)

        for n in range(LIMIT):
            answer = ask("/v1/reports", new_secret(), f"192.0.2.{n}")
            assert answer.status_code == 401
        assert ask("/v1/programmes", partners.jp_caller.key, "192.0.2.99").status_code == 429
        assert ask("/v1/reports", partners.jp_caller.key, "192.0.2.98").status_code == 429
        elsewhere = gateway.get(
            "/v1/programmes",
            headers={"Authorization": f"Bearer {partners.jp_caller.key}"},
            environ_base={"REMOTE_ADDR": "198.51.100.20"},
        )
        assert elsewhere.status_code == 200
    finally:
        server.shutdown()


def spend_link(caller: Caller, console: str, vouching: dict[str, str]):
    """A refused sign-in link, sent as the console sends it: from the console's address, with
    the person's address it vouches for."""
    token = link_token(new_secret(), str(uuid.uuid4()))
    headers = {"X-Forwarded-For": console, **vouching}
    return caller.client.post("/v1/sessions", json={"token": token}, headers=headers)


def test_the_address_the_console_signs_is_counted_not_the_consoles(partners: Partners):
    """Every person signs in through the console's one address: one person's bad links lock
    that person's address only."""
    caller, console = partners.jp_caller, "198.51.100.40"

    def link(address: str):
        vouching = sign_client_address(address, INTERNAL_SECRET, "POST", "/v1/sessions")
        return spend_link(caller, console, vouching)

    assert [link("203.0.113.30").status_code for _ in range(LIMIT)] == [401] * LIMIT
    assert link("203.0.113.30").status_code == 429
    assert link("203.0.113.31").status_code == 401
    assert from_address(caller, console).status_code == 200


def test_a_client_address_unsigned_or_signed_otherwise_is_ignored(partners: Partners):
    caller, sender, named = partners.jp_caller, "203.0.113.32", "203.0.113.33"
    sessions = ("POST", "/v1/sessions")
    spoofs = [
        {CLIENT_ADDRESS_HEADER: named},
        sign_client_address(named, new_secret(), *sessions),
        sign_client_address(named, INTERNAL_SECRET, "POST", "/v1/sign-in"),
        sign_client_address(named, INTERNAL_SECRET, *sessions, now=time.time() - 120),
        {**sign_client_address(sender, INTERNAL_SECRET, *sessions), CLIENT_ADDRESS_HEADER: named},
    ]
    assert [spend_link(caller, sender, spoof).status_code for spoof in spoofs] == [401] * LIMIT
    # The failures were the sender's: it is stopped, the address it named is not.
    assert spend_link(caller, sender, spoofs[0]).status_code == 429
    vouching = sign_client_address(named, INTERNAL_SECRET, *sessions)
    assert spend_link(caller, sender, vouching).status_code == 401
