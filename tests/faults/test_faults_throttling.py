"""Scenario (a): N LabelingJobs reconciled while SageMaker throttles 30% and fails 10%.

Every job reaches the right terminal state (two thirds labeled by simulated workers ->
Completed, one third deleted -> Stopped), exactly N CreateLabelingJob calls created a job
(counted by the server), every retry waited, the waits grow while faults keep coming, and no
exception other than kopf's TemporaryError ever leaves the reconciler (the operator never
exits). Retries run on a virtual clock: see fault_driver.py.
"""

from __future__ import annotations

import logging
import statistics
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "operator"))
from fault_driver import BackoffTrace, Driver
from fault_support import JOBS, list_all_jobs, report, simulate_workers
from groundtruth_operator.aws import MAX_DELAY
from groundtruth_operator.reconciler import Outcome, Resource
from groundtruth_operator.request import TAG_UID
from operator_world import make_world

pytestmark = [pytest.mark.faults, pytest.mark.slow]
logger = logging.getLogger(__name__)


def test_throttling_and_5xx_lose_and_duplicate_nothing(
    local_gt_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    gt = local_gt_factory()
    world = make_world(gt, monkeypatch, objects=1)
    trace = BackoffTrace()
    trace.install(monkeypatch)
    gt.set_faults(throttle=0.3, error5xx=0.1, seed=7)
    reconciler = world.reconciler
    resources = {
        f"thr-{i:03d}": world.resource(world.spec(), name=f"thr-{i:03d}") for i in range(JOBS)
    }
    driver = Driver(reconciler)

    def sync(resource: Resource) -> Outcome:
        world.syncer.invalidate(gt.region)  # no stale batch between virtual-clock steps
        return reconciler.sync(resource)

    def deleted(resource: Resource) -> Outcome:
        outcome = reconciler.delete(resource)
        if outcome.done:
            outcome.status["finalizerRemoved"] = True  # what kopf would do next
        return outcome

    resources = driver.run(
        resources,
        "create",
        lambda r: reconciler.ensure(r, world.defaults),
        lambda r: bool(r.status.get("labelingJobArn")) or r.status.get("phase") == "Error",
    )
    assert not [k for k, r in resources.items() if r.status.get("phase") == "Error"]
    resources = driver.run(
        resources, "sync", sync, lambda r: r.status.get("labelingJobStatus") == "InProgress"
    )
    to_delete = sorted(resources)[::3]
    deleting = driver.run(
        {k: resources[k] for k in to_delete},
        "delete",
        deleted,
        lambda r: bool(r.status.get("finalizerRemoved")),
    )
    # The workers are not under test: SageMaker stays healthy for them while they label.
    gt.set_faults()
    simulate_workers(gt, world.workteam_name)
    gt.set_faults(throttle=0.3, error5xx=0.1, seed=8)
    kept = {k: r for k, r in resources.items() if k not in deleting}
    kept = driver.run(
        kept, "sync", sync, lambda r: r.status.get("phase") == "Completed" and "results" in r.status
    )
    gt.set_faults()

    # Exactly one Ground Truth job per resource: counted by the server and listed.
    creates = gt.stats()["operations"]["CreateLabelingJob"]
    assert creates["ok"] == JOBS, creates
    jobs = {job["LabelingJobName"]: job for job in list_all_jobs(gt)}
    statuses = {**kept, **deleting}
    assert sorted(jobs) == sorted(r.status["labelingJobName"] for r in statuses.values())
    sagemaker = gt.client("sagemaker")
    for key, resource in statuses.items():
        name = resource.status["labelingJobName"]
        described = sagemaker.describe_labeling_job(LabelingJobName=name)
        tags = {tag["Key"]: tag["Value"] for tag in described.get("Tags", [])}
        assert tags[TAG_UID] == resource.uid, key
        wanted = "Stopped" if key in deleting else "Completed"
        assert described["LabelingJobStatus"] == wanted, (key, described["LabelingJobStatus"])
    for resource in kept.values():
        assert resource.status["results"]["labeledObjects"] == 1

    # Faults really happened, every retry waited, and waits grew while faults kept coming.
    faults = sum(op.get("fault", 0) for op in gt.stats()["operations"].values())
    delays = [retry.delay for retry in driver.retries]
    assert faults > 0 and delays
    assert min(delays) >= 1.5, sorted(delays)[:5]
    streaks = trace.streaks()
    for run in streaks:
        capped = [d for d in run if d < MAX_DELAY * 0.75]
        assert capped == sorted(capped) and len(set(capped)) == len(capped), run
    longest = max(len(run) for run in streaks)
    figures = {
        "jobs": JOBS,
        "faults": {"throttle": 0.3, "error5xx": 0.1},
        "injected": faults,
        "create_calls": creates["calls"],
        "created": creates["ok"],
        "retries": len(delays),
        "retry_median_s": round(statistics.median(delays), 1),
        "retry_max_s": round(max(delays), 1),
        "longest_streak": longest,
        "completed": len(kept),
        "stopped": len(deleting),
        "lost": JOBS - len(jobs),
        "duplicated": creates["ok"] - JOBS,
    }
    logger.info("throttling scenario", extra=figures)
    report("throttle", figures)
