"""A job all the way to Completed: the reconciler against a real local Ground Truth, with
simulated workers labeling through the portal (`groundtruth workers simulate`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from groundtruth_operator.reconciler import Outcome, Resource
from operator_world import applied, make_world, sync_until

pytest.importorskip("groundtruth_local.workers.simulate", reason="needs `workers simulate`")


@pytest.mark.slow
def test_job_completes_with_results(local_gt_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    gt = local_gt_factory()
    world = make_world(gt, monkeypatch, objects=6)
    spec = world.spec()
    spec["humanTaskConfig"]["numberOfHumanWorkersPerDataObject"] = 3
    resource = world.resource(spec)
    resource = applied(resource, world.reconciler.ensure(resource, world.defaults))
    resource = sync_until(world, resource, lambda r: r.status["phase"] == "InProgress")

    simulate = subprocess.run(
        [
            sys.executable,
            "-c",
            "from groundtruth_operator.cli import main; main()",
            "workers",
            "simulate",
            "--endpoint",
            gt.endpoint,
            "--region",
            gt.region,
            "--workteam",
            world.workteam_name,
            "--workers",
            "3",
            "--accuracy",
            "0.95",
            "--spread",
            "0",
            "--seed",
            "7",
            "--until-done",
            "--timeout",
            "300",
        ],
        capture_output=True,
        text=True,
        timeout=400,
        env={**os.environ, **gt.env},
        check=False,
    )
    assert simulate.returncode == 0, simulate.stderr[-3000:]

    # Record the Events each sync returns (a spy around the real method, not a mock).
    events: list[str] = []
    real_sync = world.reconciler.sync

    def recording_sync(current: Resource) -> Outcome:
        outcome = real_sync(current)
        events.extend(event.reason for event in outcome.events)
        return outcome

    monkeypatch.setattr(world.reconciler, "sync", recording_sync)
    resource = sync_until(world, resource, lambda r: r.status["phase"] == "Completed")
    status = resource.status
    assert status["labelCounters"]["totalLabeled"] == 6
    assert status["labelCounters"]["unlabeled"] == 0
    assert status["outputDatasetS3Uri"].endswith("manifests/output/output.manifest")
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("True", "Completed")
    results = status["results"]
    assert results["labeledObjects"] == 6
    assert {item["label"] for item in results["classes"]} <= {"cat", "dog"}
    assert sum(item["count"] for item in results["classes"]) == 6
    assert 0 < results["meanConfidence"] <= 1
    assert "Completed" in events and "Results" in events
    # Terminal and summarised: the timer's sync does nothing more, not even a call.
    before = world.calls("DescribeLabelingJob") + world.calls("ListLabelingJobs")
    assert world.reconciler.sync(resource).done
    assert world.calls("DescribeLabelingJob") + world.calls("ListLabelingJobs") == before
