"""`groundtruth operator run` as a local process, started exactly as the chart's Deployment
would start it, but authenticated with the chart's ServiceAccount token (there is no kubelet
to run the pod, so this is how the chart's RBAC gets tested)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from groundtruth_local.controlplane import ControlPlane
from groundtruth_local.controlplane.cluster import free_port

from .e2e_support import get_json, wait_for


def deployment_container(cp: ControlPlane, namespace: str, name: str) -> dict[str, Any]:
    deployment = get_json(cp, "deployment", name, "-n", namespace)
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return {"container": container, "service_account": pod["serviceAccountName"]}


def _with_port(args: list[str], flag: str, port: int) -> list[str]:
    # The pod's ports are free inside its own network namespace; here they may be taken.
    return [f"{flag}={port}" if a.startswith(f"{flag}=") else a for a in args]


@contextlib.contextmanager
def run_operator_like_the_chart(
    cp: ControlPlane,
    namespace: str,
    deployment: str,
    aws_env: dict[str, str],
    log_path: Path,
) -> Iterator[dict[str, Any]]:
    spec = deployment_container(cp, namespace, deployment)
    container = spec["container"]
    health_port, metrics_port = free_port(), free_port()
    args = _with_port(container["args"], "--health-port", health_port)
    args = _with_port(args, "--metrics-port", metrics_port)
    kubeconfig = cp.service_account_kubeconfig(namespace, spec["service_account"])
    env = {**os.environ, **aws_env, "KUBECONFIG": str(kubeconfig)}
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        elif variable.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == (
            "metadata.namespace"
        ):
            env[variable["name"]] = namespace
    command = [sys.executable, "-c", "from groundtruth_operator.cli import main; main()", *args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(
                f"operator exited with {process.returncode}:\n{log_path.read_text()[-4000:]}"
            )
        try:
            url = f"http://127.0.0.1:{health_port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as answer:
                return answer.status == 200
        except (OSError, urllib.error.URLError):
            return False

    try:
        wait_for(healthy, "the operator's /healthz", timeout=90)
        yield {
            "process": process,
            "args": args,
            "metrics_url": f"http://127.0.0.1:{metrics_port}/metrics",
            "log": log_path,
        }
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
