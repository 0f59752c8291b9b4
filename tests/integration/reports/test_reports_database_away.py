"""With its database away, the reports API answers 503 with Retry-After, not 500 (issue 26,
item 10): a PostgreSQL server that does not answer, and a SQLite file that cannot be
opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.app import create_app
from reports.config import Config
from setu_contract.http import Principal
from tests.support.identity import CONFIG_SECRETS, signing_client
from tests.support.infra import free_port

SECRETARIAT = Principal("org-s", "secretariat", "key-1", "JP").headers()
REQUESTS = [
    ("GET", "/v1/reports", None),
    ("GET", "/v1/reports/5d0c4a55-7d2c-4b8e-9d59-1f7f3d1a8b11", None),
    ("GET", "/v1/report-schedules", None),
    (
        "POST",
        "/v1/reports",
        {
            "type": "programme_portfolio",
            "format": "csv",
            "period": {"start": "2026-01-01", "end": "2026-03-31"},
        },
    ),
]


def away_urls(tmp_path: Path) -> dict[str, str]:
    return {
        "postgresql": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/reports",
        "sqlite": f"sqlite:///{tmp_path / 'no-such-directory' / 'reports.db'}",
    }


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
@pytest.mark.parametrize(("method", "path", "body"), REQUESTS)
def test_the_api_answers_503_with_retry_after_while_its_database_is_away(
    tmp_path: Path, redis_url: str, kind: str, method: str, path: str, body
):
    config = Config(
        database_url=away_urls(tmp_path)[kind],
        redis_url=redis_url,
        data_dir=tmp_path / "data",
        **CONFIG_SECRETS,
    )
    client = signing_client(create_app(config))
    answer = client.open(path, method=method, json=body, headers=SECRETARIAT)
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.headers["Retry-After"] == "1"
    assert answer.json["code"] == 503 and "database" in answer.json["message"]
