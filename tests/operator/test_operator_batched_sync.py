"""Batched sync: a cycle over many InProgress jobs costs ListLabelingJobs pages, not one
DescribeLabelingJob per job, and still notices the jobs that changed.

Counted by the real local Ground Truth (`/_gt/admin/stats`), not by the client under test.
"""

from __future__ import annotations

import math

import pytest
from groundtruth_operator.reconciler import Resource
from operator_world import World, applied, make_world, sync_until

JOBS = 105  # more than one ListLabelingJobs page (100)


def _calls(world: World) -> dict[str, int]:
    operations = world.gt.stats()["operations"]
    return {
        name: int(operations.get(name, {}).get("calls", 0))
        for name in ("ListLabelingJobs", "DescribeLabelingJob")
    }


def _cycle(world: World, resources: list[Resource]) -> tuple[list[Resource], dict[str, int]]:
    world.syncer.invalidate(world.gt.region)  # a new cycle: the listing is due again
    before = _calls(world)
    synced = [applied(resource, world.reconciler.sync(resource)) for resource in resources]
    after = _calls(world)
    return synced, {name: after[name] - before[name] for name in after}


@pytest.mark.slow
def test_a_cycle_lists_pages_and_describes_only_changed_jobs(
    local_gt_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    gt = local_gt_factory(plugin=False)  # no workers: jobs stay InProgress
    world = make_world(gt, monkeypatch, objects=2)
    resources = []
    for index in range(JOBS):
        resource = world.resource(world.spec(), name=f"batch-{index}")
        resources.append(applied(resource, world.reconciler.ensure(resource, world.defaults)))
    resources = [
        sync_until(world, resource, lambda r: r.status["phase"] == "InProgress")
        for resource in resources
    ]

    resources, calls = _cycle(world, resources)
    assert calls == {"ListLabelingJobs": math.ceil(JOBS / 100), "DescribeLabelingJob": 0}

    # Stop three jobs behind the operator's back: only those are described.
    stopped = resources[:3]
    for resource in stopped:
        world.sagemaker().stop_labeling_job(LabelingJobName=resource.status["labelingJobName"])
    resources, calls = _cycle(world, resources)
    assert calls == {"ListLabelingJobs": math.ceil((JOBS - 3) / 100), "DescribeLabelingJob": 3}
    assert {r.status["labelingJobStatus"] for r in resources[:3]} <= {"Stopping", "Stopped"}
    assert {r.status["labelingJobStatus"] for r in resources[3:]} == {"InProgress"}
