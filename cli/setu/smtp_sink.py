"""A local SMTP server that writes each message it receives to `<dir>/<time>-<n>.eml`.

`setu up` starts it when SMTP_HOST is unset, so a laptop needs no mail server.
"""

from __future__ import annotations

import itertools
import signal
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class EmlWriter:
    def __init__(self, directory: Path):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{next(self.counter):05d}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.directory / name)  # readers never see half a message
        return "250 Message accepted for delivery"


def serve(host: str, port: int, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(EmlWriter(directory), hostname=host, port=port)
    controller.start()
    print(f"SMTP sink on {host}:{port}, writing to {directory}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()
