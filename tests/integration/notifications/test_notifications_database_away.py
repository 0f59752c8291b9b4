"""With its database away, the notifications API answers 503 with Retry-After, not 500
(issue 26, item 10): a PostgreSQL server that does not answer, and a SQLite file that
cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifications.app import create_app
from notifications.config import Config
from setu_contract.http import Principal
from tests.support.identity import CONFIG_SECRETS, signing_client
from tests.support.infra import free_port

SECRETARIAT = Principal("org-s", "secretariat", "key-1", "JP").headers()
PARTNER = Principal("org-p", "partner", "key-2").headers()
REQUESTS = [
    ("GET", "/v1/notifications", SECRETARIAT, None),
    ("GET", "/v1/notifications/5d0c4a55-7d2c-4b8e-9d59-1f7f3d1a8b11", SECRETARIAT, None),
    ("POST", "/v1/notifications/5d0c4a55-7d2c-4b8e-9d59-1f7f3d1a8b11/retry", SECRETARIAT, None),
    ("GET", "/v1/webhooks", PARTNER, None),
    (
        "POST",
        "/v1/webhooks",
        PARTNER,
        {"url": "https://127.0.0.1:9/hook", "event_types": ["programme.created"]},
    ),
]


def away_urls(tmp_path: Path) -> dict[str, str]:
    return {
        "postgresql": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/notifications",
        "sqlite": f"sqlite:///{tmp_path / 'no-such-directory' / 'notifications.db'}",
    }


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
@pytest.mark.parametrize(("method", "path", "headers", "body"), REQUESTS)
def test_the_api_answers_503_with_retry_after_while_its_database_is_away(
    tmp_path: Path, redis_url: str, kind: str, method: str, path: str, headers, body
):
    config = Config(
        database_url=away_urls(tmp_path)[kind],
        redis_url=redis_url,
        webhook_allow_private=True,
        **CONFIG_SECRETS,
    )
    client = signing_client(create_app(config))
    answer = client.open(path, method=method, json=body, headers=headers)
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.headers["Retry-After"] == "1"
    assert answer.json["code"] == 503 and "database" in answer.json["message"].lower()
