"""Kubeconfig files for kubectl, helm and kopf (kopf reads them through the `kubernetes`
client or its own loader; all three accept a token user with embedded CA data)."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml


def render_kubeconfig(
    *,
    server: str,
    ca_pem: bytes,
    token: str,
    user: str,
    namespace: str = "default",
    context: str = "groundtruth-local",
) -> str:
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": context,
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode("ascii"),
                },
            }
        ],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [
            {
                "name": context,
                "context": {"cluster": context, "user": user, "namespace": namespace},
            }
        ],
        "current-context": context,
        "preferences": {},
    }
    return yaml.safe_dump(document, sort_keys=False)


def write_kubeconfig(
    path: Path, *, server: str, ca_pem: bytes, token: str, user: str, namespace: str = "default"
) -> Path:
    """Write a kubeconfig readable only by its owner (it holds a bearer token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(
        render_kubeconfig(server=server, ca_pem=ca_pem, token=token, user=user, namespace=namespace)
    )
    return path
