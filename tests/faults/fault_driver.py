"""Drive the operator's reconciler like kopf does, on a virtual clock.

kopf retries a handler after the delay of the `TemporaryError` it raised; the reconciler
returns that delay as `Outcome.retry_after`. The local Ground Truth's faults are random per
call and do not depend on time, so waiting out the real delays (up to 120 s each) would only
make the run slower: this driver keeps a queue ordered by *virtual* due time and runs each
retry when it falls due, while every AWS call is real. The delays are recorded and checked.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import kopf
from groundtruth_operator.aws import _Backoff
from groundtruth_operator.reconciler import Outcome, Reconciler, Resource

Step = Callable[[Resource], Outcome]


@dataclass
class Retry:
    resource: str
    step: str
    delay: float


@dataclass
class BackoffTrace:
    """The region backoff's real `failed`/`succeeded` calls, in order (a spy, not a mock)."""

    events: list[tuple[str, float]] = field(default_factory=list)

    def install(self, monkeypatch: Any) -> None:
        real_failed, real_succeeded = _Backoff.failed, _Backoff.succeeded
        events = self.events

        def failed(backoff: _Backoff) -> float:
            delay = real_failed(backoff)
            events.append(("failed", delay))
            return delay

        def succeeded(backoff: _Backoff) -> None:
            real_succeeded(backoff)
            events.append(("ok", 0.0))

        monkeypatch.setattr(_Backoff, "failed", failed)
        monkeypatch.setattr(_Backoff, "succeeded", succeeded)

    def streaks(self) -> list[list[float]]:
        """Runs of consecutive failure delays, each ended by a success."""
        runs: list[list[float]] = []
        current: list[float] = []
        for kind, delay in self.events:
            if kind == "failed":
                current.append(delay)
            elif current:
                runs.append(current)
                current = []
        if current:
            runs.append(current)
        return runs


@dataclass
class Driver:
    reconciler: Reconciler
    now: float = 0.0
    retries: list[Retry] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    def run(
        self,
        resources: dict[str, Resource],
        step_name: str,
        step: Callable[[Resource], Outcome],
        done: Callable[[Resource], bool],
        max_rounds: int = 100_000,
    ) -> dict[str, Resource]:
        """Apply `step` to every resource until `done`, retrying after each delay asked for."""
        queue: list[tuple[float, int, str]] = [(self.now, next(self._seq), k) for k in resources]
        heapq.heapify(queue)
        for _ in range(max_rounds):
            if not queue:
                return resources
            self.now, _, key = heapq.heappop(queue)
            resource = resources[key]
            if done(resource):
                continue
            delay: float | None
            try:
                outcome = step(resource)
            except kopf.TemporaryError as error:  # kopf would retry it: so do we
                outcome, delay = Outcome(), float(error.delay or 0.0)
            else:
                delay = outcome.retry_after
            resources[key] = applied(resource, outcome)
            if done(resources[key]):
                continue
            if delay is not None:
                self.retries.append(Retry(key, step_name, delay))
            # Without a retry delay kopf would come back on the next event or timer tick.
            heapq.heappush(queue, (self.now + (delay or 5.0), next(self._seq), key))
        raise AssertionError(f"{step_name}: not done after {max_rounds} rounds")


def applied(resource: Resource, outcome: Outcome) -> Resource:
    """The resource after kopf wrote `outcome.status` (a merge patch of status)."""
    return Resource(
        resource.namespace,
        resource.name,
        resource.uid,
        resource.generation,
        resource.spec,
        {**resource.status, **outcome.status},
        resource.annotations,
    )
