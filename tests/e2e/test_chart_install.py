"""`helm install` of the chart on the real local kube-apiserver: the CRD's structural schema
and CEL rules are accepted, `kubectl explain` documents the fields, the objects are there,
and `helm uninstall` leaves nothing of the operator behind."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from groundtruth_local.controlplane import ControlPlane

from .e2e_support import (
    CHART,
    CRD_FILE,
    CRD_NAME,
    apply,
    get_json,
    helm_install,
    labeling_job,
    minimal_spec,
    wait_for,
)

pytestmark = pytest.mark.cluster

ROLE_ARN = "arn:aws:iam::123456789012:role/groundtruth-operator"


def _crd_schema() -> dict[str, Any]:
    crd = yaml.safe_load(CRD_FILE.read_text())
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def test_install_creates_the_operator_objects(
    control_plane: ControlPlane, operator_release: dict[str, Any]
) -> None:
    namespace = operator_release["namespace"]
    account = get_json(control_plane, "serviceaccount", "groundtruth-operator", "-n", namespace)
    annotations = account["metadata"]["annotations"]
    assert annotations["eks.amazonaws.com/role-arn"] == operator_release["role_arn"]
    config = get_json(control_plane, "configmap", "groundtruth-operator-defaults", "-n", namespace)
    assert config["data"] == operator_release["values"]["defaults"]
    deployment = get_json(control_plane, "deployment", "groundtruth-operator", "-n", namespace)
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "groundtruth-operator"
    get_json(control_plane, "service", "groundtruth-operator-metrics", "-n", namespace)
    for role in ("groundtruth-operator-kopf", "groundtruth-operator-labelingjobs"):
        get_json(control_plane, "clusterrole", role)
        get_json(control_plane, "clusterrolebinding", role)


def test_crd_is_accepted_and_established(
    control_plane: ControlPlane, operator_release: dict[str, Any]
) -> None:
    crd = get_json(control_plane, "crd", CRD_NAME)
    conditions = {c["type"]: c for c in crd["status"]["conditions"]}
    assert conditions["Established"]["status"] == "True"
    assert conditions["NamesAccepted"]["status"] == "True"
    assert "NonStructuralSchema" not in conditions
    assert crd["spec"]["names"]["shortNames"] == ["lj"]
    served = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert served["x-kubernetes-validations"] == _crd_schema()["x-kubernetes-validations"]


def test_kubectl_explain_prints_the_field_docs(
    control_plane: ControlPlane, operator_release: dict[str, Any]
) -> None:
    def explain() -> str | None:
        result = control_plane.kubectl("explain", "labelingjob.spec.humanTaskConfig", check=False)
        return result.stdout if result.returncode == 0 else None

    # The OpenAPI document is published a moment after the CRD is Established.
    text = wait_for(explain, "kubectl explain to know labelingjob")
    human_task = _crd_schema()["properties"]["spec"]["properties"]["humanTaskConfig"]
    flat = " ".join(text.split())
    assert " ".join(human_task["description"].split())[:60] in flat
    for field, schema in human_task["properties"].items():
        assert re.search(rf"^\s+{field}\s", text, re.MULTILINE), f"{field} not listed"
        if "description" in schema:
            assert " ".join(schema["description"].split())[:40] in flat


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"labelCategoryConfigS3Uri": "s3://input/labels.json"},
            "set exactly one of spec.labels and spec.labelCategoryConfigS3Uri",
        ),
        (
            {"humanTaskConfig": {**minimal_spec()["humanTaskConfig"], "uiConfig": {
                "uiTemplateS3Uri": "s3://input/template.liquid"}}},
            "set exactly one of humanTaskConfig.uiConfig and humanTaskConfig.instructions",
        ),
        (
            {"humanTaskConfig": {**minimal_spec()["humanTaskConfig"],
                                 "numberOfHumanWorkersPerDataObject": 0}},
            "spec.humanTaskConfig.numberOfHumanWorkersPerDataObject",
        ),
    ],
)  # fmt: skip
def test_api_server_rejects_invalid_specs_with_the_crd_message(
    control_plane: ControlPlane,
    operator_release: dict[str, Any],
    namespace: str,
    change: dict[str, Any],
    message: str,
) -> None:
    document = labeling_job("bad", namespace, {**minimal_spec(), **change})
    result = apply(control_plane, document, check=False)
    assert result.returncode != 0
    assert message in result.stderr
    # Nothing half-created.
    listed = control_plane.kubectl("get", "labelingjobs", "-n", namespace, "-o", "name")
    assert listed.stdout.strip() == ""


@pytest.mark.parametrize("major", [4, 3])
def test_upgrade_then_uninstall_leaves_no_operator_objects(
    control_plane: ControlPlane, operator_release: dict[str, Any], tmp_path: Path, major: int
) -> None:
    """With Helm 4 and Helm 3 (users run both): install, upgrade, uninstall."""
    if major == 3 and control_plane.binaries.helm3 is None:
        pytest.skip("no Helm 3 binary (scripts/kube-binaries.sh fetches it)")
    release = namespace = f"gt-helm{major}"
    watched = f"team-helm{major}"
    control_plane.kubectl("create", "namespace", watched)
    values = {
        "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN}},
        "defaults": {"region": "us-east-1"},
        "operator": {"namespaces": [watched]},
    }
    helm_install(control_plane, release, namespace, values, tmp_path, major=major)
    selector = f"app.kubernetes.io/instance={release}"
    namespaced = "deployments,services,serviceaccounts,configmaps,roles,rolebindings"
    cluster = "clusterroles,clusterrolebindings"

    def objects() -> list[str]:
        listed = control_plane.kubectl(
            "get", f"{namespaced},{cluster}", "-A", "-l", selector, "-o", "name"
        )
        return listed.stdout.split()

    before = objects()
    assert len(before) >= 10, before
    binding = f"rolebinding.rbac.authorization.k8s.io/{release}-groundtruth-operator-labelingjobs"
    assert binding in before

    defaults = f"{release}-groundtruth-operator-defaults"
    control_plane.helm(
        "upgrade", release, str(CHART), "--namespace", namespace, "--reuse-values",
        "--set", "defaults.region=eu-west-1", major=major,
    )  # fmt: skip
    config = get_json(control_plane, "configmap", defaults, "-n", namespace)
    assert config["data"] == {"region": "eu-west-1"}

    control_plane.helm("uninstall", release, "--namespace", namespace, major=major)
    assert objects() == []
    # The CRD stays (Helm never deletes CRDs from crds/), so LabelingJobs survive an uninstall.
    get_json(control_plane, "crd", CRD_NAME)
