"""Scenario (b): the chart's operator SIGKILLed again and again while it creates jobs.

50 LabelingJobs are applied to a real kube-apiserver; the operator (run as the chart's
Deployment would run it, with its ServiceAccount token) is started and SIGKILLed at least
30 times: at random moments, and right after the server counted a new CreateLabelingJob (so
before the operator could write the ARN into status). In the end every resource has exactly
one Ground Truth job, carrying its UID, no job is left without its resource, and every
status matches Ground Truth.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from e2e.conftest import control_plane, e2e_gt, operator_release, sample_manifest  # noqa: F401
from e2e.e2e_support import get_json, labeling_job, minimal_spec, wait_for
from fault_support import KILL_JOBS, KILLS, list_all_jobs, report
from groundtruth_local.controlplane import ControlPlane
from groundtruth_local.controlplane.chart_operator import run_operator_like_the_chart
from groundtruth_operator.request import TAG_UID

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.cluster]
NAMESPACE = "faults-kill"


def _resources(cp: ControlPlane) -> dict[str, dict[str, Any]]:
    items = get_json(cp, "labelingjobs", "-n", NAMESPACE)["items"]
    return {item["metadata"]["name"]: item for item in items}


def _created(gt: Any) -> int:
    return int(gt.stats()["operations"].get("CreateLabelingJob", {}).get("ok", 0))


def _kill(process: Any) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_operator_sigkilled_mid_create_loses_and_duplicates_nothing(
    control_plane: ControlPlane,  # noqa: F811
    e2e_gt: Any,  # noqa: F811
    operator_release: dict[str, Any],  # noqa: F811
    sample_manifest: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    cp, gt, chance = control_plane, e2e_gt, random.Random(7)
    cp.kubectl("create", "namespace", NAMESPACE)
    created_before = _created(gt)
    jobs = [
        labeling_job(f"kill-{i:03d}", NAMESPACE, minimal_spec(sample_manifest))
        for i in range(KILL_JOBS)
    ]
    manifest = {"apiVersion": "v1", "kind": "List", "items": jobs}
    cp.kubectl("apply", "-f", "-", stdin=json.dumps(manifest))

    kills: list[dict[str, Any]] = []
    release, namespace = operator_release["release"], operator_release["namespace"]
    for number in range(KILLS):
        log = tmp_path / f"operator-{number}.log"
        with run_operator_like_the_chart(cp, namespace, release, gt.env, log) as running:
            before = _created(gt)
            if number % 2 == 0:
                # Right after the server created a job: before the ARN reaches status.
                deadline = time.monotonic() + 10
                while _created(gt) == before and time.monotonic() < deadline:
                    time.sleep(0.005)
            else:
                time.sleep(chance.uniform(0.0, 2.0))
            _kill(running.process)
        resources = _resources(cp)
        with_arn = {
            r["status"]["labelingJobName"]
            for r in resources.values()
            if r.get("status", {}).get("labelingJobArn")
        }
        existing = {
            job["LabelingJobName"]
            for job in list_all_jobs(gt)
            if job["LabelingJobName"].startswith("kill-")
        }
        # Jobs Ground Truth has but no status names yet: this kill hit the crash window.
        kills.append(
            {"created": _created(gt) - created_before, "orphans": len(existing - with_arn)}
        )

    # One last run, left alone: every status converges.
    with run_operator_like_the_chart(cp, namespace, release, gt.env, tmp_path / "final.log"):

        def converged() -> dict[str, dict[str, Any]] | None:
            resources = _resources(cp)
            phases = {r.get("status", {}).get("phase") for r in resources.values()}
            return resources if phases == {"InProgress"} and len(resources) == KILL_JOBS else None

        resources = wait_for(converged, "every LabelingJob InProgress", timeout=600)

    jobs_now = [j for j in list_all_jobs(gt) if j["LabelingJobName"].startswith("kill-")]
    names = [job["LabelingJobName"] for job in jobs_now]
    assert len(names) == len(set(names)) == KILL_JOBS, sorted(names)
    created = _created(gt) - created_before
    assert created == KILL_JOBS, f"{created} jobs created for {KILL_JOBS} resources"
    sagemaker = gt.client("sagemaker")
    by_name = {r["status"]["labelingJobName"]: r for r in resources.values()}
    assert sorted(by_name) == sorted(names)  # no resource without its job, no job without one
    recovered = 0
    for name, resource in by_name.items():
        job = sagemaker.describe_labeling_job(LabelingJobName=name)
        tags = {tag["Key"]: tag["Value"] for tag in job.get("Tags", [])}
        assert tags[TAG_UID] == resource["metadata"]["uid"], name
        assert resource["status"]["labelingJobArn"] == job["LabelingJobArn"]
        assert resource["status"]["labelingJobStatus"] == job["LabelingJobStatus"]
        conditions = {c["type"]: c for c in resource["status"]["conditions"]}
        recovered += conditions["Synced"]["reason"] == "Recovered"
    in_window = sum(1 for kill in kills if kill["orphans"] > 0)
    # The crash window between CreateLabelingJob and the status write was really hit.
    assert in_window > 0, kills
    report(
        "operator-sigkill",
        {
            "jobs": KILL_JOBS,
            "kills": len(kills),
            "kills_with_jobs_awaiting_status": in_window,
            "recovered_after_crash": recovered,
            "created": created,
            "lost": KILL_JOBS - len(names),
            "duplicated": created - KILL_JOBS,
        },
    )


def _restart_apiserver(cp: ControlPlane) -> None:
    """SIGKILL kube-apiserver alone and start it again with the same arguments (same port,
    certificates, tokens and etcd), as a crashed static pod would be restarted."""
    index, (name, process, log_path) = next(
        (i, entry) for i, entry in enumerate(cp._processes) if entry[0] == "kube-apiserver"
    )
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    with log_path.open("ab") as log:
        restarted = subprocess.Popen(
            process.args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    cp._processes[index] = (name, restarted, log_path)

    def ready() -> bool:
        return cp.kubectl("get", "--raw", "/readyz", check=False, timeout=10).returncode == 0

    wait_for(ready, "kube-apiserver ready again", timeout=120)


def test_apiserver_restart_mid_reconciliation_misses_and_repeats_nothing(
    control_plane: ControlPlane,  # noqa: F811
    e2e_gt: Any,  # noqa: F811
    operator_release: dict[str, Any],  # noqa: F811
    sample_manifest: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    cp, gt, namespace = control_plane, e2e_gt, "faults-apiserver"
    cp.kubectl("create", "namespace", namespace)
    created_before = _created(gt)

    def apply_jobs(first: int, count: int) -> None:
        items = [
            labeling_job(f"api-{i:03d}", namespace, minimal_spec(sample_manifest))
            for i in range(first, first + count)
        ]
        cp.kubectl(
            "apply",
            "-f",
            "-",
            stdin=json.dumps({"kind": "List", "apiVersion": "v1", "items": items}),
        )

    release = operator_release["release"]
    with run_operator_like_the_chart(
        cp, operator_release["namespace"], release, gt.env, tmp_path / "operator.log"
    ) as running:
        apply_jobs(0, 20)
        wait_for(lambda: _created(gt) - created_before >= 5, "the first jobs to be created")
        _restart_apiserver(cp)
        # Applied after the restart: the operator must see them through its renewed watch.
        apply_jobs(20, 10)

        def converged() -> dict[str, Any] | None:
            items = get_json(cp, "labelingjobs", "-n", namespace)["items"]
            phases = {i.get("status", {}).get("phase") for i in items}
            return (
                {i["metadata"]["name"]: i for i in items}
                if phases == {"InProgress"} and len(items) == 30
                else None
            )

        resources = wait_for(converged, "all 30 LabelingJobs InProgress", timeout=600)
        assert running.process.poll() is None, "the operator exited"
    created = _created(gt) - created_before
    names = sorted(
        j["LabelingJobName"] for j in list_all_jobs(gt) if j["LabelingJobName"].startswith("api-")
    )
    assert created == 30 and len(names) == 30, (created, names)
    assert names == sorted(r["status"]["labelingJobName"] for r in resources.values())
    report(
        "apiserver-restart",
        {
            "jobs": 30,
            "restarts": 1,
            "created": created,
            "lost": 30 - len(names),
            "duplicated": created - 30,
        },
    )
