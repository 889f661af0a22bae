"""The local control plane itself: token authentication, RBAC and TokenRequest are real."""

from __future__ import annotations

import json

import pytest
from groundtruth_local.controlplane import ControlPlane
from groundtruth_local.controlplane.kubeconfig import write_kubeconfig

pytestmark = pytest.mark.cluster


def test_admin_kubeconfig_reaches_the_api_server(control_plane: ControlPlane) -> None:
    version = json.loads(control_plane.kubectl("version", "-o", "json").stdout)
    assert version["serverVersion"]["major"] == "1"
    assert version["serverVersion"]["gitVersion"].startswith("v1.33.")
    namespaces = control_plane.kubectl("get", "namespaces", "-o", "name").stdout.split()
    assert "namespace/default" in namespaces


def test_unknown_token_is_rejected(control_plane: ControlPlane) -> None:
    kubeconfig = write_kubeconfig(
        control_plane.workdir / "wrong.kubeconfig",
        server=control_plane.server,
        ca_pem=control_plane.ca_cert.read_bytes(),
        token="not-a-valid-token",
        user="nobody",
    )
    result = control_plane.kubectl("get", "namespaces", kubeconfig=kubeconfig, check=False)
    assert result.returncode != 0
    assert "Unauthorized" in result.stderr


def test_service_account_token_is_bound_by_rbac(
    control_plane: ControlPlane, namespace: str
) -> None:
    control_plane.kubectl("create", "serviceaccount", "reader", "-n", namespace)
    kubeconfig = control_plane.service_account_kubeconfig(namespace, "reader")

    denied = control_plane.kubectl("get", "configmaps", kubeconfig=kubeconfig, check=False)
    assert denied.returncode != 0
    assert f'"system:serviceaccount:{namespace}:reader" cannot list resource "configmaps"' in (
        denied.stderr
    )

    control_plane.kubectl(
        "create", "role", "read-cm", "--verb=list", "--resource=configmaps", "-n", namespace
    )
    control_plane.kubectl(
        "create", "rolebinding", "read-cm", "--role=read-cm",
        f"--serviceaccount={namespace}:reader", "-n", namespace,
    )  # fmt: skip
    # check=True: raises if the grant did not take effect.
    control_plane.kubectl("get", "configmaps", kubeconfig=kubeconfig)
    # Still nothing outside the grant.
    assert control_plane.kubectl("get", "secrets", kubeconfig=kubeconfig, check=False).returncode


def test_whoami_is_the_service_account(control_plane: ControlPlane, namespace: str) -> None:
    control_plane.kubectl("create", "serviceaccount", "robot", "-n", namespace)
    kubeconfig = control_plane.service_account_kubeconfig(namespace, "robot")
    review = json.loads(
        control_plane.kubectl("auth", "whoami", "-o", "json", kubeconfig=kubeconfig).stdout
    )
    assert review["status"]["userInfo"]["username"] == f"system:serviceaccount:{namespace}:robot"
