"""Sync cost: AWS calls per status-sync cycle for N InProgress jobs, and the operator's memory.

Runs everything for real on 127.0.0.1: a local Ground Truth (`groundtruth local up
--no-plugin`, so jobs stay InProgress), the local control plane (etcd + kube-apiserver, from
`scripts/kube-binaries.sh`) holding N LabelingJob objects, and `groundtruth operator run`
managing them. (kmock's emulator does not scale to 1,000 objects: it scans every object on
every request.) Then:

1. the operator creates the N jobs and syncs them to InProgress (time taken);
2. in steady state the local server counts the operator's ListLabelingJobs and
   DescribeLabelingJob calls over several poll intervals (calls per cycle), while the
   operator's resident memory (VmHWM, its peak) is read from /proc;
3. the same N jobs are synced once the way ACK does it (one DescribeLabelingJob per job)
   and once with the operator's BatchedSync, both counted by the server.

    python benchmarks/sync_cost.py --jobs 1000

Prints a Markdown table (the one in benchmarks/README.md, `## Sync cost`).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import click
from groundtruth_operator.aws import Regions
from groundtruth_operator.sync import BatchedSync

NAMESPACE = "bench"
GROUP_VERSION = "labeling.groundtruth.dev/v1alpha1"


def start_local_gt(workdir: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    log_path = workdir / "local-gt.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from groundtruth_operator.cli import main; main()",
            "local",
            "up",
            "--port",
            "0",
            "--data-dir",
            str(workdir / "gt"),
            "--no-plugin",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if "# ready" in text:
            for line in text.splitlines():
                if line.startswith("export AWS_ENDPOINT_URL="):
                    return process, line.split("=", 1)[1].strip(), log_path
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise click.ClickException(f"local Ground Truth did not start:\n{log_path.read_text()}")


def stats(endpoint: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{endpoint}/_gt/admin/stats", timeout=10) as answer:  # noqa: S310
        operations = json.loads(answer.read())["operations"]
    return {name: int(value.get("calls", 0)) for name, value in operations.items()}


def delta(before: dict[str, int], after: dict[str, int], name: str) -> int:
    return after.get(name, 0) - before.get(name, 0)


def setup_aws(endpoint: str, region: str) -> dict[str, str]:
    """Workforce, workteam, an input bucket with CORS and a two-image manifest."""
    session = boto3.session.Session()
    kwargs = {"endpoint_url": endpoint, "region_name": region}
    idp = session.client("cognito-idp", **kwargs)
    sagemaker = session.client("sagemaker", **kwargs)
    s3 = session.client(
        "s3", config=boto3.session.Config(s3={"addressing_style": "path"}), **kwargs
    )
    pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool, ClientName="bench")["UserPoolClient"][
        "ClientId"
    ]
    idp.create_group(GroupName="bench-group", UserPoolId=pool)
    sagemaker.create_workforce(
        WorkforceName="default", CognitoConfig={"UserPool": pool, "ClientId": client_id}
    )
    workteam = sagemaker.create_workteam(
        WorkteamName="bench-team",
        WorkforceName="default",
        Description="benchmark",
        MemberDefinitions=[
            {
                "CognitoMemberDefinition": {
                    "UserPool": pool,
                    "UserGroup": "bench-group",
                    "ClientId": client_id,
                }
            }
        ],
    )["WorkteamArn"]
    s3.create_bucket(Bucket="bench-data")
    s3.put_bucket_cors(
        Bucket="bench-data",
        CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]},
    )
    lines = []
    for index in range(2):
        s3.put_object(Bucket="bench-data", Key=f"images/{index}.png", Body=b"png")
        lines.append(json.dumps({"source-ref": f"s3://bench-data/images/{index}.png"}))
    s3.put_object(Bucket="bench-data", Key="input.manifest", Body="\n".join(lines).encode())
    return {
        "region": region,
        "roleArn": "arn:aws:iam::123456789012:role/bench-execution",
        "workteamArn": workteam,
        "outputPath": "s3://bench-data/output",
    }


def labeling_job(index: int) -> dict[str, Any]:
    return {
        "apiVersion": GROUP_VERSION,
        "kind": "LabelingJob",
        "metadata": {"name": f"job-{index:05d}", "namespace": NAMESPACE},
        "spec": {
            "inputConfig": {
                "dataSource": {"s3DataSource": {"manifestS3Uri": "s3://bench-data/input.manifest"}}
            },
            "labels": ["cat", "dog"],
            "humanTaskConfig": {
                "instructions": {"short": "Pick one", "full": "Cat or dog?"},
                "taskTitle": "Cats or dogs",
                "taskDescription": "Pick the animal",
                "numberOfHumanWorkersPerDataObject": 1,
                "taskTimeLimitInSeconds": 300,
            },
        },
    }


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def _start_operator(
    workdir: Path, kubeconfig: Path, endpoint: str, poll_interval: float
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-c", "from groundtruth_operator.cli import main; main()",
        "operator", "run", "--namespace", NAMESPACE, "--endpoint-url", endpoint,
        "--poll-interval", str(poll_interval), "--metrics-port", "0", "--health-port", "0",
        "--log-format", "plain",
        "--defaults-configmap", f"{NAMESPACE}/groundtruth-operator-defaults",
    ]  # fmt: skip
    return subprocess.Popen(
        command,
        env={**os.environ, "KUBECONFIG": str(kubeconfig)},
        stdout=(workdir / "operator.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _load_cluster(cluster: Any, workdir: Path, jobs: int, defaults: dict[str, str]) -> None:
    crd = Path(__file__).resolve().parents[1] / "crds" / "labelingjobs.yaml"
    cluster.kubectl("apply", "--server-side", "-f", str(crd))
    cluster.kubectl(
        "wait", "--for", "condition=established", "--timeout=60s",
        "crd/labelingjobs.labeling.groundtruth.dev",
    )  # fmt: skip
    cluster.kubectl("create", "namespace", NAMESPACE)
    documents = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "groundtruth-operator-defaults", "namespace": NAMESPACE},
            "data": defaults,
        },
        *(labeling_job(index) for index in range(jobs)),
    ]
    manifest = workdir / "labelingjobs.json"
    manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": documents}))
    cluster.kubectl("create", "-f", str(manifest), timeout=900)


def _phases(cluster: Any) -> dict[str, int] | None:
    """Resources per status.phase, or None when the API server is too busy to answer."""
    try:
        listing = cluster.kubectl(
            "-n", NAMESPACE, "get", "labelingjobs", "--chunk-size=200", "-o",
            "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}",
            check=False, timeout=300,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None
    if listing.returncode != 0:
        return None
    counts: dict[str, int] = {}
    for phase in listing.stdout.splitlines():
        counts[phase or "-"] = counts.get(phase or "-", 0) + 1
    return counts


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _operator_phase(
    workdir: Path, endpoint: str, defaults: dict[str, str], *, jobs: int,
    poll_interval: float, cycles: int,
) -> list[tuple[str, str]]:  # fmt: skip
    from groundtruth_local.controlplane import ControlPlane  # noqa: PLC0415 - optional part

    rows: list[tuple[str, str]] = []
    with ControlPlane() as cluster:
        _load_cluster(cluster, workdir, jobs, defaults)
        click.echo(f"[bench] {jobs} LabelingJobs in the cluster; starting the operator", err=True)
        started = time.monotonic()
        operator = _start_operator(workdir, cluster.kubeconfig, endpoint, poll_interval)
        try:
            while ((counts := _phases(cluster)) or {}).get("InProgress", 0) < jobs:
                if operator.poll() is not None:
                    raise click.ClickException(f"operator exited; see {workdir}/operator.log")
                if time.monotonic() - started > 3600:
                    raise click.ClickException(f"stuck at {counts}")
                click.echo(f"[bench] {time.monotonic() - started:.0f} s {counts}", err=True)
                time.sleep(10)
            ramp = time.monotonic() - started
            rows.append(("operator: create + sync to InProgress, all jobs", f"{ramp:.0f} s"))

            # Steady state: let a poll interval pass, then count over `cycles` intervals.
            time.sleep(poll_interval * 1.5)
            before = stats(endpoint)
            cpu_before = cpu_seconds(operator.pid)
            peak_rss = 0
            end = time.monotonic() + poll_interval * cycles
            while time.monotonic() < end:
                peak_rss = max(peak_rss, rss_kib(operator.pid)[0])
                time.sleep(1)
            after = stats(endpoint)
            cpu = (cpu_seconds(operator.pid) - cpu_before) / (poll_interval * cycles)
            _, hwm = rss_kib(operator.pid)
        finally:
            operator.send_signal(signal.SIGTERM)
            try:
                operator.wait(timeout=60)
            except subprocess.TimeoutExpired:
                operator.kill()
    lists = delta(before, after, "ListLabelingJobs")
    describes = delta(before, after, "DescribeLabelingJob")
    other = sum(after.values()) - sum(before.values()) - lists - describes
    rows += [
        ("operator, steady state: ListLabelingJobs per cycle", f"{lists / cycles:.1f}"),
        ("operator, steady state: DescribeLabelingJob per cycle", f"{describes / cycles:.1f}"),
        ("operator, steady state: other AWS calls per cycle", f"{other / cycles:.1f}"),
        ("operator RSS in steady state (max sampled)", f"{peak_rss / 1024:.0f} MiB"),
        ("operator CPU in steady state (share of one core)", f"{cpu:.0%}"),
        ("operator peak RSS (VmHWM, incl. creating all jobs)", f"{hwm / 1024:.0f} MiB"),
    ]
    return rows


def _one_cycle_each_way(endpoint: str, jobs: int) -> list[tuple[str, str]]:
    """One sync of every InProgress job, ACK's way and ours, counted by the server."""
    sagemaker = boto3.session.Session().client(
        "sagemaker", endpoint_url=endpoint, region_name="us-east-1"
    )
    paginator = sagemaker.get_paginator("list_labeling_jobs")
    names = [
        summary["LabelingJobName"]
        for page in paginator.paginate(StatusEquals="InProgress")
        for summary in page["LabelingJobSummaryList"]
    ]
    before = stats(endpoint)
    started = time.perf_counter()
    for name in names:
        sagemaker.describe_labeling_job(LabelingJobName=name)
    ack_seconds = time.perf_counter() - started
    ack_calls = sum(stats(endpoint).values()) - sum(before.values())
    syncer = BatchedSync(Regions(endpoint), max_age=3600)
    before = stats(endpoint)
    started = time.perf_counter()
    found = sum(syncer.in_progress_summary("us-east-1", name) is not None for name in names)
    ours_seconds = time.perf_counter() - started
    ours_calls = sum(stats(endpoint).values()) - sum(before.values())
    if not found == len(names) == jobs:
        raise click.ClickException(f"expected {jobs} InProgress jobs, saw {len(names)}/{found}")
    return [
        ("one cycle, ACK's way (DescribeLabelingJob per job): calls", f"{ack_calls}"),
        ("one cycle, batched (ListLabelingJobs pages): calls", f"{ours_calls}"),
        ("calls saved (ACK / batched)", f"{ack_calls / max(ours_calls, 1):.0f}x"),
        (
            "one cycle, wall time: ACK's way / batched",
            f"{ack_seconds:.2f} s / {ours_seconds:.2f} s",
        ),
    ]


def run(jobs: int, poll_interval: float, cycles: int) -> list[tuple[str, str]]:
    workdir = Path(tempfile.mkdtemp(prefix="sync-cost-"))
    # The local endpoint accepts any credentials; these are moto's conventional test ones.
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
        }
    )
    gt, endpoint, _ = start_local_gt(workdir)
    try:
        defaults = setup_aws(endpoint, "us-east-1")
        rows = _operator_phase(
            workdir, endpoint, defaults, jobs=jobs, poll_interval=poll_interval, cycles=cycles
        )
        rows += _one_cycle_each_way(endpoint, jobs)
    finally:
        gt.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            gt.wait(timeout=20)
    return rows


@click.command()
@click.option(
    "--jobs",
    type=click.IntRange(1, 5000),
    default=1000,
    show_default=True,
    help="InProgress labeling jobs (and LabelingJob resources).",
)
@click.option(
    "--poll-interval",
    type=float,
    default=20.0,
    show_default=True,
    help="The operator's --poll-interval (one sync cycle).",
)
@click.option(
    "--cycles",
    type=click.IntRange(1, 20),
    default=3,
    show_default=True,
    help="Steady-state cycles to count over.",
)
def main(jobs: int, poll_interval: float, cycles: int) -> None:
    """Measure AWS calls per sync cycle and the operator's memory for N InProgress jobs."""
    rows = run(jobs, poll_interval, cycles)
    click.echo(
        f"\n{jobs} InProgress jobs, poll interval {poll_interval:g} s, "
        f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}\n"
    )
    click.echo("| measure | value |\n| --- | --- |")
    for name, value in rows:
        click.echo(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
