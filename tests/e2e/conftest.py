"""The local control plane for the end-to-end suite: real etcd and kube-apiserver.

Missing binaries skip the suite with the exact reason (build them with
`bash scripts/kube-binaries.sh`); a control plane that fails to start is an error.
There is no controller-manager: namespaces never finish deleting, so each test uses its own
namespace and never waits for one to go away.

Fixtures: `control_plane` (session), `namespace` (a fresh one per test),
`e2e_gt` (session: a local Ground Truth of this suite's own, so `workers simulate
--until-done` sees only this suite's jobs), `operator_release` (session: the chart installed
as `groundtruth-operator` in `gt-system` with values shaped like Terraform's `helm_values`,
pointing at `e2e_gt`).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from groundtruth_local.controlplane import BinariesMissingError, ControlPlane, find_binaries
from local_gt_support import LocalGroundTruthProcess, ensure_workteam

from .e2e_support import CRD_NAME, OBJECTS, groundtruth, helm_install

RELEASE = "groundtruth-operator"
RELEASE_NAMESPACE = "gt-system"
OUTPUT_BUCKET = "gt-e2e-output"
INPUT_BUCKET = "gt-e2e-input"
ROLE_ARN = "arn:aws:iam::123456789012:role/gt-e2e-operator"

_namespace_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    try:
        binaries = find_binaries()
    except BinariesMissingError as error:
        pytest.skip(f"local control plane unavailable: {error}")
    workdir: Path = tmp_path_factory.mktemp("controlplane")
    with ControlPlane(workdir=workdir, binaries=binaries) as cluster:
        yield cluster


@pytest.fixture
def namespace(control_plane: ControlPlane) -> str:
    """A fresh namespace for one test (left behind: nothing would finalize its deletion)."""
    name = f"e2e-{next(_namespace_numbers)}"
    control_plane.kubectl("create", "namespace", name)
    return name


@pytest.fixture(scope="session")
def e2e_gt(control_plane: ControlPlane) -> Iterator[LocalGroundTruthProcess]:
    # Depends on control_plane so that missing binaries skip before a server is started.
    server = LocalGroundTruthProcess()
    try:
        yield server.start()
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def operator_release(
    control_plane: ControlPlane,
    e2e_gt: LocalGroundTruthProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """The chart, installed the documented way with Terraform-shaped values."""
    team = ensure_workteam(e2e_gt)
    e2e_gt.client("s3").create_bucket(Bucket=OUTPUT_BUCKET)
    values = {
        "defaults": {
            "region": e2e_gt.region,
            "roleArn": "arn:aws:iam::123456789012:role/gt-e2e-execution",
            "workteamArn": team["workteam_arn"],
            "outputPath": f"s3://{OUTPUT_BUCKET}/labeling",
            "artifactsBucket": OUTPUT_BUCKET,
            "artifactsPrefix": "groundtruth-operator",
        },
        "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN}},
        # Not part of Terraform's output: where the operator finds Ground Truth, and a short
        # poll so the suite does not idle.
        "operator": {"endpointUrl": e2e_gt.endpoint, "pollInterval": 2},
    }
    helm_install(control_plane, RELEASE, RELEASE_NAMESPACE, values, tmp_path_factory.mktemp("helm"))
    control_plane.kubectl("wait", "--for=condition=Established", f"crd/{CRD_NAME}", "--timeout=60s")
    return {
        "release": RELEASE,
        "namespace": RELEASE_NAMESPACE,
        "values": values,
        "role_arn": ROLE_ARN,
        "team": team,
    }


@pytest.fixture(scope="session")
def sample_manifest(e2e_gt: LocalGroundTruthProcess) -> str:
    """`groundtruth sample-data` on e2e_gt: OBJECTS shapes; returns the manifest's S3 URI."""
    output = groundtruth(
        "sample-data", "--bucket", INPUT_BUCKET, "--prefix", "e2e", "--count", str(OBJECTS),
        "--labels", "circle,square", "--seed", "7", env={**os.environ, **e2e_gt.env},
    )  # fmt: skip
    match = re.search(r"input manifest:\s+(s3://\S+)", output)
    assert match, output
    return match.group(1)
