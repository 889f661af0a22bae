"""The whole story on the real local control plane: the chart's operator (as a local process
with the chart's ServiceAccount token, so the chart's RBAC is what is tested) against a real
local Ground Truth; `kubectl apply` → InProgress → simulated workers → Completed; the API
server refuses a spec edit; `kubectl delete` stops an InProgress job."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from groundtruth_local.controlplane import ControlPlane
from groundtruth_local.controlplane.chart_operator import run_operator_like_the_chart
from local_gt_support import LocalGroundTruthProcess

from .e2e_support import (
    CRD_FILE,
    OBJECTS,
    REPO,
    apply,
    groundtruth,
    labeling_job,
    minimal_spec,
    wait_phase,
)

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

EXAMPLE = REPO / "examples" / "labelingjob-minimal.yaml"


@pytest.fixture(scope="module")
def operator(
    control_plane: ControlPlane,
    operator_release: dict[str, Any],
    e2e_gt: LocalGroundTruthProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    log = tmp_path_factory.mktemp("operator") / "operator.log"
    with run_operator_like_the_chart(
        control_plane,
        operator_release["namespace"],
        operator_release["release"],
        e2e_gt.env,
        log,
    ) as running:
        yield {"metrics_url": running.metrics_url, "log": running.log, "release": operator_release}
    # Shown by pytest when a test of this module failed.
    sys.stderr.write(f"--- operator log (tail) ---\n{log.read_text()[-6000:]}\n")


def _immutability_message() -> str:
    crd = yaml.safe_load(CRD_FILE.read_text())
    rules = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["x-kubernetes-validations"]
    (rule,) = [r for r in rules if "oldSelf" in r["rule"]]
    return " ".join(rule["message"].split())


@pytest.fixture(scope="module")
def example(e2e_gt: LocalGroundTruthProcess) -> dict[str, Any]:
    """The repository's example LabelingJob, with a sample dataset uploaded exactly where its
    manifestS3Uri points, so the file is applied unchanged."""
    example: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    uri = example["spec"]["inputConfig"]["dataSource"]["s3DataSource"]["manifestS3Uri"]
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    prefix = key.removesuffix("/input.manifest")
    assert f"s3://{bucket}/{prefix}/input.manifest" == uri, (
        "sample-data writes <prefix>/input.manifest"
    )
    groundtruth(
        "sample-data", "--bucket", bucket, "--prefix", prefix, "--count", str(OBJECTS),
        "--seed", "11", env={**os.environ, **e2e_gt.env},
    )  # fmt: skip
    return example


def test_example_manifest_to_completed(
    control_plane: ControlPlane,
    operator: dict[str, Any],
    e2e_gt: LocalGroundTruthProcess,
    example: dict[str, Any],
    namespace: str,
) -> None:
    control_plane.kubectl("apply", "-n", namespace, "-f", str(EXAMPLE))
    name = example["metadata"]["name"]
    status = wait_phase(control_plane, namespace, name, "InProgress")
    job_name = status["labelingJobName"]
    described = e2e_gt.client("sagemaker").describe_labeling_job(LabelingJobName=job_name)
    assert described["LabelingJobStatus"] == "InProgress"
    # The defaults came from the chart's ConfigMap.
    defaults = operator["release"]["values"]["defaults"]
    assert described["HumanTaskConfig"]["WorkteamArn"] == defaults["workteamArn"]
    assert described["RoleArn"] == defaults["roleArn"]

    # The API server itself refuses a spec edit now that the Ground Truth job exists.
    edit = control_plane.kubectl(
        "patch", "labelingjob", name, "-n", namespace, "--type=merge",
        "-p", json.dumps({"spec": {"humanTaskConfig": {"taskTitle": "Edited"}}}),
        check=False,
    )  # fmt: skip
    assert edit.returncode != 0
    assert _immutability_message() in " ".join(edit.stderr.split())

    team = operator["release"]["team"]["workteam_arn"].rsplit("/", 1)[1]
    groundtruth(
        "workers", "simulate", "--endpoint", e2e_gt.endpoint, "--workteam", team,
        "--workers", "3", "--accuracy", "0.9", "--seed", "1", "--until-done",
        env={**os.environ, **e2e_gt.env},
    )  # fmt: skip
    status = wait_phase(control_plane, namespace, name, "Completed")
    assert status["labelCounters"]["totalLabeled"] == OBJECTS
    assert status["outputDatasetS3Uri"].startswith("s3://")
    classes = status["results"]["classes"]
    assert {c["label"] for c in classes} <= set(example["spec"]["labels"])
    assert sum(c["count"] for c in classes) == OBJECTS

    table = control_plane.kubectl("get", "lj", "-n", namespace).stdout.splitlines()
    assert table[0].split() == ["NAME", "STATUS", "LABELED", "TOTAL", "FAILED", "AGE"]
    row = table[1].split()
    assert row[:3] == [name, "Completed", str(OBJECTS)]
    wide = control_plane.kubectl("get", "lj", "-n", namespace, "-o", "wide").stdout.splitlines()
    assert wide[0].split()[-2:] == ["JOB", "REASON"]
    assert job_name in wide[1].split()


def test_delete_stops_an_in_progress_job(
    control_plane: ControlPlane,
    operator: dict[str, Any],
    e2e_gt: LocalGroundTruthProcess,
    sample_manifest: str,
    namespace: str,
) -> None:
    name = f"to-stop-{uuid.uuid4().hex[:4]}"
    apply(control_plane, labeling_job(name, namespace, minimal_spec(sample_manifest)))
    job_name = wait_phase(control_plane, namespace, name, "InProgress")["labelingJobName"]
    # Waits (up to the timeout) until the operator has stopped the job and let go.
    control_plane.kubectl("delete", "labelingjob", name, "-n", namespace, "--timeout=120s")
    assert control_plane.kubectl("get", "lj", "-n", namespace, "-o", "name").stdout == ""
    described = e2e_gt.client("sagemaker").describe_labeling_job(LabelingJobName=job_name)
    assert described["LabelingJobStatus"] == "Stopped"


def test_operator_metrics_are_served(operator: dict[str, Any]) -> None:
    with urllib.request.urlopen(operator["metrics_url"], timeout=5) as answer:
        text = answer.read().decode()
    assert "groundtruth" in text


def test_chart_rbac_was_enough(operator: dict[str, Any]) -> None:
    """Runs last in this module: nothing the operator did above was refused by RBAC."""
    log = operator["log"].read_text()
    assert "Starting the main handler" in log or "starting" in log
    forbidden = [line for line in log.splitlines() if "forbidden" in line.lower()]
    assert not forbidden, "\n".join(forbidden[:5])
