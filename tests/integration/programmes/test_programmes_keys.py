"""Organisations edited with ETags; API keys listed, revoked and expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import update

from programmes.store.models import ApiKey
from tests.integration.programmes.conftest import Caller, Partners, new_organisation


def test_secretariat_edits_an_organisation_with_if_match(secretariat: Caller, partners: Partners):
    path = f"/v1/organisations/{partners.jp['id']}"
    read = secretariat.get(path)
    etag = read.headers["ETag"]
    edited = secretariat.client.patch(
        path,
        json={"preferred_language": "ja", "name": "Tokyo Institute"},
        headers=secretariat.headers({"If-Match": etag}),
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["preferred_language"] == "ja" and edited.json["version"] == 2
    stale = secretariat.client.patch(
        path, json={"name": "Again"}, headers=secretariat.headers({"If-Match": etag})
    )
    assert stale.status_code == 412
    by_partner = partners.jp_caller.client.patch(
        path, json={"name": "Self-renamed"}, headers=partners.jp_caller.headers()
    )
    assert by_partner.status_code == 403


def test_keys_are_listed_without_secrets_and_revocation_takes_effect(
    secretariat: Caller, partners: Partners
):
    issued = secretariat.post(
        f"/v1/organisations/{partners.jp['id']}/api-keys",
        {"name": "ci", "role": "partner", "expires_at": "2099-01-01T00:00:00+00:00"},
    ).json
    listed = partners.jp_caller.get(f"/v1/organisations/{partners.jp['id']}/api-keys").json
    assert listed["total"] == 2
    assert all("key" not in k for k in listed["items"])
    assert issued["id"] in {k["id"] for k in listed["items"]}
    other = partners.in_caller.get(f"/v1/organisations/{partners.jp['id']}/api-keys")
    assert other.status_code == 404

    ci = Caller(secretariat.client, issued["key"])
    assert ci.get("/v1/programmes").status_code == 200
    assert (
        partners.in_caller.client.delete(
            f"/v1/api-keys/{issued['id']}", headers=partners.in_caller.headers()
        ).status_code
        == 404
    )
    revoked = secretariat.client.delete(
        f"/v1/api-keys/{issued['id']}", headers=secretariat.headers()
    )
    assert revoked.status_code == 204
    assert ci.get("/v1/programmes").status_code == 401
    assert ci.get("/internal/authorize").status_code == 401
    with_revoked = secretariat.get(
        f"/v1/organisations/{partners.jp['id']}/api-keys", query_string={"include_revoked": "true"}
    ).json
    assert with_revoked["total"] == 2 + 0 and any(k["revoked_at"] for k in with_revoked["items"])


def test_an_expired_key_is_refused(app: Flask, secretariat: Caller, partners: Partners, engine):
    org = new_organisation(secretariat, "IN")
    issued = secretariat.post(
        f"/v1/organisations/{org['id']}/api-keys",
        {"name": "short", "role": "partner", "expires_at": "2099-01-01T00:00:00+00:00"},
    ).json
    caller = Caller(secretariat.client, issued["key"])
    assert caller.get("/v1/programmes").status_code == 200
    with engine.begin() as conn:
        conn.execute(
            update(ApiKey)
            .where(ApiKey.id == issued["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    # Changed behind the service's back: the process that kept the key must be told.
    app.extensions["programmes.kept_keys"].changed()
    answer = caller.get("/v1/programmes")
    assert answer.status_code == 401 and "expired" in answer.json["message"]
