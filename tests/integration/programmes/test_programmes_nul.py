"""NUL characters (which PostgreSQL text cannot hold) are refused as field errors, not 500s."""

from __future__ import annotations

from tests.integration.programmes.conftest import Caller, Partners, programme_body


def test_nul_in_a_body_is_a_field_error(secretariat: Caller, partners: Partners):
    org = secretariat.post(
        "/v1/organisations",
        {"name": "Nul\x00Org", "country": "JP", "kind": "company", "contact_email": "n@x.jp"},
    )
    assert org.status_code == 422 and "name" in org.json["errors"]
    programme = partners.jp_caller.post(
        "/v1/programmes", programme_body(partners, title="Title with \x00 inside")
    )
    assert programme.status_code == 422 and "title" in programme.json["errors"]


def test_nul_in_a_query_or_path_is_not_a_500(secretariat: Caller):
    listed = secretariat.get("/v1/programmes", query_string={"q": "a\x00b"})
    assert listed.status_code == 422
    assert secretariat.get("/v1/programmes/a%00b").status_code == 404
    assert secretariat.get("/v1/organisations/a%00b").status_code == 404
