"""Files Setu writes are its own user's only (README, *Configuration*): under `setu up`,
the secrets it made, the SQLite databases, the mail its sink caught and the report files are
0600 (or stricter) in 0700 directories, and the unsubscribe links are signed with a secret
of its own, not a published one.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from notifications.mail.unsubscribe import InvalidToken, read_token
from setu_contract.secret_settings import KNOWN_VALUES, checked_secret
from tests.e2e.topology import propose_and_submit, request_report
from tests.security.local.conftest import LocalSetu
from tests.support.infra import wait_until

pytestmark = pytest.mark.e2e


# What the test harness itself writes there (tests.e2e.topology logs `setu up`'s output).
HARNESS_FILES = {"setu-up.log"}
# Report recipients must be people of Setu or organisations' contacts: the JP lab's.
RECIPIENT = "lab@jp.example.org"


def open_to_others(root: Path) -> list[str]:
    """Every path under ``root`` (and ``root``) that its group or anyone else may use."""
    paths = [root, *(p for p in root.rglob("*") if p.name not in HARNESS_FILES)]
    return [
        f"{oct(stat.S_IMODE(path.stat().st_mode))} {path.relative_to(root.parent)}"
        for path in paths
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077
    ]


def make_a_report(setu: LocalSetu) -> str:
    requested = request_report(
        setu.system,
        setu.secretariat,
        {
            "type": "programme_portfolio",
            "format": "csv",
            "period": {"start": "2026-01-01", "end": "2030-12-31"},
            "recipients": [RECIPIENT],
        },
    )
    assert requested.status_code == 202, requested.text
    report_id = requested.json()["id"]

    def finished() -> bool:
        report = setu.system.api("GET", f"/v1/reports/{report_id}", setu.secretariat).json()
        assert report["status"] != "failed", report
        return report["status"] == "succeeded"

    wait_until(finished, timeout=60, message="the report")
    return report_id


def test_secrets_databases_mail_and_reports_are_the_users_only(local_setu: LocalSetu):
    propose_and_submit(local_setu.system, local_setu.organisations, 1)
    report_id = make_a_report(local_setu)
    data = local_setu.data_dir
    mail = data / "mail"
    wait_until(lambda: len(list(mail.glob("*.eml"))) >= 2, timeout=60, message="two emails")

    written = {
        "secrets/setu_secret_key",
        "secrets/setu_internal_secret",
        "programmes.db",
        "notifications.db",
        "reports.db",
    }
    assert written <= {str(p.relative_to(data)) for p in data.rglob("*")}
    assert list((data / "reports" / report_id).iterdir())
    assert not open_to_others(data)


def test_unsubscribe_links_are_signed_with_the_secret_setu_up_made(local_setu: LocalSetu):
    secret = (local_setu.data_dir / "secrets" / "setu_secret_key").read_text().strip()
    assert checked_secret("SETU_SECRET_KEY", secret) == secret
    make_a_report(local_setu)

    def unsubscribe_link() -> str | None:
        for message in (local_setu.data_dir / "mail").glob("*.eml"):
            for line in message.read_text(errors="replace").splitlines():
                if line.startswith("List-Unsubscribe: <"):
                    return line.split("<", 1)[1].rstrip(">")
        return None

    link = wait_until(unsubscribe_link, timeout=60, message="a report email")
    token = str(link).rsplit("/", 1)[1]
    assert read_token(secret, token) == (RECIPIENT, "reports")
    for published in KNOWN_VALUES:
        with pytest.raises(InvalidToken):
            read_token(published, token)
