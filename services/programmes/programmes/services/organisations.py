"""Organisations and their API keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from programmes.domain.keys import hash_secret, new_secret
from programmes.domain.versioning import check_if_match
from programmes.services.access import (
    require_own_side,
    require_secretariat,
    require_writer,
    role_fits,
)
from programmes.services.events import emit, organisation_snapshot
from programmes.store.models import ApiKey, Organisation
from setu_contract.errors import Invalid, NotFound, Unavailable
from setu_contract.events import EventType
from setu_contract.http import Principal

SECRETARIAT_NAMES = {"JP": "Japan Secretariat", "IN": "India Secretariat"}


def register(session: Session, fields: dict[str, Any]) -> Organisation:
    """A new organisation and its ``organisation.registered`` event."""
    org = Organisation(**fields)
    session.add(org)
    session.flush()
    emit(session, EventType.ORGANISATION_REGISTERED, organisation_snapshot(org))
    return org


def create_organisation(
    session: Session, principal: Principal, fields: dict[str, Any]
) -> Organisation:
    require_secretariat(principal)
    if fields.get("kind") == "secretariat":
        raise Invalid("secretariat organisations come only from bootstrap", {"kind": ["invalid"]})
    return register(session, fields)


def update_organisation(
    session: Session,
    principal: Principal,
    organisation_id: str,
    changes: dict[str, Any],
    if_match: str | None = None,
) -> Organisation:
    """The secretariat edits a partner organisation or its own side's record;
    ``organisation.updated`` carries the new version."""
    require_secretariat(principal)
    org = get_organisation(session, organisation_id, lock=True)
    require_own_side(principal, org)
    check_if_match(if_match, org.id, org.version)
    if org.kind == "secretariat" and ("kind" in changes or "country" in changes):
        raise Invalid(
            "a secretariat side keeps its kind and country",
            {
                name: ["cannot change for a secretariat"]
                for name in ("kind", "country")
                if name in changes
            },
        )
    for name, value in changes.items():
        setattr(org, name, value)
    org.version += 1
    org.updated_at = datetime.now(UTC)
    session.flush()
    emit(session, EventType.ORGANISATION_UPDATED, organisation_snapshot(org))
    return org


def get_organisation(session: Session, organisation_id: str, lock: bool = False) -> Organisation:
    query = select(Organisation).where(Organisation.id == organisation_id)
    org = session.scalar(query.with_for_update() if lock else query)
    if org is None:
        raise NotFound(f"no organisation {organisation_id}")
    return org


def list_organisations(
    session: Session, filters: dict[str, Any], page: int, page_size: int
) -> tuple[list[Organisation], int]:
    query = select(Organisation)
    for name in ("country", "kind"):
        if filters.get(name):
            query = query.where(getattr(Organisation, name) == filters[name])
    if filters.get("q"):
        query = query.where(Organisation.name.ilike(f"%{filters['q']}%"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(Organisation.created_at, Organisation.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(items), total


def issue_key(
    session: Session, organisation: Organisation, name: str, role: str, expires_at: Any = None
) -> tuple[ApiKey, str]:
    """A new key and its secret (returned this once; only its hash is stored)."""
    if not role_fits(role, organisation.kind):
        if organisation.kind == "secretariat":
            message = "a secretariat organisation has only secretariat and auditor keys"
        elif organisation.kind == "expert_panel":
            message = "an expert panel has no keys: its reviewers sign in as people"
        else:
            message = f"{role} keys exist only on secretariat organisations"
        raise Invalid(message, {"role": [message]})
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise Invalid("the expiry is in the past", {"expires_at": ["must be in the future"]})
    secret = new_secret()
    key = ApiKey(
        organisation_id=organisation.id,
        name=name,
        role=role,
        secret_hash=hash_secret(secret),
        prefix=secret[:12],
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return key, secret


def create_key(
    session: Session, principal: Principal, organisation_id: str, fields: dict[str, Any]
) -> tuple[ApiKey, str]:
    require_secretariat(principal)
    organisation = get_organisation(session, organisation_id)
    require_own_side(principal, organisation)
    return issue_key(
        session, organisation, fields["name"], fields["role"], fields.get("expires_at")
    )


def list_keys(
    session: Session, principal: Principal, organisation_id: str, include_revoked: bool
) -> list[ApiKey]:
    """An organisation's keys, without secrets: for the organisation itself, auditors, and
    the secretariat (but not the other side's)."""
    if not (principal.can_read_everything or principal.organisation_id == organisation_id):
        raise NotFound(f"no organisation {organisation_id}")
    require_own_side(principal, get_organisation(session, organisation_id))
    query = select(ApiKey).where(ApiKey.organisation_id == organisation_id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.scalars(query.order_by(ApiKey.created_at, ApiKey.id)))


def revoke_key(
    session: Session, principal: Principal, key_id: str, hold_kept_keys: Callable[[], bool]
) -> ApiKey:
    """The secretariat (not the other side's keys), or a partner for its own organisation's
    keys, revokes a key. ``hold_kept_keys`` (store.kept_keys) is called before the commit;
    when it fails (Redis did not answer), nothing is revoked: 503."""
    require_writer(principal)
    key = session.get(ApiKey, key_id)
    if key is None or not (
        principal.is_secretariat or principal.organisation_id == key.organisation_id
    ):
        raise NotFound(f"no API key {key_id}")
    require_own_side(principal, key.organisation)
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        session.flush()
        if not hold_kept_keys():
            raise Unavailable(
                "the revocation cannot be made known to every API process now (Redis did not "
                "answer); the key is not revoked: try again shortly"
            )
    return key


def bootstrap(session: Session, side: str, contact_email: str) -> tuple[ApiKey, str]:
    """Both secretariat sides if missing, then a new secretariat key for ``side``."""
    sides: dict[str, Organisation] = {}
    for country, name in SECRETARIAT_NAMES.items():
        existing = session.scalar(
            select(Organisation)
            .where(Organisation.kind == "secretariat", Organisation.country == country)
            .order_by(Organisation.created_at)
            .limit(1)
        )
        sides[country] = existing or register(
            session,
            {
                "name": name,
                "country": country,
                "kind": "secretariat",
                "contact_email": contact_email,
                "preferred_language": "en",
            },
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return issue_key(session, sides[side], f"bootstrap-{side}-{stamp}", "secretariat")
