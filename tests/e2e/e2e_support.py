"""Helpers for the end-to-end suite (imported by module name: tests/ is not a package)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from groundtruth_local.controlplane import ControlPlane

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "groundtruth-operator"
CRD_FILE = REPO / "crds" / "labelingjobs.yaml"
CRD_NAME = "labelingjobs.labeling.groundtruth.dev"
API_VERSION = "labeling.groundtruth.dev/v1alpha1"
# Images in the session's sample dataset (`groundtruth sample-data`, fixture sample_manifest).
OBJECTS = 6

T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """Poll until `probe` returns something truthy; fail naming `what` otherwise.

    A readiness wait, not a timed assertion: the deadline only bounds a hang.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(0.5)


def helm_install(
    cp: ControlPlane,
    release: str,
    namespace: str,
    values: dict[str, Any],
    workdir: Path,
    *,
    major: int = 4,
) -> None:
    values_file = workdir / f"{release}-values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    cp.helm(
        "install", release, str(CHART), "--namespace", namespace, "--create-namespace",
        "-f", str(values_file), major=major,
    )  # fmt: skip


def get_json(cp: ControlPlane, *args: str) -> Any:
    return json.loads(cp.kubectl("get", *args, "-o", "json").stdout)


def apply(cp: ControlPlane, document: dict[str, Any], **kwargs: Any) -> Any:
    return cp.kubectl("apply", "-f", "-", stdin=json.dumps(document), **kwargs)


def labeling_job(name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "LabelingJob",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def minimal_spec(manifest_uri: str = "s3://input/sample/input.manifest") -> dict[str, Any]:
    """A spec the CRD accepts, leaving roleArn, workteam and output path to the defaults."""
    return {
        "inputConfig": {"dataSource": {"s3DataSource": {"manifestS3Uri": manifest_uri}}},
        "labels": ["circle", "square"],
        "humanTaskConfig": {
            "instructions": {"short": "<p>Pick the shape.</p>", "full": "<p>Which shape?</p>"},
            "taskTitle": "Shapes",
            "taskDescription": "Pick the shape in the image",
            "numberOfHumanWorkersPerDataObject": 1,
            "taskTimeLimitInSeconds": 300,
        },
    }


def groundtruth(*args: str, env: dict[str, str], timeout: float = 600) -> str:
    """Run the `groundtruth` CLI of this checkout; fail with its stderr if it fails."""
    result = subprocess.run(
        [sys.executable, "-c", "from groundtruth_operator.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"groundtruth {' '.join(args)}:\n{result.stderr}"
    return result.stdout


def wait_phase(
    cp: ControlPlane, namespace: str, name: str, phase: str, timeout: float = 120
) -> dict[str, Any]:
    """Wait until the LabelingJob's status.phase is `phase`; returns its status."""

    def reached() -> dict[str, Any] | None:
        status = get_json(cp, "labelingjob", name, "-n", namespace).get("status", {})
        return status if status.get("phase") == phase else None

    return wait_for(reached, f"LabelingJob {namespace}/{name} to be {phase}", timeout)
