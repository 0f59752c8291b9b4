"""Who is calling: API keys to principals, and the role checks every use case shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from programmes.domain.keys import bearer_secret, hash_secret
from programmes.store.models import ApiKey, Organisation
from setu_contract.errors import Forbidden, Unauthenticated
from setu_contract.http import UNAUTHENTICATED, Principal

# Every request whose key the process has not kept (store.kept_keys) runs this: built once,
# and read as a row, not as two ORM objects.
_KEY_BY_HASH = (
    select(
        ApiKey.id,
        ApiKey.organisation_id,
        ApiKey.role,
        ApiKey.revoked_at,
        ApiKey.expires_at,
        ApiKey.name,
        Organisation.country,
        Organisation.kind,
    )
    .join(ApiKey.organisation)
    .where(ApiKey.secret_hash == bindparam("secret_hash"))
)


class Identity(NamedTuple):
    principal: Principal
    expires: float | None  # the key's expiry, seconds since the epoch


def secret_hash(authorization: str | None) -> str:
    """The stored hash of the key in an ``Authorization: Bearer <key>`` header, or 401."""
    secret = bearer_secret(authorization)
    if secret is None:
        raise Unauthenticated(UNAUTHENTICATED)
    return hash_secret(secret)


def authenticate(session: Session, key_hash: str) -> Identity:
    """The principal of a key that exists, is not revoked and has not expired, and when the
    key expires."""
    key = session.connection().execute(_KEY_BY_HASH, {"secret_hash": key_hash}).first()
    if key is None:
        raise Unauthenticated("the API key is not valid")
    if key.revoked_at is not None:
        raise Unauthenticated("the API key has been revoked")
    if key.expires_at is not None and key.expires_at <= datetime.now(UTC):
        raise Unauthenticated("the API key has expired")
    if not role_fits(key.role, key.kind):
        # A key issued before the rule held (an auditor of a partner organisation, say).
        raise Unauthenticated("the API key's role does not fit its organisation")
    side = key.country if key.role == "secretariat" else None
    expires = key.expires_at.timestamp() if key.expires_at is not None else None
    principal = Principal(key.organisation_id, key.role, key.id, side, name=key.name)
    return Identity(principal, expires)


# The roles a key (or a person) may hold in each kind of organisation: the secretariat and
# its auditors sit in the two secretariat sides; outside experts (reviewers, people only) in
# an expert panel; everyone else is a partner.
SECRETARIAT_ROLES = frozenset({"secretariat", "auditor"})


def role_fits(role: str, organisation_kind: str) -> bool:
    if organisation_kind == "secretariat":
        return role in SECRETARIAT_ROLES
    if organisation_kind == "expert_panel":
        return role == "reviewer"
    return role == "partner"


def require_own_side(principal: Principal, organisation: Organisation) -> None:
    """A secretariat side manages its own keys, people and record and those of partner
    organisations, never the other side's (403): it cannot act in the other side's name."""
    if (
        principal.is_secretariat
        and organisation.kind == "secretariat"
        and organisation.id != principal.organisation_id
    ):
        raise Forbidden(
            "a secretariat side manages its own keys, people and organisation record, "
            "never the other side's"
        )


def require_secretariat(principal: Principal) -> None:
    if not principal.is_secretariat:
        raise Forbidden("only the secretariat may do this")


def require_writer(principal: Principal) -> None:
    if principal.role == "auditor":
        raise Forbidden("auditors read everything and write nothing")
    if principal.role == "reviewer":
        raise Forbidden("reviewers read and review what is assigned to them, nothing else")
