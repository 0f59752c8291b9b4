"""What every long-lived process does as it starts (its files private) and once its app is
loaded (API worker, Celery pool child: its start-up heap frozen)."""

from __future__ import annotations

import gc


def freeze_start_up_heap() -> None:
    """Move what the process has built so far out of the garbage collector's sight.

    The modules, mappers, schemas, routes and settings live as long as the process. Left in
    the collector's generations, every full collection walked them all: 50-77 ms pauses on a
    programme list page, every few hundred requests. Frozen, the longest pause is ~2 ms.
    """
    gc.collect()
    gc.freeze()


# New files readable and writable by the process's own user only, new directories its own.
PRIVATE_UMASK = 0o077


def keep_new_files_private() -> None:
    """From now on, in this process and the processes it starts, every file Setu writes
    (databases, mail, reports, secrets, logs of its own) is its user's only: 0600 files,
    0700 directories. Called at the start of every Setu process."""
    import os

    os.umask(PRIVATE_UMASK)
