"""Per-operation call counts, served at `GET /_gt/admin/stats`.

Fault tests need to know how many calls did their work (e.g. "CreateLabelingJob calls that
created a job"), not just how many arrived: each call ends as `ok`, `fault` (injected) or
`error:<code>`.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from typing import Any


class CallStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._outcomes: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def record(self, operation: str, outcome: str) -> None:
        with self._lock:
            self._outcomes[operation][outcome] += 1

    def reset(self) -> None:
        with self._lock:
            self._outcomes.clear()

    def snapshot(self) -> dict[str, Any]:
        """`{"operations": {"CreateLabelingJob": {"calls": 5, "ok": 3, "fault": 2, ...}}}`."""
        with self._lock:
            operations = {
                name: {"calls": sum(outcomes.values()), **dict(outcomes)}
                for name, outcomes in sorted(self._outcomes.items())
            }
        return {"operations": operations}
