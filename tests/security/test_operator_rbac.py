"""The chart's RBAC grants the operator nothing it does not use.

How it is verified: the chart is installed on the real local control plane and its operator
runs exactly as the Deployment would, authenticated with the chart's ServiceAccount token,
but through a recording proxy (recording_proxy.py) that notes every (verb, resource) the
operator asks the API server for. It takes a LabelingJob through create -> InProgress ->
delete. Then: everything it used is granted (or the flow would have failed), and every
granted (verb, resource) was used, except the few listed in CONDITIONAL with the setting
that needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e.conftest import control_plane, e2e_gt, operator_release, sample_manifest  # noqa: F401
from e2e.e2e_support import apply, get_json, labeling_job, minimal_spec, wait_for, wait_phase
from groundtruth_local.controlplane import ControlPlane
from groundtruth_local.controlplane.chart_operator import run_operator_like_the_chart
from groundtruth_local.controlplane.kubeconfig import write_kubeconfig
from recording_proxy import RecordingProxy, Use

pytestmark = [pytest.mark.cluster, pytest.mark.slow]
NAMESPACE = "rbac-check"

# Granted for a setting the default install does not use, and which setting.
PEERING = "operator.peering set (--peering: more than one replica)"
NAMESPACES = "kopf resolving namespaces at run time (its docs/deployment-rbac.yaml)"
CONDITIONAL: dict[Use, str] = {
    **{Use(v, "kopf.dev", r): PEERING for v in ("get", "list", "watch", "patch")
       for r in ("kopfpeerings", "clusterkopfpeerings")},
    Use("list", "", "namespaces"): NAMESPACES,
    Use("watch", "", "namespaces"): NAMESPACES,
}  # fmt: skip


class _ThroughProxy:
    """The control plane, except that ServiceAccount kubeconfigs point at the proxy."""

    def __init__(self, cp: ControlPlane, proxy_url: str) -> None:
        self._cp = cp
        self._url = proxy_url

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cp, name)

    def service_account_kubeconfig(self, namespace: str, service_account: str) -> Path:
        return write_kubeconfig(
            self._cp.workdir / f"proxied-{namespace}-{service_account}.kubeconfig",
            server=self._url,
            ca_pem=self._cp.ca_cert.read_bytes(),
            token=self._cp.create_token(namespace, service_account),
            user=f"system:serviceaccount:{namespace}:{service_account}",
            namespace=namespace,
        )


def _granted(cp: ControlPlane, release: str) -> set[Use]:
    roles = get_json(cp, "clusterroles,roles", "-A", "-l", f"app.kubernetes.io/instance={release}")
    granted = set()
    for role in roles["items"]:
        for rule in role.get("rules", []):
            for group in rule.get("apiGroups", []):
                for resource in rule.get("resources", []):
                    granted |= {Use(verb, group, resource) for verb in rule["verbs"]}
    return granted


def test_chart_rbac_is_exactly_what_the_operator_uses(
    control_plane: ControlPlane,  # noqa: F811
    e2e_gt: Any,  # noqa: F811
    operator_release: dict[str, Any],  # noqa: F811
    sample_manifest: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    cp = control_plane
    cp.kubectl("create", "namespace", NAMESPACE)
    proxy = RecordingProxy(cp.server, cp.ca_cert).start()
    try:
        with run_operator_like_the_chart(
            _ThroughProxy(cp, proxy.url),  # type: ignore[arg-type]
            operator_release["namespace"],
            operator_release["release"],
            e2e_gt.env,
            tmp_path / "operator.log",
        ):
            apply(cp, labeling_job("rbac", NAMESPACE, minimal_spec(sample_manifest)))
            wait_phase(cp, NAMESPACE, "rbac", "InProgress")
            cp.kubectl("delete", "labelingjob", "rbac", "-n", NAMESPACE, "--wait=false")

            def gone() -> bool:
                listed = get_json(cp, "labelingjobs", "-n", NAMESPACE)
                return not listed["items"]

            wait_for(gone, "the LabelingJob to be deleted (finalizer removed)", timeout=120)
    finally:
        proxy.stop()
    used = proxy.uses
    granted = _granted(cp, operator_release["release"])
    assert used <= granted, used - granted
    unused = granted - used - set(CONDITIONAL)
    assert not unused, f"the chart grants what the operator never used: {sorted(map(str, unused))}"
