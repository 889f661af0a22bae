"""Measure the local labeling API: start-up, job initialization, call latency, concurrency,
and restart time with the moto journal. Prints a Markdown table.

    python benchmarks/local_api.py [--objects 10 1000 10000] [--calls 300]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

LAMBDAS = "arn:aws:lambda:us-east-1:432418664414:function"


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.log = data_dir.parent / "server.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        started = time.perf_counter()
        command = [
            sys.executable,
            "-c",
            "from groundtruth_operator.cli import main; main()",
            "local",
            "up",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--no-plugin",
            "--log-level",
            "WARNING",
        ]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        while True:
            text = self.log.read_text()
            if "# ready" in text:
                break
            if self.process.poll() is not None:
                raise RuntimeError(text)
            time.sleep(0.02)
        for line in text.splitlines():
            if line.startswith("export AWS_ENDPOINT_URL="):
                self.endpoint = line.split("=", 1)[1]
                self.port = int(self.endpoint.rsplit(":", 1)[1])
        return time.perf_counter() - started

    def stop(self, kill: bool = False) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        self.process.wait(30)

    def client(self, service: str) -> Any:
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",  # noqa: S106 - moto's fake key
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )


def setup(server: Server) -> tuple[dict[str, Any], Any]:
    s3, sm, idp = server.client("s3"), server.client("sagemaker"), server.client("cognito-idp")
    s3.create_bucket(Bucket="bench")
    s3.put_object(
        Bucket="bench",
        Key="labels.json",
        Body=json.dumps(
            {"document-version": "2018-11-28", "labels": [{"label": "a"}, {"label": "b"}]}
        ),
    )
    s3.put_object(Bucket="bench", Key="template.html", Body=b"<crowd-form></crowd-form>")
    pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="bench")
    client_id = client["UserPoolClient"]["ClientId"]
    sm.create_workforce(
        WorkforceName="default", CognitoConfig={"UserPool": pool, "ClientId": client_id}
    )
    team = sm.create_workteam(
        WorkteamName="bench",
        Description="bench",
        WorkforceName="default",
        MemberDefinitions=[
            {"CognitoMemberDefinition": {"UserPool": pool, "ClientId": client_id, "UserGroup": "g"}}
        ],
    )["WorkteamArn"]
    request = {
        "LabelAttributeName": "label",
        "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": ""}}},
        "OutputConfig": {"S3OutputPath": "s3://bench/out"},
        "RoleArn": "arn:aws:iam::123456789012:role/bench",
        "LabelCategoryConfigS3Uri": "s3://bench/labels.json",
        "HumanTaskConfig": {
            "WorkteamArn": team,
            "UiConfig": {"UiTemplateS3Uri": "s3://bench/template.html"},
            "PreHumanTaskLambdaArn": f"{LAMBDAS}:PRE-ImageMultiClass",
            "TaskTitle": "t",
            "TaskDescription": "d",
            "TaskKeywords": ["bench"],
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": f"{LAMBDAS}:ACS-ImageMultiClass"
            },
        },
    }
    return request, sm


def concurrent_creates(server: Server, request: dict[str, Any], manifest: str, count: int) -> float:
    """CreateLabelingJob calls per second from `count` clients, 10 calls each."""
    clients = [server.client("sagemaker") for _ in range(count)]

    def create(index: int) -> None:
        job = {**request, "LabelingJobName": f"conc-{index}"}
        job["InputConfig"] = {"DataSource": {"S3DataSource": {"ManifestS3Uri": manifest}}}
        clients[index % count].create_labeling_job(**job)

    started = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(create, range(count * 10)))
    return count * 10 / (time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, nargs="+", default=[10, 1000, 10000])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gt-bench-"))
    rows: list[tuple[str, str]] = []
    server = Server(root / "data")
    try:
        rows.append(("start-up to ready (empty data dir)", f"{server.start():.2f} s"))
        request, sm = setup(server)
        s3 = server.client("s3")
        for count in args.objects:
            key = f"manifest-{count}.jsonl"
            body = "\n".join(
                json.dumps({"source-ref": f"s3://bench/img/{i}.png"}) for i in range(count)
            )
            s3.put_object(Bucket="bench", Key=key, Body=body.encode())
            job = {**request, "LabelingJobName": f"init-{count}"}
            job["InputConfig"] = {
                "DataSource": {"S3DataSource": {"ManifestS3Uri": f"s3://bench/{key}"}}
            }
            started = time.perf_counter()
            sm.create_labeling_job(**job)
            while (
                sm.describe_labeling_job(LabelingJobName=job["LabelingJobName"])[
                    "LabelingJobStatus"
                ]
                != "InProgress"
            ):
                time.sleep(0.01)
            rows.append(
                (
                    f"CreateLabelingJob → InProgress, {count} objects",
                    f"{time.perf_counter() - started:.2f} s",
                )
            )
        for operation, call in (
            (
                "DescribeLabelingJob",
                lambda: sm.describe_labeling_job(LabelingJobName=f"init-{args.objects[-1]}"),
            ),
            ("ListLabelingJobs (MaxResults 100)", lambda: sm.list_labeling_jobs(MaxResults=100)),
        ):
            latencies = []
            for _ in range(args.calls):
                started = time.perf_counter()
                call()
                latencies.append((time.perf_counter() - started) * 1000)
            rows.append(
                (
                    f"{operation} latency p50 / p95 ({args.calls} calls)",
                    f"{statistics.median(latencies):.1f} / {percentile(latencies, 0.95):.1f} ms",
                )
            )
        manifest = f"s3://bench/manifest-{args.objects[0]}.jsonl"
        rate = concurrent_creates(server, request, manifest, args.clients)
        rows.append(
            (f"CreateLabelingJob, {args.clients} concurrent clients", f"{rate:.0f} calls/s")
        )
        for index in range(200):
            s3.put_object(Bucket="bench", Key=f"img/{index}.png", Body=os.urandom(20_000))
        journal = server.data_dir / "moto-journal.jsonl"
        size = journal.stat().st_size / 1e6
        server.stop(kill=True)
        rows.append(
            (f"restart after SIGKILL (journal {size:.1f} MB) to ready", f"{server.start():.2f} s")
        )
        assert server.client("s3").head_object(Bucket="bench", Key="img/199.png")
    finally:
        if server.process and server.process.poll() is None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
    print("| measurement | result |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
