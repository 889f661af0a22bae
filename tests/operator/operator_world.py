"""Helpers for the operator tests: a ready world on a real local Ground Truth.

A world is buckets (input with the CORS Ground Truth needs, output), a manifest of tiny
images, and the region's workteam, on a real `groundtruth local up` process; plus a
Reconciler wired to it exactly as the operator wires one at startup.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from groundtruth_operator.aws import Regions
from groundtruth_operator.defaults import Defaults
from groundtruth_operator.reconciler import Outcome, Reconciler, Resource
from groundtruth_operator.sync import BatchedSync
from local_gt_support import LocalGroundTruthProcess, ensure_workteam, tiny_png

CORS = {
    "CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"]}]
}


@dataclass
class World:
    gt: LocalGroundTruthProcess
    bucket: str
    manifest_uri: str
    workteam_arn: str
    workteam_name: str
    defaults: Defaults
    reconciler: Reconciler
    syncer: BatchedSync
    resources: dict[str, Resource] = field(default_factory=dict)

    def spec(self, **changes: Any) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "inputConfig": {"dataSource": {"s3DataSource": {"manifestS3Uri": self.manifest_uri}}},
            "labels": ["cat", "dog"],
            "humanTaskConfig": {
                "instructions": {"short": "<p>Pick one.</p>", "full": "<p>Cat or dog?</p>"},
                "taskTitle": "Cats or dogs",
                "taskDescription": "Pick the animal in the image",
                "numberOfHumanWorkersPerDataObject": 1,
                "taskTimeLimitInSeconds": 300,
                "taskAvailabilityLifetimeInSeconds": 3600,
            },
        }
        spec.update(changes)
        return spec

    def resource(
        self,
        spec: dict[str, Any],
        name: str | None = None,
        annotations: dict[str, str] | None = None,
    ) -> Resource:
        return Resource(
            namespace="team-a",
            name=name or f"lj-{uuid.uuid4().hex[:6]}",
            uid=str(uuid.uuid4()),
            generation=1,
            spec=spec,
            status={},
            annotations=annotations or {},
        )

    def sagemaker(self) -> Any:
        return self.gt.client("sagemaker")

    def calls(self, operation: str) -> int:
        stats = self.gt.stats()["operations"].get(operation, {})
        return int(stats.get("calls", 0))


def applied(resource: Resource, outcome: Outcome) -> Resource:
    """The resource as it looks after the handler wrote `outcome.status`."""
    status = {**resource.status, **outcome.status}
    return Resource(
        resource.namespace,
        resource.name,
        resource.uid,
        resource.generation,
        resource.spec,
        status,
        resource.annotations,
    )


def sync_until(
    world: World,
    resource: Resource,
    done: Callable[[Resource], bool],
    timeout: float = 60.0,
) -> Resource:
    """Run the reconciler's sync like the timer does until `done` holds."""
    deadline = time.monotonic() + timeout
    while not done(resource):
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting; status is {json.dumps(resource.status)[:2000]}")
        time.sleep(0.2)
        world.syncer.invalidate(resource.status.get("region", world.gt.region))
        resource = applied(resource, world.reconciler.sync(resource))
    return resource


def make_world(
    gt: LocalGroundTruthProcess,
    monkeypatch: pytest.MonkeyPatch,
    *,
    objects: int = 4,
    cors: bool = True,
    poll_interval: float = 30.0,
) -> World:
    for key, value in gt.env.items():
        monkeypatch.setenv(key, value)
    team = ensure_workteam(gt)
    s3 = gt.client("s3")
    bucket = f"op-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    if cors:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=CORS)
    lines = []
    for index in range(objects):
        key = f"images/{index:04d}.png"
        s3.put_object(Bucket=bucket, Key=key, Body=tiny_png(index), ContentType="image/png")
        truth = "cat" if index % 2 == 0 else "dog"
        lines.append(json.dumps({"source-ref": f"s3://{bucket}/{key}", "truth": truth}))
    s3.put_object(Bucket=bucket, Key="input.manifest", Body="\n".join(lines).encode())
    defaults = Defaults(
        region=gt.region,
        role_arn="arn:aws:iam::123456789012:role/gt-execution",
        workteam_arn=team["workteam_arn"],
        output_path=f"s3://{bucket}/output",
    )
    regions = Regions(gt.endpoint)
    syncer = BatchedSync(regions, max_age=poll_interval)
    return World(
        gt=gt,
        bucket=bucket,
        manifest_uri=f"s3://{bucket}/input.manifest",
        workteam_arn=team["workteam_arn"],
        workteam_name=team["workteam_arn"].rsplit("/", 1)[-1],
        defaults=defaults,
        reconciler=Reconciler(regions, syncer, Defaults()),
        syncer=syncer,
    )
