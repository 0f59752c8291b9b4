"""A local SMTP server (aiosmtpd) that writes one JSON line per message it accepts.

Each line has the arrival time (time.time()) and the message's X-Setu-Event-Id header, so
that a benchmark can match an email to the API answer that caused it. Run as its own
process: ``python -m bench.smtp_sink --port N --out FILE``.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller


class TimestampingHandler:
    def __init__(self, out_path: str) -> None:
        self.out = open(out_path, "a", buffering=1)  # noqa: SIM115 - kept for the process life
        self.parser = BytesHeaderParser()

    async def handle_DATA(self, server, session, envelope):
        arrived = time.time()
        headers = self.parser.parsebytes(envelope.content)
        line = {"t": arrived, "event_id": headers.get("X-Setu-Event-Id")}
        self.out.write(json.dumps(line) + "\n")
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    controller = Controller(TimestampingHandler(args.out), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"smtp sink listening on {args.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
