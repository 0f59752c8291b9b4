"""Pool children freeze the heap they start with (run in a fresh interpreter: it connects a
Celery signal and freezes the process's heap, neither of which a test process should keep)."""

from __future__ import annotations

import subprocess
import sys

SNIPPET = """
import gc
from celery import signals
from setu_contract.messaging import freeze_start_up_heap_in_pool_children

freeze_start_up_heap_in_pool_children()
before = gc.get_freeze_count()
signals.worker_process_init.send(sender=None)
print(before, gc.get_freeze_count())
"""


def test_a_pool_child_freezes_its_start_up_heap_when_it_starts():
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET], capture_output=True, text=True, timeout=60, check=True
    )
    before, after = (int(n) for n in done.stdout.split())
    assert before == 0
    assert after > 10_000
