"""Every benchmark group, in the order of a run, and which of them run by default."""

from __future__ import annotations

from bench import api, ceilings, console, latency, mail, pipeline, reports_curve, soak
from bench.harness import Group

# Each ceiling runs just before what is compared to it. This host's speed moves by a third
# within minutes: a ceiling taken at the start of a run and a figure taken five minutes later
# made ratios that said more about the host than about Setu.
GROUPS: dict[str, Group] = {
    "http_ceiling": ceilings.http,
    "api": api.run,
    "console": console.run,
    "celery_ceiling": ceilings.celery_noop,
    "pipeline": pipeline.run,
    "smtp_ceiling": ceilings.smtplib_loop,
    "email": mail.throughput,
    "latency": latency.run,
    "reports": reports_curve.run,
    "soak": soak.run,
}
# Each ceiling and what is compared to it: a pair is run in rounds (python -m bench --rounds).
PAIRS = {"http_ceiling": "api", "celery_ceiling": "pipeline", "smtp_ceiling": "email"}
SOAK = "soak"
DEFAULT = [name for name in GROUPS if name != SOAK]
