"""After a commit that wrote rows of some kinds, tell whoever keeps something derived from them.

The list totals and the kept API keys (Redis-held generations both) must learn of a write once
it is committed, and never of one that was rolled back. A session made by the watched
sessionmaker notes, at each flush, which watched names its new, changed or deleted instances
belong to, and hands the names to the callback after its commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker


def after_committed_writes(
    sessions: sessionmaker[Session],
    watched: Mapping[str, tuple[type, ...]],
    changed: Callable[[Iterable[str]], None],
) -> None:
    """Call ``changed(names)`` after every commit of ``sessions`` that flushed an instance of
    one of the classes of each name in ``watched``."""
    pending = object()  # this watch's own key in session.info

    def after_flush(session: Session, _context: Any) -> None:
        touched = (*session.new, *session.dirty, *session.deleted)
        names = {
            name
            for name, kinds in watched.items()
            if any(isinstance(instance, kinds) for instance in touched)
        }
        if names:
            session.info.setdefault(pending, set()).update(names)

    def after_commit(session: Session) -> None:
        names = session.info.pop(pending, None)
        if names:
            changed(names)

    def after_rollback(session: Session) -> None:
        session.info.pop(pending, None)

    event.listen(sessions, "after_flush", after_flush)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)
