"""The chart's namespaced mode (`operator.namespaces`): the operator gets LabelingJob access
only through a RoleBinding per listed namespace, and that is enough for it to run a job and
stop it on delete, while jobs elsewhere are left alone. Runs after test_operator_flow.py,
whose all-namespaces operator is stopped by then."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from groundtruth_local.controlplane import ControlPlane
from groundtruth_local.controlplane.chart_operator import run_operator_like_the_chart
from local_gt_support import LocalGroundTruthProcess

from .e2e_support import apply, get_json, helm_install, labeling_job, minimal_spec, wait_phase

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

RELEASE = "gt-team"
RELEASE_NAMESPACE = "gt-team-system"
WATCHED = "team-a"
UNWATCHED = "team-b"


@pytest.fixture(scope="module")
def namespaced_operator(
    control_plane: ControlPlane,
    operator_release: dict[str, Any],
    e2e_gt: LocalGroundTruthProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path]:
    workdir = tmp_path_factory.mktemp("namespaced")
    for name in (WATCHED, UNWATCHED):
        control_plane.kubectl("create", "namespace", name)
    values = {
        **operator_release["values"],
        "operator": {**operator_release["values"]["operator"], "namespaces": [WATCHED]},
    }
    helm_install(control_plane, RELEASE, RELEASE_NAMESPACE, values, workdir)
    log = workdir / "operator.log"
    with run_operator_like_the_chart(
        control_plane, RELEASE_NAMESPACE, f"{RELEASE}-groundtruth-operator", e2e_gt.env, log
    ):
        yield log
    sys.stderr.write(f"--- namespaced operator log (tail) ---\n{log.read_text()[-6000:]}\n")


def test_rolebinding_is_enough_and_other_namespaces_are_left_alone(
    control_plane: ControlPlane,
    namespaced_operator: Path,
    e2e_gt: LocalGroundTruthProcess,
    sample_manifest: str,
) -> None:
    apply(control_plane, labeling_job("elsewhere", UNWATCHED, minimal_spec(sample_manifest)))
    apply(control_plane, labeling_job("watched", WATCHED, minimal_spec(sample_manifest)))
    job_name = wait_phase(control_plane, WATCHED, "watched", "InProgress")["labelingJobName"]
    control_plane.kubectl("delete", "labelingjob", "watched", "-n", WATCHED, "--timeout=120s")
    described = e2e_gt.client("sagemaker").describe_labeling_job(LabelingJobName=job_name)
    assert described["LabelingJobStatus"] == "Stopped"

    # The job in the unwatched namespace got no finalizer, no status: never touched.
    untouched = get_json(control_plane, "labelingjob", "elsewhere", "-n", UNWATCHED)
    assert "status" not in untouched
    assert not untouched["metadata"].get("finalizers")
    log = namespaced_operator.read_text()
    assert not [line for line in log.splitlines() if "forbidden" in line.lower()]
