"""The kopf layer end to end: `groundtruth operator run` (a real subprocess) against
kmock's KubernetesEmulator and a real local Ground Truth.

THIS IS AN EMULATOR, NOT A CLUSTER. kmock's KubernetesEmulator is kopf's own in-memory mock
API server (real HTTP). It does not validate against the CRD schema, run CEL rules, separate
status from spec, or set `generation`; it sets no uid, resourceVersion or
creationTimestamp, which the small subclass below adds (kopf's finalizer patch needs them);
it cannot parse `/api/v1/namespaces` (which kopf lists when given `--namespace`), so the
operator runs with `--all-namespaces` here.
The real-cluster suite (kube-apiserver + etcd) is a separate issue and lives elsewhere.
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import kmock
import pytest
import pytest_asyncio
from local_gt_support import LocalGroundTruthProcess, make_labeling_job_request
from operator_world import World, make_world

GROUP_VERSION = "labeling.groundtruth.dev/v1alpha1"
RESOURCE = f"{GROUP_VERSION}/labelingjobs"
NAMESPACE = "team-a"
WAIT = 40.0


class Emulator(kmock.KubernetesEmulator):
    """Fills in the metadata a real API server would (uid, resourceVersion, timestamps)."""

    _versions = itertools.count(1)

    async def _handle(self, request: kmock.Request) -> Any:
        data = request.data
        if request.resource is not None and isinstance(data, dict):
            meta = data.setdefault("metadata", {})
            if request.action == kmock.action.CREATE:
                if not meta.get("name") and meta.get("generateName"):
                    meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
                meta.setdefault("uid", str(uuid.uuid4()))
                meta.setdefault(
                    "creationTimestamp",
                    datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                )
                meta.setdefault("generation", 1)
            if request.action in (kmock.action.CREATE, kmock.action.UPDATE):
                meta["resourceVersion"] = str(next(self._versions))
        return await super()._handle(request)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest_asyncio.fixture
async def emulator() -> AsyncIterator[tuple[Emulator, str]]:
    async with Emulator() as server, kmock.Server(server) as http:
        server.resources.load_bundled()
        server.resources[RESOURCE] = kmock.ResourceInfo(
            kind="LabelingJob",
            singular="labelingjob",
            namespaced=True,
            shortnames=["lj"],
            verbs=["list", "watch", "get", "create", "patch", "update", "delete"],
        )
        yield server, str(http.url).rstrip("/")


def _kubeconfig(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters: [{{name: emu, cluster: {{server: '{url}'}}}}]\n"
        "users: [{name: emu, user: {token: emulator}}]\n"
        "contexts: [{name: emu, context: {cluster: emu, user: emu}}]\n"
        "current-context: emu\n"
    )
    return path


async def _wait(predicate: Callable[[], Any], what: str, process: subprocess.Popen[bytes]) -> Any:
    deadline = time.monotonic() + WAIT
    while True:
        value = predicate()
        if value:
            return value
        if process.poll() is not None:
            pytest.fail(f"the operator exited ({process.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; last seen: {_last_seen}")
        await asyncio.sleep(0.2)


_last_seen: dict[str, Any] = {}


def _get(server: Emulator, name: str) -> dict[str, Any] | None:
    for (resource, namespace, key), obj in list(server.objects.items()):
        if (resource.plural, namespace, key) == ("labelingjobs", NAMESPACE, name):
            if obj.deleted:
                return None
            _last_seen[name] = obj.raw
            return obj.raw
    return None


def _status_is(server: Emulator, name: str, key: str, value: Any) -> dict[str, Any] | None:
    """The object once status[key] equals value (or is set at all, for value None)."""
    obj = _get(server, name)
    found = (obj or {}).get("status", {}).get(key)
    ok = found is not None if value is None else found == value
    return obj if ok else None


def _events(server: Emulator) -> list[dict[str, Any]]:
    return [
        obj.raw
        for (resource, _, _), obj in server.objects.items()
        if resource.plural == "events" and not obj.deleted
    ]


@pytest.fixture
def world(local_gt: LocalGroundTruthProcess, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(local_gt, monkeypatch)


@pytest.mark.slow
@pytest.mark.asyncio
async def test_operator_creates_syncs_and_stops_through_kopf(
    emulator: tuple[Emulator, str], world: World, tmp_path: Path
) -> None:
    server, url = emulator
    server.objects["v1/configmaps", NAMESPACE, "groundtruth-operator-defaults"] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "groundtruth-operator-defaults", "namespace": NAMESPACE},
        "data": {
            "region": world.defaults.region,
            "roleArn": world.defaults.role_arn,
            "workteamArn": world.defaults.workteam_arn,
            "outputPath": world.defaults.output_path,
        },
    }
    metrics_port = _free_port()
    env = {
        **os.environ,
        **world.gt.env,
        "KUBECONFIG": str(_kubeconfig(tmp_path, url)),
    }
    log = (tmp_path / "operator.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from groundtruth_operator.cli import main; main()",
            "operator",
            "run",
            "--all-namespaces",
            "--endpoint-url",
            world.gt.endpoint,
            "--poll-interval",
            "2",
            "--metrics-port",
            str(metrics_port),
            "--health-port",
            "0",
            "--defaults-configmap",
            f"{NAMESPACE}/groundtruth-operator-defaults",
            "--log-format",
            "plain",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        async with aiohttp.ClientSession() as http:
            base = (
                f"{url}/apis/labeling.groundtruth.dev/v1alpha1/namespaces/{NAMESPACE}/labelingjobs"
            )
            good = {
                "apiVersion": "labeling.groundtruth.dev/v1alpha1",
                "kind": "LabelingJob",
                "metadata": {"name": "cats", "namespace": NAMESPACE},
                "spec": world.spec(),
            }
            bad_spec = world.spec()
            bad_spec["humanTaskConfig"] = {
                **bad_spec["humanTaskConfig"],
                "numberOfHumanWorkersPerDataObject": 12,
            }
            bad = {**good, "metadata": {"name": "bad", "namespace": NAMESPACE}, "spec": bad_spec}
            # A job that exists already, not created by the operator.
            foreign_name = f"foreign-{uuid.uuid4().hex[:8]}"
            foreign_arn = world.sagemaker().create_labeling_job(
                **make_labeling_job_request(world.gt, foreign_name)
            )["LabelingJobArn"]
            takeover = {
                **good,
                "metadata": {"name": "takeover", "namespace": NAMESPACE},
                "spec": world.spec(labelingJobName=foreign_name),
            }
            for body in (good, bad, takeover):
                async with http.post(base, json=body) as answer:
                    assert answer.status in (200, 201), await answer.text()

            # Created: status written through kopf, finalizer added, the job exists.
            obj = await _wait(
                lambda: (
                    (o := _get(server, "cats")) and o.get("status", {}).get("labelingJobArn") and o
                ),
                "status.labelingJobArn",
                process,
            )
            assert "labeling.groundtruth.dev/finalizer" in obj["metadata"].get("finalizers", [])
            name = obj["status"]["labelingJobName"]
            job = world.sagemaker().describe_labeling_job(LabelingJobName=name)
            assert job["LabelingJobArn"] == obj["status"]["labelingJobArn"]
            assert obj["metadata"]["uid"] in {t["Value"] for t in job["Tags"]}

            # Synced by the timer until Ground Truth reports InProgress.
            obj = await _wait(
                lambda: (
                    (o := _get(server, "cats")) and o["status"].get("phase") == "InProgress" and o
                ),
                "phase InProgress",
                process,
            )
            ready = {c["type"]: c for c in obj["status"]["conditions"]}["Ready"]
            assert ready["status"] == "True"
            assert obj["status"]["totalObjects"] == 4

            # The invalid one: a condition naming the field, a Warning Event, no job.
            bad_obj = await _wait(
                lambda: (
                    (o := _get(server, "bad")) and o.get("status", {}).get("phase") == "Error" and o
                ),
                "the invalid spec's condition",
                process,
            )
            bad_ready = {c["type"]: c for c in bad_obj["status"]["conditions"]}["Ready"]
            assert bad_ready["reason"] == "InvalidSpec"
            assert "numberOfHumanWorkersPerDataObject: must be at most 9" in bad_ready["message"]
            reasons = {
                (e.get("reason"), e.get("involvedObject", {}).get("name")) for e in _events(server)
            }
            assert ("Created", "cats") in reasons
            assert ("InvalidSpec", "bad") in reasons

            # The foreign job is refused until the adopt annotation is added, then adopted.
            refused = await _wait(
                lambda: _status_is(server, "takeover", "phase", "Error"), "NameInUse", process
            )
            assert refused["status"]["reason"] == "NameInUse"
            patch = {"metadata": {"annotations": {"labeling.groundtruth.dev/adopt": "true"}}}
            async with http.patch(
                f"{base}/takeover",
                json=patch,
                headers={"Content-Type": "application/merge-patch+json"},
            ) as answer:
                assert answer.status == 200, await answer.text()
            await _wait(
                lambda: _status_is(server, "takeover", "labelingJobArn", foreign_arn),
                "adoption after the annotation",
                process,
            )

            # Metrics count the real calls.
            with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics") as answer:
                metrics = answer.read().decode()
            created = 'aws_calls_total{operation="CreateLabelingJob",outcome="ok"} 1.0'
            assert f"groundtruth_operator_{created}" in metrics

            # Delete: the finalizer holds until the job is stopped, then the object goes.
            async with http.delete(f"{base}/cats") as answer:
                assert answer.status == 200, await answer.text()
            await _wait(lambda: _get(server, "cats") is None, "the object to go away", process)
            job = world.sagemaker().describe_labeling_job(LabelingJobName=name)
            assert job["LabelingJobStatus"] == "Stopped"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        print((tmp_path / "operator.log").read_text()[-6000:])
