"""The calls' clock: what runs it (the relay's thread, `setu programmes tick-calls`) and how.

Each tick reads what is due (services.call_clock, services.mobility_clock,
services.licence_clock), then does each piece of work (a call moved, a reminder, a licence
notice) in a transaction of its own, done once even when two beats tick at the same moment.
It also reclaims what erasures freed when the reclaim after one had to give up
(setu_contract.reclaims).

Each piece guards itself with a unique key or a compare-and-set: the second tick's insert
fails on the key (IntegrityError) and that piece counts as done by the other. A busy database
(OperationalError, SQLite's lock or PostgreSQL's serialisation) is tried again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from programmes.services import call_clock, licence_clock, mobility_clock
from programmes.store.models import reclaims_due
from setu_contract import reclaims

log = logging.getLogger(__name__)


def once(factory: sessionmaker[Session], work: Callable[[Session], int], attempts: int) -> int:
    """``work`` in a transaction of its own; what it counted, or 0 if another tick did it."""
    for attempt in range(attempts):
        try:
            with factory() as session, session.begin():
                return int(work(session))
        except IntegrityError:
            return 0  # another tick did this first
        except OperationalError:
            if attempt == attempts - 1:
                raise
            log.warning("the database was busy; trying the clock's work again")
    return 0


def tick(factory: sessionmaker[Session], now: datetime, attempts: int = 3) -> dict[str, int]:
    """Do every piece of work due at ``now``, each in its own transaction; how many of
    each were done by this tick."""
    done = {
        "moved": 0,
        "reminded": 0,
        "reviewers_reminded": 0,
        "exchanges_reminded": 0,
        "licence_notices": 0,
        "reclaimed": 0,
    }
    with factory() as session:
        calls = call_clock.due_calls(session, now)
        due = call_clock.due_reviews(session, now)
        exchanges = mobility_clock.due(session, now)
    for call_id in calls:
        done["moved"] += once(
            factory, partial(call_clock.advance, call_id=call_id, now=now), attempts
        )
        done["reminded"] += once(
            factory, partial(call_clock.remind, call_id=call_id, now=now), attempts
        )
    for assignment_id in due:
        done["reviewers_reminded"] += once(
            factory,
            partial(call_clock.remind_reviewer, assignment_id=assignment_id, now=now),
            attempts,
        )
    for application_id in exchanges:
        done["exchanges_reminded"] += once(
            factory,
            partial(mobility_clock.remind, application_id=application_id, now=now),
            attempts,
        )
    done["licence_notices"] = tick_licences(factory, now, attempts)
    # An erasure whose freed space could not be reclaimed after it is tried again here.
    done["reclaimed"] = int(
        bool(reclaims.reclaim_due(factory.kw["bind"], reclaims_due, reclaims.RETRY_WAIT))
    )
    return done


def tick_licences(factory: sessionmaker[Session], now: datetime, attempts: int = 3) -> int:
    """Send every licence notice due at ``now`` (its UTC day); how many this tick sent."""
    day = now.date()
    with factory() as session:
        due = licence_clock.due(session, day)
    sent = 0
    for screening_id in due:
        sent += once(
            factory, partial(licence_clock.notify, screening_id=screening_id, day=day), attempts
        )
    return sent


def run(factory: sessionmaker[Session], every: float, stop: threading.Event) -> None:
    """Tick every ``every`` seconds until ``stop`` is set; a failed tick is logged and the
    next one does its work (nothing is marked done unless it was)."""
    while not stop.wait(every):
        try:
            done = tick(factory, datetime.now(UTC))
            if any(done.values()):
                log.info("call clock: %s", done)
        except Exception:
            log.exception("call clock tick failed; the next tick tries again")


def start(factory: sessionmaker[Session], every: float) -> threading.Event:
    """The clock in a daemon thread of this process; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=run, args=(factory, every, stop), name="call-clock", daemon=True
    ).start()
    return stop
