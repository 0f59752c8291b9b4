"""One piece of a clock's work (a call moved, a reminder, a licence notice) in its own
transaction, done once even when two beats tick at the same moment.

Each piece guards itself with a unique key or a compare-and-set: the second tick's insert
fails on the key (IntegrityError) and that piece counts as done by the other. A busy database
(OperationalError, SQLite's lock or PostgreSQL's serialisation) is tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

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
