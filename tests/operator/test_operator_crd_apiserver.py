"""The CRD against a real kube-apiserver (built from k8s.io/kubernetes, with etcd): the
schema is accepted, CEL rules compile and act, printer columns show.

Skipped with the reason when the control-plane binaries are not built
(`bash scripts/kube-binaries.sh`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CRD = ROOT / "crds" / "labelingjobs.yaml"

ARN = "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/cats-1"
pytestmark = [pytest.mark.cluster, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    try:
        from groundtruth_local.controlplane import ControlPlane  # noqa: PLC0415
        from groundtruth_local.controlplane.binaries import find_binaries  # noqa: PLC0415

        find_binaries()
    except Exception as error:  # any missing part means: skip, with the reason
        pytest.skip(f"local control plane unavailable: {error}")
    with ControlPlane() as plane:
        plane.kubectl("apply", "--server-side", "-f", str(CRD))
        plane.kubectl(
            "wait",
            "--for",
            "condition=established",
            "--timeout=60s",
            "crd/labelingjobs.labeling.groundtruth.dev",
        )
        plane.kubectl("create", "namespace", "team-a")
        yield plane


def _job(name: str, **spec_changes: Any) -> str:
    spec: dict[str, Any] = {
        "inputConfig": {"dataSource": {"s3DataSource": {"manifestS3Uri": "s3://in/m.manifest"}}},
        "labels": ["cat", "dog"],
        "humanTaskConfig": {
            "instructions": {"short": "Pick one", "full": "Cat or dog?"},
            "taskTitle": "Cats or dogs",
            "taskDescription": "Pick the animal",
            "numberOfHumanWorkersPerDataObject": 3,
            "taskTimeLimitInSeconds": 300,
        },
    }
    spec.update(spec_changes)
    return yaml.safe_dump(
        {
            "apiVersion": "labeling.groundtruth.dev/v1alpha1",
            "kind": "LabelingJob",
            "metadata": {"name": name, "namespace": "team-a"},
            "spec": spec,
        }
    )


def _patch_spec(cluster: Any, name: str, title: str) -> Any:
    return cluster.kubectl(
        "-n",
        "team-a",
        "patch",
        "lj",
        name,
        "--type=merge",
        "-p",
        json.dumps({"spec": {"humanTaskConfig": {"taskTitle": title}}}),
        check=False,
    )


def test_spec_is_editable_until_the_job_exists_then_refused(cluster: Any) -> None:
    cluster.kubectl("apply", "-f", "-", stdin=_job("cats"))
    assert _patch_spec(cluster, "cats", "Edited before creation").returncode == 0
    cluster.kubectl(
        "-n",
        "team-a",
        "patch",
        "lj",
        "cats",
        "--subresource=status",
        "--type=merge",
        "-p",
        json.dumps(
            {
                "status": {
                    "labelingJobArn": ARN,
                    "phase": "InProgress",
                    "labelingJobName": "cats-1",
                    "labelCounters": {"totalLabeled": 2, "failedNonRetryableError": 1},
                    "totalObjects": 10,
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True",
                            "reason": "InProgress",
                            "message": "workers are labeling",
                            "lastTransitionTime": "2026-01-01T00:00:00Z",
                        }
                    ],
                }
            }
        ),
    )
    refused = _patch_spec(cluster, "cats", "Edited after creation")
    assert refused.returncode != 0
    assert "spec is immutable once the Ground Truth job exists" in refused.stderr
    # Status and metadata stay writable (the operator and users need them).
    labelled = cluster.kubectl("-n", "team-a", "label", "lj", "cats", "team=vision", check=False)
    assert labelled.returncode == 0, labelled.stderr

    table = cluster.kubectl("-n", "team-a", "get", "lj", "cats", "-o", "wide").stdout
    header, row = table.splitlines()[:2]
    assert header.split() == [
        "NAME",
        "STATUS",
        "LABELED",
        "TOTAL",
        "FAILED",
        "AGE",
        "JOB",
        "REASON",
    ]
    assert row.split()[:5] == ["cats", "InProgress", "2", "10", "1"]
    assert row.split()[-2:] == ["cats-1", "InProgress"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"labelCategoryConfigS3Uri": "s3://in/labels.json"},
            "set exactly one of spec.labels and spec.labelCategoryConfigS3Uri",
        ),
        (
            {
                "humanTaskConfig": {
                    "taskTitle": "t",
                    "taskDescription": "d",
                    "numberOfHumanWorkersPerDataObject": 3,
                    "taskTimeLimitInSeconds": 300,
                }
            },
            "set exactly one of humanTaskConfig.uiConfig and humanTaskConfig.instructions",
        ),
        ({"labels": ["cat"]}, "spec.labels"),
        ({"deletionPolicy": "Delete"}, "spec.deletionPolicy"),
        ({"region": "mars-north-1"}, "spec.region"),
        ({"labelingJobName": "bad_name"}, "spec.labelingJobName"),
    ],
    ids=["labels-and-file", "no-ui", "one-label", "policy", "region", "job-name"],
)
def test_the_api_server_refuses_what_the_schema_can_check(
    cluster: Any, changes: dict[str, Any], message: str
) -> None:
    result = cluster.kubectl("apply", "-f", "-", stdin=_job("refused", **changes), check=False)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_examples_are_accepted_by_the_api_server(cluster: Any) -> None:
    for path in sorted((ROOT / "examples").glob("labelingjob-*.yaml")):
        result = cluster.kubectl(
            "-n", "team-a", "apply", "--dry-run=server", "-f", str(path), check=False
        )
        assert result.returncode == 0, f"{path.name}: {result.stderr}"
