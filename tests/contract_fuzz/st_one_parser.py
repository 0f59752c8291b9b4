"""schemathesis' command line, with Python's parser taken by one thread at a time.

CPython 3.11 keeps the depth of the AST it is building in state every thread shares, so two
threads in ``ast.parse`` at once can fail with "SystemError: AST constructor recursion depth
mismatch" (python/cpython#106905). schemathesis' workers are threads, and hypothesis parses
the source of each lambda it describes as it builds a strategy: one pass of the contract fuzz
failed that way, a fault of neither Setu nor the test. Every parse of this process (hypothesis
and schemathesis call ``ast.parse``, as ``ast.literal_eval`` does) holds one lock.
"""

from __future__ import annotations

import ast
import sys
import threading
from typing import Any

_parse = ast.parse
_one_at_a_time = threading.Lock()


def _parse_alone(*args: Any, **kwargs: Any) -> Any:
    with _one_at_a_time:
        return _parse(*args, **kwargs)


if __name__ == "__main__":
    ast.parse = _parse_alone
    from schemathesis.cli import schemathesis

    sys.exit(schemathesis())
