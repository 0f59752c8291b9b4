"""schemathesis against the whole API, as served: no 5xx, and every response as documented.

The whole system runs as `setu up` starts it (gateway, three APIs, relays, workers), seeded
with real rows through the API. schemathesis reads the gateway's `/openapi.json` and sends
every operation generated requests (its examples, coverage and fuzzing phases), with real ids
bound to the parameters that name rows. Every response must pass the checks of
`fuzz_config.CHECKS`. Generation is deterministic and bounded (a fixed number of examples per
operation), so a run takes a couple of minutes and gives the same requests every time.

Four passes, one test each: the keys of the secretariat, a partner and an auditor over
everything but DELETE (so the seeded rows survive the other operations), then the deletions.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.contract_fuzz.fuzz_config import CHECKS, config_toml
from tests.contract_fuzz.seeding import Seeded, seed, unsubscribe_tokens
from tests.e2e.topology import RunningSetu, running_setu
from tests.support.infra import wait_until
from tests.support.processes import VENV_BIN
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = 10
WORKERS = 2
# schemathesis' command line, its threads parsing Python one at a time (see the module).
ST = (str(VENV_BIN / "python"), str(Path(__file__).with_name("st_one_parser.py")))
PASS_TIMEOUT = 240
SUMMARY = re.compile(r"^=+ (FAILURES|ERRORS) =+$", re.MULTILINE)


@dataclass
class FuzzTarget:
    system: RunningSetu
    seeded: Seeded
    config: Path


def _notification_ids(smtp: SmtpServer) -> list[str]:
    found = (message.get("X-Setu-Notification-Id") for message in smtp.messages)
    return sorted({str(value) for value in found if value})


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[FuzzTarget]:
    directory = tmp_path_factory.mktemp("contract-fuzz")
    smtp = SmtpServer().start()
    # A rate limit the fuzzer cannot reach (429 is documented, but it would stop the run
    # reaching the code), and webhooks to a loopback address so one can be seeded offline.
    extra = {"SETU_RATE_LIMIT": "1000000/minute", "WEBHOOK_ALLOW_PRIVATE": "1"}
    try:
        with running_setu(directory / "data", redis_url, smtp.port, **extra) as system:
            seeded = seed(system)
            # The report's email carries the unsubscribe link; the programme's decisions
            # are emailed too: real notification ids and a real token.
            wait_until(lambda: unsubscribe_tokens(smtp), 60, message="the report's email")
            seeded.ids["tokens"] = unsubscribe_tokens(smtp)
            seeded.ids["notifications"] = _notification_ids(smtp)
            config = directory / "schemathesis.toml"
            config.write_text(config_toml(seeded.ids))
            yield FuzzTarget(system, seeded, config)
    finally:
        smtp.stop()


def run_schemathesis(target: FuzzTarget, key: str, *selection: str) -> tuple[int, str]:
    base_url = target.system.base_url
    command = [
        *ST,
        "--config-file",
        str(target.config),
        "run",
        f"{base_url}/openapi.json",
        "--url",
        base_url,
        "--header",
        f"Authorization: Bearer {key}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",
        "--workers",
        str(WORKERS),
        "--request-timeout",
        "20",
        "--no-color",
        *selection,
    ]
    env = {**os.environ, "NO_COLOR": "1"}
    # Run inside the test's directory: schemathesis keeps a cache of crashes it replays in the
    # working directory, and neither the checkout nor the next run should inherit it.
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=PASS_TIMEOUT,
        env=env,
        cwd=target.config.parent,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def _failures(output: str) -> str:
    """The FAILURES and ERRORS sections of the report, where the requests to replay are."""
    found = SUMMARY.search(output)
    return output[found.start() :] if found else output[-6000:]


PASSES = {
    "secretariat": ("secretariat_jp", ("--exclude-method", "DELETE")),
    "partner": ("partner_jp", ("--exclude-method", "DELETE")),
    "auditor": ("auditor", ("--exclude-method", "DELETE")),
    "deletions": ("secretariat_jp", ("--include-method", "DELETE")),
}


@pytest.mark.timeout(PASS_TIMEOUT + 120)
@pytest.mark.parametrize("name", list(PASSES))
def test_contract_fuzz_every_response_is_documented(fuzz_target: FuzzTarget, name: str):
    key_field, selection = PASSES[name]
    started = time.monotonic()
    code, output = run_schemathesis(fuzz_target, getattr(fuzz_target.seeded, key_field), *selection)
    print(output)
    print(f"schemathesis pass {name!r}: {time.monotonic() - started:.1f}s")
    assert "Tested:" in output, output[-4000:]
    assert code == 0, f"schemathesis found failures ({name} pass):\n{_failures(output)}"
