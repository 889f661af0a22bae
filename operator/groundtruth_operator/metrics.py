"""Prometheus metrics: jobs by phase, AWS calls by operation and outcome, reconcile time.

A dedicated registry keeps the operator's series apart from anything else in the process
(tests import several servers into one interpreter).
"""

from __future__ import annotations

from collections import Counter as _Tally
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

REGISTRY = CollectorRegistry()

AWS_CALLS = Counter(
    "groundtruth_operator_aws_calls",
    "AWS API calls by operation and outcome (ok, throttled, unreachable, or the error code).",
    ["operation", "outcome"],
    registry=REGISTRY,
)
JOBS = Gauge(
    "groundtruth_operator_jobs",
    "LabelingJob resources by phase, as last reconciled by this replica.",
    ["phase"],
    registry=REGISTRY,
)
RECONCILE_SECONDS = Histogram(
    "groundtruth_operator_reconcile_seconds",
    "Time spent in one reconcile step.",
    ["step"],
    registry=REGISTRY,
)

# The phase of every resource this replica knows, so the gauge is a true count.
_phases: dict[str, str] = {}


def aws_call(operation: str, outcome: str) -> None:
    AWS_CALLS.labels(operation=operation, outcome=outcome).inc()


def set_phase(key: str, phase: str | None) -> None:
    if phase is None:
        _phases.pop(key, None)
    else:
        _phases[key] = phase
    tally = _Tally(_phases.values())
    for known in set(tally) | {"Pending", "Creating", "Initializing", "InProgress"}:
        JOBS.labels(phase=known).set(tally.get(known, 0))
    for label_values in list(JOBS._metrics):  # drop phases no resource is in any more
        if label_values[0] not in tally:
            JOBS.labels(phase=label_values[0]).set(0)


@contextmanager
def timed(step: str) -> Iterator[None]:
    start = perf_counter()
    try:
        yield
    finally:
        RECONCILE_SECONDS.labels(step=step).observe(perf_counter() - start)


def serve(port: int) -> None:
    start_http_server(port, registry=REGISTRY)


def calls_total() -> float:
    """Every AWS call counted so far (tests and the benchmark read this)."""
    return sum(
        sample.value for sample in AWS_CALLS.collect()[0].samples if sample.name.endswith("_total")
    )
