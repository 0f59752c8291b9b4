"""`setu up`'s supervisor: a process that exits is started again, later each time it exits
in a row, while the others run on; Ctrl-C still stops every process, a restart pending or not.

The supervisor runs as `setu up` runs it, in a process of its own (it takes SIGINT and
SIGTERM), with short delays and real child processes.
"""

from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

from tests.support.processes import Process

SCRIPT = """
import sys
from setu.supervisor import RestartPolicy, Supervisor

supervisor = Supervisor(RestartPolicy(first_delay=0.3, longest_delay=1.2, steady_after=60))
supervisor.add_process("steady", "exec sleep 600")
supervisor.add_process("flaky", "echo flaky ran; exit 3")
supervisor.loop()
sys.exit(supervisor.returncode or 0)
"""


def _supervisor(tmp_path: Path) -> Process:
    return Process("supervisor", [sys.executable, "-c", SCRIPT], {}, tmp_path)


RESTART = re.compile(r"flaky exited \(rc=3\); restarting in ([\d.]+) s")


def _delays(output: str) -> list[float]:
    return [float(delay) for delay in RESTART.findall(output)]


def test_an_exiting_process_is_restarted_with_backoff_and_ctrl_c_stops_everything(tmp_path):
    supervisor = _supervisor(tmp_path)
    try:
        supervisor.wait_for(lambda out: len(_delays(out)) >= 4, "restart flaky four times")
        output = supervisor.output()
        assert _delays(output)[:4] == [0.3, 0.6, 1.2, 1.2]
        assert output.count("flaky ran") >= 4
        assert "steady stopped" not in output
        [steady] = re.findall(r"steady started \(pid=(\d+)\)", output)

        supervisor.popen.send_signal(signal.SIGINT)
        assert supervisor.popen.wait(30) == 130
        output = supervisor.output()
        assert "SIGINT received" in output
        assert f"sending SIGTERM to steady (pid {steady})" in output
        assert re.search(r"steady stopped \(rc=-15\)", output)
        # Nothing waiting to start again did.
        assert output.count("flaky started") == output.count("flaky stopped")
    finally:
        supervisor.stop()


def test_sigterm_while_a_process_waits_to_start_again_starts_nothing_again(tmp_path):
    supervisor = _supervisor(tmp_path)
    try:
        supervisor.wait_for(lambda out: len(_delays(out)) >= 1, "restart flaky")
        supervisor.popen.send_signal(signal.SIGTERM)
        assert supervisor.popen.wait(30) == 143
        after_sigterm = supervisor.output().split("SIGTERM received", 1)[1]
        assert "steady stopped" in after_sigterm
        assert "flaky started" not in after_sigterm
    finally:
        supervisor.stop()
