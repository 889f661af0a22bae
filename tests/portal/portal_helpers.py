"""Helpers of the portal suite: jobs set up directly in a real local Ground Truth's store.

`engine_env` runs an in-process local Ground Truth (real HTTP endpoint, real moto S3) with
no plugin, so tests drive the task engine and finisher with an explicit clock instead of
sleeping; the end-to-end tests use the shared `local_gt` process fixtures instead.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from groundtruth_local.context import LocalContext
from groundtruth_local.portal.finishing import JobFinisher
from groundtruth_local.server import LocalGroundTruth
from groundtruth_local.store import JobRecord, Resource
from groundtruth_local.tasks import TaskEngine, Worker

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier name="crowd-image-classifier"
    src="{{ task.input.taskObject | grant_read_access }}" header="please classify"
    categories="{{ task.input.labels | to_json | escape }}">
    <full-instructions header="Image classification instructions"><p>Look.</p></full-instructions>
    <short-instructions><p>Pick one.</p></short-instructions>
  </crowd-image-classifier>
</crowd-form>
"""
LABELS = ["cat", "dog", "bird"]


@dataclass
class EngineEnv:
    context: LocalContext
    engine: TaskEngine
    finisher: JobFinisher
    bucket: str

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.context.client("s3").put_object(Bucket=bucket, Key=key, Body=body)

    def read(self, key: str) -> str:
        s3 = self.context.client("s3")
        return s3.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode()

    def keys(self, prefix: str) -> list[str]:
        s3 = self.context.client("s3")
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def make_job(self, name: str, objects: int, **task: int) -> dict:
        """A job stored InProgress with `objects` data objects; returns its description."""
        store = self.context.store
        team_arn = f"arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/{name}"
        store.insert_resource(
            Resource("workteam", "us-east-1", name, team_arn, {"WorkteamArn": team_arn}, 0)
        )
        self.put(
            self.bucket,
            f"{name}/labels.json",
            json.dumps(
                {"document-version": "2018-11-28", "labels": [{"label": x} for x in LABELS]}
            ).encode(),
        )
        self.put(self.bucket, f"{name}/template.html", TEMPLATE.encode())
        human = {
            "WorkteamArn": team_arn,
            "UiConfig": {"UiTemplateS3Uri": f"s3://{self.bucket}/{name}/template.html"},
            "TaskTitle": f"Classify {name}",
            "TaskDescription": "Pick the animal",
            "NumberOfHumanWorkersPerDataObject": task.get("workers", 1),
            "TaskTimeLimitInSeconds": task.get("time_limit", 300),
            "TaskAvailabilityLifetimeInSeconds": task.get("lifetime", 3600),
            "MaxConcurrentTaskCount": task.get("max_concurrent", 1000),
        }
        request = {
            "LabelingJobName": name,
            "LabelAttributeName": "animal",
            "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://x/m"}}},
            "OutputConfig": {"S3OutputPath": f"s3://{self.bucket}/out"},
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "LabelCategoryConfigS3Uri": f"s3://{self.bucket}/{name}/labels.json",
            "HumanTaskConfig": human,
        }
        if "max_labeled" in task:
            request["StoppingConditions"] = {"MaxHumanLabeledObjectCount": task["max_labeled"]}
        now = time.time()
        store.insert_job(
            JobRecord(
                name=name,
                region="us-east-1",
                arn=f"arn:aws:sagemaker:us-east-1:123456789012:labeling-job/{name.lower()}",
                status="Initializing",
                request=request,
                workteam_arn=team_arn,
                job_reference_code="ref",
                creation_time=now,
                last_modified_time=now,
                failure_reason=None,
                output_dataset_s3_uri=None,
            )
        )
        store.put_data_objects(
            name,
            [
                json.dumps({"source-ref": f"s3://{self.bucket}/img/{i}.png", "truth": i % 3})
                for i in range(objects)
            ],
        )
        store.set_job_status(name, "InProgress")
        description = store.describe_job(name)
        assert description is not None
        return description


def worker(n: int, *teams: str) -> Worker:
    return Worker(
        sub=f"sub-{n}",
        worker_id=f"private.us-east-1.{n:016x}",
        issuer="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
        username=f"worker{n}",
        teams=frozenset(teams),
    )


def start_engine_env() -> tuple[LocalGroundTruth, EngineEnv]:
    server = LocalGroundTruth(port=0, plugin_factory=None)
    context = server.start()
    context.client("s3").create_bucket(Bucket="gt-engine")
    engine = TaskEngine(context.store)
    env = EngineEnv(context, engine, None, "gt-engine")  # type: ignore[arg-type]
    env.finisher = JobFinisher(context, engine, env.put)
    return server, env
