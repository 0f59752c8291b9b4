"""Webhook endpoints of partner organisations: register, read, remove, and the delivery log.

Each use case works inside the caller's transaction: the route owns it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from notifications.store.models import WebhookDelivery, WebhookEndpoint
from notifications.webhooks.addresses import RefusedUrl, check_url
from notifications.webhooks.signing import new_secret
from setu_contract.errors import Forbidden, Invalid, NotFound
from setu_contract.http import Principal


@dataclass(frozen=True)
class NewEndpoint:
    url: str
    event_types: list[str]
    organisation_id: str | None = None


def _owner(principal: Principal, requested: str | None) -> str:
    if principal.role == "auditor":
        raise Forbidden("auditors read, they do not write")
    if principal.is_secretariat:
        return requested or principal.organisation_id
    if requested and requested != principal.organisation_id:
        raise Forbidden("a partner registers webhooks for its own organisation only")
    return principal.organisation_id


def create_endpoint(
    session: Session, principal: Principal, new: NewEndpoint, allow_private: bool
) -> WebhookEndpoint:
    """Register an endpoint; its secret is readable on the returned object this once."""
    try:
        check_url(new.url, allow_private)
    except RefusedUrl as exc:
        raise Invalid("the request breaks a rule; see errors", {"url": [str(exc)]}) from exc
    endpoint = WebhookEndpoint(
        organisation_id=_owner(principal, new.organisation_id),
        url=new.url,
        event_types=sorted(set(new.event_types)),
        secret=new_secret(),
        enabled=True,
    )
    session.add(endpoint)
    return endpoint


def _visible(query: Select, principal: Principal) -> Select:
    if principal.can_read_everything:
        return query
    return query.where(WebhookEndpoint.organisation_id == principal.organisation_id)


def _page(session: Session, query: Select, page: int, page_size: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


def list_endpoints(
    session: Session, principal: Principal, page: int, page_size: int
) -> tuple[list[WebhookEndpoint], int]:
    query = _visible(select(WebhookEndpoint), principal)
    return _page(session, query.order_by(WebhookEndpoint.created_at), page, page_size)


def get_endpoint(session: Session, principal: Principal, endpoint_id: str) -> WebhookEndpoint:
    query = _visible(select(WebhookEndpoint), principal).where(WebhookEndpoint.id == endpoint_id)
    endpoint = session.scalar(query)
    if endpoint is None:
        raise NotFound(f"no webhook {endpoint_id}")
    return endpoint


def delete_endpoint(session: Session, principal: Principal, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint read by ``get_endpoint`` (gone meanwhile: nothing to do)."""
    _owner(principal, endpoint.organisation_id)
    row = session.get(WebhookEndpoint, endpoint.id)
    if row is not None:
        session.delete(row)


def list_endpoint_deliveries(
    session: Session, endpoint: WebhookEndpoint, page: int, page_size: int
) -> tuple[list[WebhookDelivery], int]:
    """The delivery log of an endpoint read by ``get_endpoint``, newest first."""
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
    )
    return _page(session, query, page, page_size)
