"""Helpers of the portal suite: jobs set up directly in a real local Ground Truth's store.

`engine_env` runs an in-process local Ground Truth (real HTTP endpoint, real moto S3) with
no plugin, so tests drive the task engine and finisher with an explicit clock instead of
sleeping; the end-to-end tests use the shared `local_gt` process fixtures instead.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests
from groundtruth_local.context import LocalContext
from groundtruth_local.portal.finishing import JobFinisher
from groundtruth_local.server import LocalGroundTruth
from groundtruth_local.store import JobRecord, Resource
from groundtruth_local.tasks import TaskEngine, Worker
from groundtruth_local.workers.simulate import parse_page

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
        if "max_percent" in task:
            request["StoppingConditions"] = {
                "MaxPercentageOfInputDatasetLabeled": task["max_percent"]
            }
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


PASSWORD = "Portal-Test-1!"


def team_with_group(gt: Any, helpers: Any, team: str) -> dict[str, str]:
    """A workteam whose Cognito group lives in the region's workforce pool (created here)."""
    base = helpers.ensure_workteam(gt)  # makes sure the workforce (and its pool) exists
    sagemaker = gt.client("sagemaker")
    config = sagemaker.list_workforces()["Workforces"][0]["CognitoConfig"]
    pool, client_id = config["UserPool"], config["ClientId"]
    try:
        arn = sagemaker.describe_workteam(WorkteamName=team)["Workteam"]["WorkteamArn"]
    except sagemaker.exceptions.ClientError:
        gt.client("cognito-idp").create_group(GroupName=team, UserPoolId=pool)
        arn = sagemaker.create_workteam(
            WorkteamName=team,
            WorkforceName=sagemaker.list_workforces()["Workforces"][0]["WorkforceName"],
            MemberDefinitions=[
                {
                    "CognitoMemberDefinition": {
                        "UserPool": pool,
                        "UserGroup": team,
                        "ClientId": client_id,
                    }
                }
            ],
            Description=f"{team} (portal tests)",
        )["WorkteamArn"]
    del base
    return {"workteam_arn": arn, "user_pool": pool, "client_id": client_id, "group": team}


def add_user(gt: Any, team: dict[str, str] | None, username: str, pool: str = "") -> str:
    """A confirmed user with PASSWORD, in the team's group (or none); returns its sub."""
    idp = gt.client("cognito-idp")
    pool = team["user_pool"] if team else pool
    idp.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True
    )
    if team:
        idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=team["group"])
    user = idp.admin_get_user(UserPoolId=pool, Username=username)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def create_job(
    gt: Any,
    helpers: Any,
    name: str,
    team: dict[str, str],
    *,
    objects: int,
    workers: int = 1,
    template: str | None = None,
) -> dict[str, Any]:
    """A labeling job for `team` over `objects` sample images, waited to InProgress."""
    from groundtruth_local.sample_data import make_sample_data  # noqa: PLC0415

    s3 = gt.client("s3")
    bucket = f"ptl-{name.lower()}"[:63]  # path-style "/portal..." would hit the portal
    s3.create_bucket(Bucket=bucket)
    data = make_sample_data(s3, bucket, "data", objects, ("circle", "square", "triangle"), 1)
    request = helpers.make_labeling_job_request(gt, name, workers=workers)
    request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = data.manifest_uri
    request["LabelCategoryConfigS3Uri"] = data.labels_uri
    request["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"] = data.template_uri
    if template is not None:
        s3.put_object(Bucket=bucket, Key="data/template.liquid", Body=template.encode())
    request["HumanTaskConfig"]["WorkteamArn"] = team["workteam_arn"]
    request["OutputConfig"]["S3OutputPath"] = f"s3://{bucket}/output"
    gt.client("sagemaker").create_labeling_job(**request)
    helpers.wait_for_status(gt, name, ("InProgress",))
    return {"bucket": bucket, "labels": list(data.labels), "request": request}


ANSWER = {"crowd-image-classifier": {"label": "circle"}}


def sign_in(endpoint: str, username: str, password: str = PASSWORD) -> requests.Session:
    http = requests.Session()
    page = parse_page(http.get(f"{endpoint}/portal/login").text)
    fields = {**page.form("/portal/login")["fields"], "username": username, "password": password}
    answer = http.post(f"{endpoint}/portal/login", data=fields)
    http.last = answer  # type: ignore[attr-defined]
    return http


def csrf(http: requests.Session, endpoint: str) -> str:
    page = parse_page(http.get(f"{endpoint}/portal/jobs").text)
    return page.form("/portal/logout")["fields"]["csrf_token"]


def start(http: requests.Session, endpoint: str, job: str) -> requests.Response:
    return http.post(
        f"{endpoint}/portal/jobs/{job}/start", data={"csrf_token": csrf(http, endpoint)}
    )


def submit(http, endpoint, task_url: str, answer, token: str | None = None) -> requests.Response:
    data = {"answer": answer if isinstance(answer, str) else json.dumps(answer)}
    if token is not False:
        data["csrf_token"] = token or csrf(http, endpoint)
    return http.post(f"{task_url}/submit", data=data)
