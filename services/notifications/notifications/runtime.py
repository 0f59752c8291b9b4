"""What a worker process holds: settings, database sessions and one SMTP connection.

Built on first use inside the process that uses it (after Celery forks its pool), never at
import time, and rebuilt if the process id changes.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from notifications.config import Config
from notifications.domain.planning import Settings
from notifications.mail.attachments import report_attachments
from notifications.mail.compose import Attachment, Sender
from notifications.mail.smtp import SmtpSettings, SmtpTransport
from notifications.mail.unsubscribe import unsubscribe_url
from notifications.services.webhook_sending import WebhookPolicy
from notifications.store.db import make_worker_sessionmaker
from notifications.store.models import Delivery
from notifications.webhooks import transport as webhook_transport
from setu_contract.confirmations import Confirmer
from setu_contract.messaging import NOTIFICATIONS_QUEUE
from setu_contract.sign_in import console_sign_in_url


@dataclass
class Runtime:
    config: Config

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_worker_sessionmaker(self.config.database_url)

    @cached_property
    def transport(self) -> SmtpTransport:
        c = self.config
        return SmtpTransport(
            SmtpSettings(
                c.smtp_host,
                c.smtp_port,
                c.smtp_username,
                c.smtp_password,
                c.smtp_starttls,
                c.smtp_timeout,
            )
        )

    @cached_property
    def confirmer(self) -> Confirmer:
        """Tells each event's producer once this service is done with the event."""
        return Confirmer(self.config.redis_url, NOTIFICATIONS_QUEUE)

    @property
    def settings(self) -> Settings:
        return Settings(self.config.secretariat_email, self.config.public_url)

    @property
    def sender(self) -> Sender:
        c = self.config
        links = functools.partial(console_sign_in_url, c.public_url, c.internal_secret)
        return Sender(c.mail_from, c.reply_to, links if c.internal_secret else None)

    @property
    def webhook_policy(self) -> WebhookPolicy:
        c = self.config
        return WebhookPolicy(
            c.webhook_max_attempts, timedelta(seconds=c.webhook_disable_after), c.public_url
        )

    def post_webhook(
        self, url: str, secret: str, message_id: str, payload: dict[str, Any]
    ) -> webhook_transport.Response:
        return webhook_transport.post(
            url, secret, message_id, payload, self.config.webhook_allow_private
        )

    def report_attachments(self, delivery: Delivery) -> tuple[Attachment, ...]:
        return report_attachments(self.config.reports_url, delivery.context)

    def unsubscribe_link(self, delivery: Delivery) -> str | None:
        if not delivery.unsubscribable:
            return None
        return unsubscribe_url(
            self.config.public_url, self.config.secret_key, delivery.recipient, delivery.language
        )


_current: tuple[int, Runtime] | None = None


def runtime() -> Runtime:
    global _current
    if _current is None or _current[0] != os.getpid():
        _current = (os.getpid(), Runtime(Config.from_env()))
    return _current[1]
