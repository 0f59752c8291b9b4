"""A sign-in request for an address nobody has answers in the same time as one for a person
(issue 29): medians over interleaved requests, compared within the noise their own spread
shows, not a fixed threshold. On SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
import time
import uuid

from flask.testing import FlaskClient

from tests.integration.programmes.conftest import Caller, Partners
from tests.support.people import person_body

ROUNDS = 300
WARM_UP = 10


def _timed(client: FlaskClient, email: str) -> float:
    started = time.perf_counter()
    answer = client.post("/v1/sign-in", json={"email": email})
    elapsed = time.perf_counter() - started
    assert answer.status_code == 202
    return elapsed


def _median_error(samples: list[float]) -> float:
    """The standard error of a median: 1.2533 sigma / sqrt(n), sigma from the MAD (times 1.4826)."""
    centre = statistics.median(samples)
    mad = statistics.median(abs(s - centre) for s in samples)
    return 1.2533 * 1.4826 * mad / len(samples) ** 0.5


def test_an_unknown_address_takes_as_long_as_a_known_one(
    partners: Partners, secretariat: Caller, client: FlaskClient
):
    # A person per round: a person gets at most 5 links in 15 minutes, and the known path
    # must send one every time (a capped person would take the unknown path).
    people = [
        partners.jp_caller.post(
            f"/v1/organisations/{partners.jp['id']}/people", person_body()
        ).json["email"]
        for _ in range(ROUNDS + WARM_UP)
    ]
    known: list[float] = []
    unknown: list[float] = []
    for round_number, email in enumerate(people):
        nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
        # Interleaved, and which goes first alternates: drift in the machine's load falls
        # on both alike.
        pair = [(known, email), (unknown, nobody)]
        for samples, address in pair if round_number % 2 else reversed(pair):
            elapsed = _timed(client, address)
            if round_number >= WARM_UP:
                samples.append(elapsed)
    difference = abs(statistics.median(known) - statistics.median(unknown))
    noise = (_median_error(known) ** 2 + _median_error(unknown) ** 2) ** 0.5
    print(
        f"known {statistics.median(known) * 1e3:.3f} ms, unknown "
        f"{statistics.median(unknown) * 1e3:.3f} ms, difference {difference * 1e3:.3f} ms, "
        f"noise (1 s.e.) {noise * 1e3:.3f} ms"
    )
    # Four standard errors: a real difference of the paths' work shows well beyond it.
    assert difference <= 4 * noise
