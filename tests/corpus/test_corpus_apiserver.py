"""The LabelingJob corpus against a real kube-apiserver (`kubectl apply --dry-run=server`).

Schema violations must be refused by the API server with the expected words (the user sees
them in kubectl's output); the manifests only the operator can judge must pass the schema,
so the operator's check is the one that decides. Uses the end-to-end suite's `control_plane`
fixture (skipped with the reason when the binaries are not built).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_files import LABELING_JOBS, Case, load
from e2e.conftest import control_plane  # noqa: F401 - the shared fixture, reused not copied
from groundtruth_local.controlplane import ControlPlane

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

CRD = Path(__file__).resolve().parents[2] / "crds" / "labelingjobs.yaml"
NAMESPACE = "corpus"
CASES = load(LABELING_JOBS)
PLACEHOLDERS = {
    "BUCKET": "corpus-bucket",
    "WORKTEAM_ARN": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/corpus",
}


@pytest.fixture(scope="module")
def cluster(control_plane: ControlPlane) -> ControlPlane:  # noqa: F811
    control_plane.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(CRD))
    control_plane.kubectl(
        "wait", "--for=condition=Established", "--timeout=60s",
        "crd/labelingjobs.labeling.groundtruth.dev",
    )  # fmt: skip
    if control_plane.kubectl("get", "namespace", NAMESPACE, check=False).returncode != 0:
        control_plane.kubectl("create", "namespace", NAMESPACE)
    return control_plane


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_apiserver_judges_the_corpus(cluster: ControlPlane, case: Case) -> None:
    expect, manifest = case.documents(**PLACEHOLDERS)
    expect = expect["expect"]
    result = cluster.kubectl(
        "apply", "--dry-run=server", "-n", NAMESPACE, "-f", "-",
        stdin=json.dumps(manifest), check=False,
    )  # fmt: skip
    if expect["rejectedBy"] == "apiserver":
        assert result.returncode != 0, f"{case.id} was accepted: {result.stdout}"
        assert expect["messageContains"] in result.stderr, result.stderr
    else:
        assert result.returncode == 0, f"{case.id} refused by the schema:\n{result.stderr}"
    # A dry run never persists anything.
    listed = cluster.kubectl("get", "labelingjobs", "-n", NAMESPACE, "-o", "name")
    assert listed.stdout.strip() == ""
