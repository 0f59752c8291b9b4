"""How the test processes are handed their files (tests/conftest.py): a shared folder as one
unit, the files that start the whole system before the others, the rest as xdist orders them."""

from __future__ import annotations

from types import SimpleNamespace

from xdist.scheduler import LoadFileScheduling

from tests.conftest import FileOrSharedFolderScheduling

COLLECTION = [
    *(f"tests/unit/test_many.py::test_{n}" for n in range(20)),
    *(f"tests/integration/test_some.py::test_{n}" for n in range(5)),
    "tests/e2e/test_one.py::test_it",
    "tests/contract_fuzz/test_fuzz.py::test_it",
    "tests/security/local/test_a.py::test_it",
    "tests/security/local/test_b.py::test_it",
]


class Config:
    """What the scheduler reads of pytest's configuration: two processes, xdist's defaults."""

    option = SimpleNamespace(loadscopereorder=True)

    def getvalue(self, name: str) -> list[str]:
        assert name == "tx"
        return ["2*popen"]


class Process:
    """A test process as the scheduler sees it: the indexes of the tests it is sent."""

    def __init__(self, name: str) -> None:
        self.gateway = SimpleNamespace(id=name)
        self.sent: list[list[str]] = []
        self.shutting_down = False

    def send_runtest_some(self, indexes: list[int]) -> None:
        self.sent.append([COLLECTION[i] for i in indexes])

    def shutdown(self) -> None:
        self.shutting_down = True


def handed_out(scheduling: type[LoadFileScheduling]) -> tuple[list[Process], list[str]]:
    """What each of two processes is sent when the run starts, and the files still queued."""
    scheduler = scheduling(Config())  # type: ignore[arg-type]
    processes = [Process("gw0"), Process("gw1")]
    for process in processes:
        scheduler.add_node(process)  # type: ignore[arg-type]
        scheduler.add_node_collection(process, COLLECTION)  # type: ignore[arg-type]
    scheduler.schedule()
    return processes, list(scheduler.workqueue)


def test_the_files_that_start_the_whole_system_are_handed_out_first():
    (first, second), queued = handed_out(FileOrSharedFolderScheduling)
    # The shared folder is one unit, to one process; then the other long files, one each.
    assert first.sent[0] == [
        "tests/security/local/test_a.py::test_it",
        "tests/security/local/test_b.py::test_it",
    ]
    assert second.sent[0] == ["tests/e2e/test_one.py::test_it"]
    assert first.sent[1] == ["tests/contract_fuzz/test_fuzz.py::test_it"]
    # Then the others, the file with the most tests first, as xdist orders them.
    assert second.sent[1] == [f"tests/unit/test_many.py::test_{n}" for n in range(20)]
    assert queued == ["tests/integration/test_some.py"]


def test_xdist_alone_hands_out_the_files_with_most_tests_first():
    """Why the order is changed: left to xdist, the one-test files come last."""
    (first, second), queued = handed_out(LoadFileScheduling)
    assert first.sent[0][0].startswith("tests/unit/test_many.py")
    assert second.sent[0][0].startswith("tests/integration/test_some.py")
    assert queued[-1].startswith("tests/security/local/")
