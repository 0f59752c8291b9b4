"""Who a report may be emailed to: the secretariat's address and organisations' contact
addresses (PRODUCT.md, *Notifications*), never an address a caller makes up."""

from __future__ import annotations

from email.utils import parseaddr

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reports.domain.errors import RecipientsRefused
from reports.store.models import Organisation


def check_recipients(session: Session, recipients: list[str], secretariat_email: str) -> None:
    """Raise RecipientsRefused naming every recipient that is neither ``secretariat_email``
    nor an organisation's contact address in the read model (compared without case)."""
    if not recipients:
        return
    wanted = {address.lower() for address in recipients}
    contact = func.lower(Organisation.contact_email)
    known = set(session.scalars(select(contact).where(contact.in_(wanted))))
    known.add(parseaddr(secretariat_email)[1].lower())
    refused = [address for address in recipients if address.lower() not in known]
    if refused:
        raise RecipientsRefused(refused)
