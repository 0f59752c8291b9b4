"""Bad sign-in links through the console lock out the browser's address, not the console's.

Every person reaches the API from the console's one address; the console names the
person's own (signed under SETU_INTERNAL_SECRET), and programmes counts that one. The
browsers here are two loopback addresses of their own (127.x.y.z), reaching the local
gateway of `setu up` as two people's machines would reach nginx.
"""

from __future__ import annotations

import random
import re
import uuid
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine

from setu_contract.sign_in import link_token
from tests.security.local.conftest import LocalSetu
from tests.support.people import latest_link_id, person_body

LIMIT = 30  # the API's limit of failures (SETU_AUTH_FAILURE_LIMIT): 30 a minute
# The windows are whole minutes: presses that cross from one into the next count again from
# nothing there, so a browser may press up to twice the limit before one window holds it.
MOST_PRESSES = 2 * LIMIT + 1
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class FromAddress(HTTPAdapter):
    """Connections made from ``address``: a browser on a machine of its own."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def browser(address: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", FromAddress(address))
    return session


def press_sign_in(session: requests.Session, base: str, token: str) -> requests.Response:
    """Open a sign-in link's page and press its button, as a person would."""
    page = session.get(f"{base}/console/sign-in/{token}", timeout=15)
    assert page.status_code == 200, page.text
    form = {"csrf_token": CSRF.search(page.text)[1]}
    return session.post(
        f"{base}/console/sign-in/{token}", data=form, timeout=15, allow_redirects=False
    )


def secret_of(data_dir: Path) -> str:
    return (data_dir / "secrets" / "setu_internal_secret").read_text().strip()


def test_bad_links_from_one_browser_lock_that_browser_only(local_setu: LocalSetu):
    base = local_setu.base("gateway")
    # Addresses no other test (or earlier run against this Redis) counted failures for.
    network = f"127.{random.randrange(1, 250)}.{random.randrange(1, 250)}"
    first, second = f"{network}.7", f"{network}.8"
    secret = secret_of(local_setu.data_dir)
    guessing = browser(first)
    answers: list[int] = []
    while len(answers) < MOST_PRESSES and 429 not in answers:
        bad = link_token(secret, str(uuid.uuid4()))
        answers.append(press_sign_in(guessing, base, bad).status_code)
    assert set(answers[:LIMIT]) == {401}, answers
    assert answers[-1] == 429, answers

    invited = local_setu.system.api(
        "POST",
        f"/v1/organisations/{local_setu.jp}/people",
        local_setu.partner,
        json=person_body("partner", language="en"),
    )
    assert invited.status_code == 201, invited.text
    engine = create_engine(local_setu.system.database_url("programmes"))
    try:
        token = link_token(secret, latest_link_id(engine, invited.json()["id"]))
    finally:
        engine.dispose()
    signed_in = press_sign_in(browser(second), base, token)
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["Location"].endswith("/console/")
