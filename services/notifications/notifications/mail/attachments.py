"""A report's file for its email, fetched from the reports service by the email's own signed
link (what a recipient downloads is what is attached: the same bytes, checked by SHA-256)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

import requests

from notifications.domain.planning import ATTACH_AT_MOST
from notifications.mail.compose import Attachment
from notifications.mail.smtp import TransientSendError

TIMEOUT = 30.0


def report_attachments(reports_url: str, context: dict[str, Any]) -> tuple[Attachment, ...]:
    """The file when the email attaches it; none once its link is revoked or the file gone.
    The reports service away, or a file that is not the one the event named, is transient:
    the email is tried again later."""
    if not context.get("attach"):
        return ()
    url = reports_url + urlsplit(context["link"]).path
    try:
        answer = requests.get(url, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise TransientSendError(f"the report file could not be fetched: {exc!r}") from exc
    if answer.status_code in (404, 410):
        return ()
    data = answer.content
    if answer.status_code != 200 or len(data) > ATTACH_AT_MOST:
        raise TransientSendError(f"the report file could not be fetched: {answer.status_code}")
    if hashlib.sha256(data).hexdigest() != context.get("sha256"):
        raise TransientSendError("the report file is not the one its event names")
    return (Attachment(context["file_name"], context["content_type"], data),)
