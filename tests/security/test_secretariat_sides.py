"""The two secretariat sides are two: neither manages the other's keys or record, so neither
can approve in the other's name; auditor keys exist only on secretariat organisations."""

from __future__ import annotations

from sqlalchemy import Engine, insert

from programmes.domain.keys import hash_secret, new_secret
from programmes.store.models import ApiKey
from tests.integration.programmes.conftest import Caller, Partners, new_key, side_organisation


def issue(caller: Caller, organisation_id: str, role: str):
    return caller.post(f"/v1/organisations/{organisation_id}/api-keys", {"name": "k", "role": role})


def test_one_side_cannot_issue_a_key_on_the_other_side_and_approve_in_its_name(
    secretariat: Caller, secretariat_in: Caller, partners: Partners
):
    india_side = side_organisation(secretariat, "IN")
    for role in ("secretariat", "auditor"):
        refused = issue(secretariat, india_side["id"], role)
        assert refused.status_code == 403, refused.json
        assert "other side" in refused.json["message"]
    listed = secretariat_in.get(f"/v1/organisations/{india_side['id']}/api-keys").json
    assert listed["total"] == 1  # bootstrap's key only


def test_one_side_cannot_list_or_revoke_the_other_sides_keys(
    secretariat: Caller, secretariat_in: Caller
):
    india_side = side_organisation(secretariat, "IN")
    india_key = issue(secretariat_in, india_side["id"], "secretariat").json
    path = f"/v1/organisations/{india_side['id']}/api-keys"
    assert secretariat.get(path).status_code == 403
    revoked = secretariat.client.delete(
        f"/v1/api-keys/{india_key['id']}", headers=secretariat.headers()
    )
    assert revoked.status_code == 403
    assert Caller(secretariat.client, india_key["key"]).get("/v1/programmes").status_code == 200


def test_one_side_cannot_edit_the_other_sides_organisation(
    secretariat: Caller, secretariat_in: Caller
):
    india_side = side_organisation(secretariat, "IN")
    path = f"/v1/organisations/{india_side['id']}"
    changed = secretariat.client.patch(
        path, json={"contact_email": "attacker@example.org"}, headers=secretariat.headers()
    )
    assert changed.status_code == 403
    assert secretariat.get(path).json["contact_email"] == india_side["contact_email"]
    own = secretariat_in.client.patch(
        path, json={"contact_email": "in-side@example.org"}, headers=secretariat_in.headers()
    )
    assert own.status_code == 200 and own.json["contact_email"] == "in-side@example.org"


def test_a_side_manages_its_own_keys_and_partner_organisations(
    secretariat: Caller, secretariat_in: Caller, partners: Partners
):
    japan_side = side_organisation(secretariat, "JP")
    for role in ("secretariat", "auditor"):
        assert issue(secretariat, japan_side["id"], role).status_code == 201
    # Both sides issue partner keys and edit partner organisations of either country.
    for side in (secretariat, secretariat_in):
        for partner in (partners.jp, partners.india):
            assert issue(side, partner["id"], "partner").status_code == 201
            edited = side.client.patch(
                f"/v1/organisations/{partner['id']}",
                json={"preferred_language": "ja"},
                headers=side.headers(),
            )
            assert edited.status_code == 200


def test_auditor_keys_exist_only_on_secretariat_organisations(
    secretariat: Caller, partners: Partners
):
    refused = issue(secretariat, partners.india["id"], "auditor")
    assert refused.status_code == 422 and "role" in refused.json["errors"]
    assert issue(secretariat, partners.india["id"], "secretariat").status_code == 422
    japan_side = side_organisation(secretariat, "JP")
    assert issue(secretariat, japan_side["id"], "partner").status_code == 422
    auditor = Caller(secretariat.client, new_key(secretariat, japan_side["id"], role="auditor"))
    assert auditor.get("/v1/events").status_code == 200


def test_an_auditor_key_made_on_a_partner_organisation_before_the_rule_is_refused(
    secretariat: Caller, partners: Partners, engine: Engine
):
    secret = new_secret()
    with engine.begin() as conn:
        conn.execute(
            insert(ApiKey).values(
                id="legacy-auditor",
                organisation_id=partners.india["id"],
                name="legacy",
                role="auditor",
                secret_hash=hash_secret(secret),
                prefix=secret[:12],
            )
        )
    refused = Caller(secretariat.client, secret).get("/v1/events")
    assert refused.status_code == 401 and "does not fit" in refused.json["message"]
