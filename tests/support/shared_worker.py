"""A Celery worker process and a database that a test file's tests share, each test starting
on them as on new ones.

A worker costs about 2 s of CPU and 4 s of waiting to start and stop; a test of it, about
half a second. A test file's tests of one worker share it, on one kind of database: before
each test its queue is emptied (what an earlier test left belongs to that test) and its
database put back to its rows as migrated (``MigratedRows``); the test sees the worker's
output from its start on (``WorkerOutput``). The worker starts again when a test asks for
other settings, and stops for a test that runs without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from sqlalchemy import Engine, MetaData, Row, Table, text

from tests.support.processes import Process, WorkerOutput, celery_worker


class MigratedRows:
    """Puts a database back to the rows it had when this was made (as migrated): every row
    added since is deleted, every row it had is written back. Alembic's table stays as is."""

    def __init__(self, engine: Engine):
        self.engine = engine
        schema = MetaData()
        schema.reflect(engine)
        self.tables = [t for t in schema.sorted_tables if t.name != "alembic_version"]
        with engine.connect() as conn:
            found = {table: list(conn.execute(table.select())) for table in self.tables}
        self.rows: dict[Table, list[Row]] = {table: rows for table, rows in found.items() if rows}

    def restore(self) -> None:
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                names = ", ".join(f'"{table.name}"' for table in self.tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
            else:
                for table in reversed(self.tables):
                    conn.execute(table.delete())
            for table, rows in self.rows.items():
                conn.execute(table.insert(), [row._asdict() for row in rows])


class SharedWorker:
    """One worker process of ``app`` on ``queue``, kept from test to test."""

    RUNNING: ClassVar[list[SharedWorker]] = []

    def __init__(
        self, app: str, queue: str, directory: Path, concurrency: int = 1, name: str | None = None
    ) -> None:
        self.app, self.queue, self.directory = app, queue, directory
        self.concurrency, self.name = concurrency, name
        self.process: Process | None = None
        self.env: dict[str, str] = {}
        self.started = 0

    def run_with(self, env: dict[str, str]) -> WorkerOutput:
        """The worker running with ``env`` (started, or started again with it); its output
        from here on."""
        if self.process is not None and env != self.env:
            self.pause()
        if self.process is None:
            self.started += 1
            log_dir = self.directory / f"worker-{self.started}"
            log_dir.mkdir()
            self.process = celery_worker(
                self.app, self.queue, env, log_dir, self.concurrency, self.name
            )
            self.env = env
            SharedWorker.RUNNING.append(self)
        return WorkerOutput(self.process)

    def pause(self) -> None:
        """Stop the worker; the next test that asks for it starts it again."""
        if self.process is not None:
            self.process.stop()
            self.process = None
            SharedWorker.RUNNING.remove(self)

    @classmethod
    def pause_all(cls) -> None:
        """Before a test without a shared worker: its own worker, or none, takes the queue."""
        for worker in list(cls.RUNNING):
            worker.pause()
