"""The Helm chart, rendered and linted by the real Helm 4 and Helm 3 binaries (no cluster)."""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .chart_support import CHART, find, run_helm

Render = Callable[..., list[dict[str, Any]]]

ROLE_ARN = "arn:aws:iam::123456789012:role/groundtruth-operator"
# Exactly the shape of the Terraform module's `helm_values` output (terraform/outputs.tf).
TERRAFORM_HELM_VALUES = {
    "defaults": {
        "region": "us-east-1",
        "roleArn": "arn:aws:iam::123456789012:role/gt-execution",
        "workteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/team",
        "outputPath": "s3://gt-output/labeling",
        "artifactsBucket": "gt-output",
        "artifactsPrefix": "groundtruth-operator",
    },
    "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN}},
}


@pytest.mark.parametrize("which", ["helm", "helm3"])
def test_lint_strict(which: str, request: pytest.FixtureRequest) -> None:
    helm: Path = request.getfixturevalue(which)
    result = run_helm(helm, "lint", "--strict", str(CHART))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("which", ["helm", "helm3"])
def test_lint_with_terraform_values(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    helm: Path = request.getfixturevalue(which)
    values = tmp_path / "helm_values.yaml"
    values.write_text(yaml.safe_dump(TERRAFORM_HELM_VALUES))
    result = run_helm(helm, "lint", "--strict", str(CHART), "-f", str(values))
    assert result.returncode == 0, result.stdout + result.stderr


def test_terraform_helm_values_go_in_unchanged(render: Render) -> None:
    docs = render(TERRAFORM_HELM_VALUES)
    service_account = find(docs, "ServiceAccount")
    assert service_account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": ROLE_ARN}
    config_map = find(docs, "ConfigMap", "groundtruth-operator-defaults")
    assert config_map["data"] == TERRAFORM_HELM_VALUES["defaults"]
    # The operator is told where that ConfigMap is, and runs as that ServiceAccount.
    deployment = find(docs, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == service_account["metadata"]["name"]
    assert (
        "--defaults-configmap=gt-system/groundtruth-operator-defaults"
        in pod["containers"][0]["args"]
    )


def test_null_and_empty_defaults_are_left_out(render: Render) -> None:
    docs = render({"defaults": {"region": "eu-west-1", "kmsKeyId": None, "artifactsPrefix": ""}})
    assert find(docs, "ConfigMap")["data"] == {"region": "eu-west-1"}
    assert find(render(), "ConfigMap")["data"] == {}


def test_no_annotations_without_irsa(render: Render) -> None:
    assert "annotations" not in find(render(), "ServiceAccount")["metadata"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"replicas": 2}, "additional properties 'replicas' not allowed"),
        ({"defaults": {"roleARN": ROLE_ARN}}, "additional properties 'roleARN' not allowed"),
        ({"image": {"tag": "1", "registry": "x"}}, "additional properties 'registry' not allowed"),
        ({"metrics": {"port": 70000}}, "/metrics/port"),
        ({"defaults": {"outputPath": "gt-output/labeling"}}, "/defaults/outputPath"),
        ({"operator": {"pollInterval": "fast"}}, "/operator/pollInterval"),
        ({"image": {"pullPolicy": "Sometimes"}}, "/image/pullPolicy"),
    ],
)
def test_schema_rejects_bad_values(
    helm: Path, tmp_path: Path, values: dict[str, Any], message: str
) -> None:
    values_file = tmp_path / "bad.yaml"
    values_file.write_text(yaml.safe_dump(values))
    result = run_helm(helm, "template", "x", str(CHART), "-f", str(values_file))
    assert result.returncode != 0
    assert message in result.stderr


def test_hardened_security_context(render: Render) -> None:
    pod = find(render(), "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    container = pod["containers"][0]
    context = container["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["resources"]["limits"]["memory"]
    assert container["resources"]["requests"]["cpu"]


def test_liveness_on_kopf_health_endpoint_and_metrics(render: Render) -> None:
    docs = render({"image": {"tag": "1.2.3"}})
    container = find(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"].endswith(":1.2.3")
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
    assert f"--health-port={ports['health']}" in container["args"]
    assert f"--metrics-port={ports['metrics']}" in container["args"]
    service = find(docs, "Service")
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"
    assert not [d for d in docs if d["kind"] == "ServiceMonitor"]


def test_service_monitor_is_optional(render: Render) -> None:
    docs = render({"metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "kps"}}}})
    monitor = find(docs, "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kps"
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    assert not [
        d
        for d in render({"metrics": {"enabled": False}})
        if d["kind"] in ("Service", "ServiceMonitor")
    ]


def _rules(docs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return find(docs, "ClusterRole", name)["rules"]


def test_rbac_splits_kopf_from_operator(render: Render) -> None:
    docs = render()
    kopf = _rules(docs, "groundtruth-operator-kopf")
    assert {
        "apiGroups": ["apiextensions.k8s.io"],
        "resources": ["customresourcedefinitions"],
        "verbs": ["list", "watch"],
    } in kopf
    operator = _rules(docs, "groundtruth-operator-labelingjobs")
    resources = {r for rule in operator for r in rule["resources"]}
    assert {"labelingjobs", "labelingjobs/status", "events"} <= resources
    # All namespaces by default: one ClusterRoleBinding, no RoleBindings to LabelingJobs.
    binding = find(docs, "ClusterRoleBinding", "groundtruth-operator-labelingjobs")
    assert binding["subjects"][0]["namespace"] == "gt-system"
    defaults_role = find(docs, "Role", "groundtruth-operator-defaults")
    assert defaults_role["rules"][0]["resourceNames"] == ["groundtruth-operator-defaults"]


def test_watched_namespaces_get_rolebindings_only(render: Render) -> None:
    docs = render({"operator": {"namespaces": ["team-a", "team-b"]}})
    bindings = [
        d
        for d in docs
        if d["kind"] == "RoleBinding" and d["metadata"]["name"].endswith("-labelingjobs")
    ]
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["team-a", "team-b"]
    assert not [
        d
        for d in docs
        if d["kind"] == "ClusterRoleBinding" and d["metadata"]["name"].endswith("-labelingjobs")
    ]
    args = find(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--namespace=team-a" in args
    assert "--all-namespaces" not in args


def test_defaults_change_rolls_the_pod(render: Render) -> None:
    def checksum(values: dict[str, Any]) -> str:
        pod = find(render(values), "Deployment")["spec"]["template"]
        return pod["metadata"]["annotations"]["checksum/defaults"]

    assert checksum({"defaults": {"region": "us-east-1"}}) != checksum(
        {"defaults": {"region": "us-west-2"}}
    )


def _leaf_paths(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict) and value:
        return [p for key, child in value.items() for p in _leaf_paths(child, f"{prefix}/{key}")]
    return [prefix]


def test_every_value_is_in_the_schema_with_a_description() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    for key in values:
        assert key in schema["properties"], f"values.yaml key {key!r} missing from the schema"

    def walk(node: dict[str, Any], path: str) -> None:
        assert node.get("description") or path == "", f"schema {path} has no description"
        if node.get("additionalProperties") is False:
            for name, child in node["properties"].items():
                walk(child, f"{path}/{name}")

    walk(schema, "")
    assert schema["additionalProperties"] is False


def test_every_value_is_documented_in_values_yaml() -> None:
    lines = (CHART / "values.yaml").read_text().splitlines()
    # Keys under these hold Kubernetes objects passed through as they are; the parent's
    # comment documents them.
    free_form = {"resources", "podSecurityContext", "securityContext"}
    parents: list[tuple[int, str]] = []
    for number, line in enumerate(lines):
        match = re.match(r"^(\s*)([A-Za-z][\w.-]*):", line)
        if not match:
            continue
        indent, key = len(match.group(1)), match.group(2)
        parents = [(i, k) for i, k in parents if i < indent]
        inside_free_form = any(k in free_form for _, k in parents)
        parents.append((indent, key))
        if inside_free_form:
            continue
        above = lines[number - 1].strip() if number else ""
        assert above.startswith("#"), f"values.yaml line {number + 1}: {key!r} has no comment"


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"metrics": {"enabled": False}, "operator": {"namespaces": ["a", "b"], "peering": "gt"}},
        {"operator": {"region": "eu-west-1", "endpointUrl": "http://gt:4566", "pollInterval": 5}},
    ],
)
def test_container_args_parse_with_the_real_cli(render: Render, values: dict[str, Any]) -> None:
    """The chart's arguments are accepted by `groundtruth operator run` itself (parsed, not run)."""
    operator_cli = pytest.importorskip("groundtruth_operator.operator_cli")
    container = find(render(values), "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:2] == ["operator", "run"]
    context = operator_cli.run.make_context("run", list(container["args"][2:]))
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert context.params["health_port"] == ports["health"]
    assert context.params["metrics_port"] == ports.get("metrics", 0)
    assert context.params["defaults_configmap"] == "gt-system/groundtruth-operator-defaults"
    assert list(context.params["namespaces"]) == values.get("operator", {}).get("namespaces", [])


@pytest.mark.parametrize("which", ["helm", "helm3"])
def test_packaged_crd_is_the_one_in_crds(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The chart's CRD is a symlink to crds/labelingjobs.yaml; what Helm ships must match it."""
    helm: Path = request.getfixturevalue(which)
    source = (CHART.parents[1] / "crds" / "labelingjobs.yaml").read_bytes()
    assert (CHART / "crds" / "labelingjobs.yaml").read_bytes() == source
    result = run_helm(helm, "package", str(CHART), "--destination", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (archive,) = tmp_path.glob("groundtruth-operator-*.tgz")
    with tarfile.open(archive) as tar:
        member = tar.extractfile("groundtruth-operator/crds/labelingjobs.yaml")
        assert member is not None
        assert member.read() == source


def test_dockerfile_agrees_with_the_chart(render: Render) -> None:
    """The image cannot be built here (no container engine), so check what can be checked:
    the user, ports and entrypoint the chart relies on."""
    dockerfile = (CHART.parents[1] / "Dockerfile").read_text()
    pod = find(render(), "Deployment")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    user = pod["securityContext"]["runAsUser"]
    assert re.search(rf"^USER {user}:{pod['securityContext']['runAsGroup']}$", dockerfile, re.M)
    exposed = re.search(r"^EXPOSE (.+)$", dockerfile, re.M)
    assert exposed
    assert {str(p["containerPort"]) for p in container["ports"]} == set(exposed.group(1).split())
    assert '\nENTRYPOINT ["groundtruth"]\n' in dockerfile
    assert container["args"][:2] == ["operator", "run"]
    # The runtime stage starts from a slim base and installs no compilers.
    assert re.findall(r"^FROM (\S+)", dockerfile, re.M)[-1].endswith("-slim-bookworm")
    lines = (CHART.parents[1] / ".dockerignore").read_text().splitlines()
    ignored = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignored[0] == "*"
    for needed in ("!pyproject.toml", "!README.md", "!operator/", "!local/"):
        assert needed in ignored
