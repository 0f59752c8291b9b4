"""The schemathesis configuration of the contract fuzz run: checks, bounds and real ids."""

from __future__ import annotations

import json

# What every response is held to. Together these say "no 5xx, and every response is what the
# document says it is": a documented status, the documented media type, the documented headers
# and a body valid against the documented schema; and a request the document forbids is refused
# with a 4xx (negative_data_rejection). Not positive_data_acceptance: a request valid against the
# schema may still break a rule the schema cannot express (dates in order, a host in the other
# country, a partner that exists), and the API rightly answers those with 422.
CHECKS = (
    "negative_data_rejection",
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)

# Requests naming a row draw a real id (seeded) this often, and a generated one otherwise, so
# both the code behind the 404 and the 404 itself are exercised.
REAL_ID_PROBABILITY = 0.8

# Where each dictionary of seeded ids is used: path parameters and the request-body fields that
# name other rows (without them nearly every POST stops at "no such organisation").
BINDINGS = {
    "organisations": (
        "path.organisation_id",
        "query.organisation_id",
        "body.organisation_id",
        "body.host_organisation_id",
        "body.home_organisation_id",
        "body.partners[*].organisation_id",
        "body.budget[*].organisation_id",
    ),
    "programmes": ("path.programme_id", "query.programme_id", "body.programme_id"),
    "applications": ("path.application_id",),
    "api_keys": ("path.key_id",),
    "reports": ("path.report_id",),
    "schedules": ("path.schedule_id",),
    "webhooks": ("path.webhook_id",),
    "notifications": ("path.notification_id",),
    "tokens": ("path.token",),
}


# Transitions get rows of their own, so that the rows the other operations read and edit stay
# in the state they were seeded in (a draft to edit, an approved programme to file against).
MOVING = {
    "path.programme_id": "moving_programmes",
    "path.application_id": "moving_applications",
}


def _toml(value: object) -> str:
    # JSON strings, numbers and arrays of them are valid TOML values.
    return json.dumps(value)


def config_toml(ids: dict[str, list[str]]) -> str:
    """A schemathesis.toml binding the seeded ids to the parameters that name rows."""
    lines = []
    for name, values in sorted(ids.items()):
        if values:
            lines += [f"[dictionaries.{name}]", f"values = {_toml(values)}", ""]
    lines.append("[parameters]")
    for name, keys in BINDINGS.items():
        if not ids.get(name):
            continue
        for key in keys:
            binding = f"{{ dictionary = {_toml(name)}, probability = {REAL_ID_PROBABILITY} }}"
            lines.append(f"{_toml(key)} = {binding}")
    lines += [
        "",
        "[[operations]]",
        'include-path-regex = "/transitions$"',
        "[operations.parameters]",
    ]
    for key, name in MOVING.items():
        if ids.get(name):
            binding = f"{{ dictionary = {_toml(name)}, probability = {REAL_ID_PROBABILITY} }}"
            lines.append(f"{_toml(key)} = {binding}")
    return "\n".join(lines) + "\n"
