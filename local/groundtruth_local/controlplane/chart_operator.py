"""Run the operator the way the chart's Deployment would, as a local process.

There is no kubelet, so the Deployment never gets a Pod. Instead its container's args and env
are read back from the API server and `groundtruth` is started with them, authenticated with
a token of the chart's ServiceAccount: the chart's RBAC is then exactly what the operator has.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from groundtruth_local.controlplane.cluster import ControlPlane, ControlPlaneError, free_port

T = TypeVar("T")


def wait_until(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """Poll `probe` until it returns something truthy; TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(0.5)


@dataclass
class OperatorProcess:
    process: subprocess.Popen[bytes]
    args: list[str]
    metrics_url: str
    log: Path


def _container(cp: ControlPlane, namespace: str, deployment: str) -> tuple[dict[str, Any], str]:
    result = cp.kubectl("get", "deployment", deployment, "-n", namespace, "-o", "json")
    pod = json.loads(result.stdout)["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return container, pod["serviceAccountName"]


def _with_port(args: list[str], flag: str, port: int) -> list[str]:
    # The pod's ports are free inside its own network namespace; here they may be taken.
    return [f"{flag}={port}" if arg.startswith(f"{flag}=") else arg for arg in args]


def _container_env(container: dict[str, Any], namespace: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        elif variable.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == (
            "metadata.namespace"
        ):
            env[variable["name"]] = namespace
    return env


@contextlib.contextmanager
def run_operator_like_the_chart(
    cp: ControlPlane,
    namespace: str,
    deployment: str,
    aws_env: dict[str, str],
    log_path: Path,
    *,
    startup_timeout: float = 90.0,
) -> Iterator[OperatorProcess]:
    """Start the chart's operator command locally; stop it (SIGTERM, then SIGKILL) on exit."""
    container, service_account = _container(cp, namespace, deployment)
    health_port, metrics_port = free_port(), free_port()
    args = _with_port(container["args"], "--health-port", health_port)
    args = _with_port(args, "--metrics-port", metrics_port)
    kubeconfig = cp.service_account_kubeconfig(namespace, service_account)
    env = {
        **os.environ,
        **aws_env,
        "KUBECONFIG": str(kubeconfig),
        **_container_env(container, namespace),
    }
    command = [sys.executable, "-c", "from groundtruth_operator.cli import main; main()", *args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )

    def healthy() -> bool:
        if process.poll() is not None:
            raise ControlPlaneError(
                f"operator exited with {process.returncode}:\n{log_path.read_text()[-4000:]}"
            )
        try:
            url = f"http://127.0.0.1:{health_port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as answer:
                return bool(answer.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    try:
        wait_until(healthy, "the operator's /healthz", timeout=startup_timeout)
        yield OperatorProcess(
            process=process,
            args=args,
            metrics_url=f"http://127.0.0.1:{metrics_port}/metrics",
            log=log_path,
        )
    finally:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
