"""Every benchmark group, in the order of a run, and which of them run by default."""

from __future__ import annotations

from bench import api, ceilings, latency, mail, pipeline, reports_curve, soak
from bench.harness import Group

GROUPS: dict[str, Group] = {
    "http_ceiling": ceilings.http,
    "celery_ceiling": ceilings.celery_noop,
    "smtp_ceiling": ceilings.smtplib_loop,
    "api": api.run,
    "latency": latency.run,
    "email": mail.throughput,
    "pipeline": pipeline.run,
    "reports": reports_curve.run,
    "soak": soak.run,
}
SOAK = "soak"
DEFAULT = [name for name in GROUPS if name != SOAK]
