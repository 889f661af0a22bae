"""Helpers shared by every suite: a real `groundtruth local up` process and a ready job.

Importable by name from any test (`from local_gt_support import LocalGroundTruthProcess`):
conftest modules are not, since pytest loads several files called conftest.py. The fixtures
that wrap these helpers are in tests/conftest.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

STARTUP_TIMEOUT = 90.0
LOG_TAIL_LINES = 80


class LocalGroundTruthProcess:
    """One `groundtruth local up` subprocess and the ways tests talk to it."""

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        faults: tuple[str, ...] | list[str] = (),
        fault_seed: int | None = None,
        plugin: bool = True,
        data_dir: Path | str | None = None,
        extra_args: tuple[str, ...] | list[str] = (),
    ) -> None:
        self.region = region
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="gt-test-"))
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.server.log"
        self._args = ["--region", region, "--data-dir", str(self.data_dir)]
        for fault in faults:
            self._args += ["--fault", fault]
        if fault_seed is not None:
            self._args += ["--fault-seed", str(fault_seed)]
        if not plugin:
            self._args.append("--no-plugin")
        self._args += list(extra_args)
        self.port = 0
        self.endpoint = ""
        self.process: subprocess.Popen[bytes] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> LocalGroundTruthProcess:
        command = [
            sys.executable,
            "-c",
            "from groundtruth_operator.cli import main; main()",
            "local",
            "up",
            "--port",
            str(self.port),
            *self._args,
        ]
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start: {' '.join(command)}\n".encode())
            log.flush()
            offset = log.tell()
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"local Ground Truth exited early:\n{self.log_text()}")
            with self.log_path.open("rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
            if "# ready" in text:
                for line in text.splitlines():
                    if line.startswith("export AWS_ENDPOINT_URL="):
                        self.endpoint = line.split("=", 1)[1].strip()
                        self.port = int(self.endpoint.rsplit(":", 1)[1])
                if self._healthy():
                    return self
            time.sleep(0.1)
        self.stop(kill=True)
        raise RuntimeError(f"local Ground Truth did not become ready:\n{self.log_text()}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/_gt/health", timeout=2) as answer:
                return answer.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def stop(self, kill: bool = False) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def restart(self, kill: bool = False) -> LocalGroundTruthProcess:
        """Stop (SIGTERM, or SIGKILL with kill=True) and start again on the same port."""
        self.stop(kill=kill)
        return self.start()

    def cleanup(self) -> None:
        self.stop(kill=True)
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- talking to it ---------------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def client(self, service: str, retries: int | None = None, **config: Any) -> Any:
        region = config.pop("region_name", None) or self.region
        options: dict[str, Any] = {"s3": {"addressing_style": "path"}, **config}
        if retries is not None:
            options["retries"] = {"total_max_attempts": retries + 1, "mode": "standard"}
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(**options),
        )

    def _admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.endpoint}{path}",
            data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """POST /_gt/admin/faults; no arguments turns every fault off."""
        result: dict[str, Any] = self._admin("/_gt/admin/faults", settings)
        return result

    def stats(self) -> dict[str, Any]:
        """GET /_gt/admin/stats: {"operations": {"CreateLabelingJob": {"calls", "ok", ...}}}."""
        result: dict[str, Any] = self._admin("/_gt/admin/stats")
        return result

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


# -- a ready-to-create labeling job --------------------------------------------------------

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier
    name="crowd-image-classifier"
    src="{{ task.input.taskObject | grant_read_access }}"
    header="please classify"
    categories="{{ task.input.labels | to_json | escape }}"
  >
    <full-instructions header="Image classification instructions">
      <ol><li><strong>Choose</strong> the label that best suits the image.</li></ol>
    </full-instructions>
    <short-instructions><p>Pick one label.</p></short-instructions>
  </crowd-image-classifier>
</crowd-form>
"""


def tiny_png(seed: int) -> bytes:
    """A valid 2x2 RGB PNG whose colour depends on `seed` (distinct objects, no PIL)."""
    import struct  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixel = bytes([seed * 37 % 256, seed * 91 % 256, seed * 13 % 256])
    raw = b"".join(b"\x00" + pixel * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def ensure_workteam(gt: LocalGroundTruthProcess, team: str = "gt-test-team") -> dict[str, str]:
    """A Cognito pool/client/group, the region's workforce and a private workteam on `gt`
    (created once per server; moto state is per process). Returns their ids and ARNs."""
    sagemaker = gt.client("sagemaker")
    try:
        arn = sagemaker.describe_workteam(WorkteamName=team)["Workteam"]["WorkteamArn"]
        members = sagemaker.describe_workteam(WorkteamName=team)["Workteam"]["MemberDefinitions"]
        cognito = members[0]["CognitoMemberDefinition"]
        return {
            "workteam_arn": arn,
            "user_pool": cognito["UserPool"],
            "client_id": cognito["ClientId"],
            "user_group": cognito["UserGroup"],
        }
    except sagemaker.exceptions.ClientError:
        pass
    idp = gt.client("cognito-idp")
    pool = idp.create_user_pool(PoolName=f"{team}-pool")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName=f"{team}-client")
    client_id = client["UserPoolClient"]["ClientId"]
    idp.create_group(GroupName=f"{team}-group", UserPoolId=pool)
    workforces = sagemaker.list_workforces()["Workforces"]
    if workforces:
        config = workforces[0]["CognitoConfig"]
        pool, client_id = config["UserPool"], config["ClientId"]
    else:
        sagemaker.create_workforce(
            WorkforceName="default", CognitoConfig={"UserPool": pool, "ClientId": client_id}
        )
    arn = sagemaker.create_workteam(
        WorkteamName=team,
        WorkforceName=(workforces[0]["WorkforceName"] if workforces else "default"),
        MemberDefinitions=[
            {
                "CognitoMemberDefinition": {
                    "UserPool": pool,
                    "UserGroup": f"{team}-group",
                    "ClientId": client_id,
                }
            }
        ],
        Description="test workteam",
    )["WorkteamArn"]
    return {
        "workteam_arn": arn,
        "user_pool": pool,
        "client_id": client_id,
        "user_group": f"{team}-group",
    }


def make_labeling_job_request(
    gt: LocalGroundTruthProcess,
    name: str,
    *,
    objects: int = 3,
    labels: tuple[str, ...] = ("cat", "dog"),
    workers: int = 1,
    bucket: str | None = None,
) -> dict[str, Any]:
    """Upload images, manifest, label file and template for job `name` and return the
    keyword arguments of a valid `create_labeling_job` call on `gt`."""
    team = ensure_workteam(gt)
    s3 = gt.client("s3")
    bucket = bucket or f"gt-test-{name.lower()}"[:63]
    s3.create_bucket(Bucket=bucket)
    lines = []
    for index in range(objects):
        key = f"images/{index:04d}.png"
        s3.put_object(Bucket=bucket, Key=key, Body=tiny_png(index), ContentType="image/png")
        lines.append(json.dumps({"source-ref": f"s3://{bucket}/{key}", "index": index}))
    s3.put_object(Bucket=bucket, Key="input.manifest", Body="\n".join(lines).encode())
    document = {"document-version": "2018-11-28", "labels": [{"label": x} for x in labels]}
    s3.put_object(Bucket=bucket, Key="labels.json", Body=json.dumps(document).encode())
    s3.put_object(Bucket=bucket, Key="template.liquid", Body=TEMPLATE.encode())
    region = gt.region
    # The region's built-in image classification Lambdas (the local API checks them).
    accounts = {"us-east-1": "432418664414", "us-west-2": "081040173940"}
    lambdas = f"arn:aws:lambda:{region}:{accounts.get(region, '568282634449')}:function"
    return {
        "LabelingJobName": name,
        "LabelAttributeName": "label",
        "InputConfig": {
            "DataSource": {"S3DataSource": {"ManifestS3Uri": f"s3://{bucket}/input.manifest"}}
        },
        "OutputConfig": {"S3OutputPath": f"s3://{bucket}/output"},
        "RoleArn": "arn:aws:iam::123456789012:role/gt-test-execution",
        "LabelCategoryConfigS3Uri": f"s3://{bucket}/labels.json",
        "HumanTaskConfig": {
            "WorkteamArn": team["workteam_arn"],
            "UiConfig": {"UiTemplateS3Uri": f"s3://{bucket}/template.liquid"},
            "PreHumanTaskLambdaArn": f"{lambdas}:PRE-ImageMultiClass",
            "TaskKeywords": ["Image classification"],
            "TaskTitle": "Image classification task",
            "TaskDescription": "Classify the image by selecting one label.",
            "NumberOfHumanWorkersPerDataObject": workers,
            "TaskTimeLimitInSeconds": 300,
            "TaskAvailabilityLifetimeInSeconds": 3600,
            "MaxConcurrentTaskCount": 100,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": f"{lambdas}:ACS-ImageMultiClass"
            },
        },
    }


def wait_for_status(
    gt: LocalGroundTruthProcess, name: str, statuses: tuple[str, ...], timeout: float = 180.0
) -> dict[str, Any]:
    """Poll DescribeLabelingJob until the job's status is one of `statuses`."""
    sagemaker = gt.client("sagemaker")
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = sagemaker.describe_labeling_job(LabelingJobName=name)
        if job["LabelingJobStatus"] in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} still {job['LabelingJobStatus']}, wanted {statuses}")
        time.sleep(0.1)
