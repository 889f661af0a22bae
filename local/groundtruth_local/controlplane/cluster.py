"""Start and stop etcd plus kube-apiserver on 127.0.0.1, on free ports, in a work folder."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from groundtruth_local.controlplane.binaries import Binaries, find_binaries
from groundtruth_local.controlplane.certs import generate_pki
from groundtruth_local.controlplane.kubeconfig import write_kubeconfig

log = logging.getLogger(__name__)

SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
ADMIN_USER = "groundtruth-admin"


class ControlPlaneError(RuntimeError):
    """The control plane could not start or a command against it failed."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class ControlPlane:
    """etcd + kube-apiserver with token authentication, RBAC and ServiceAccount token signing.

    `kubeconfig` is an admin (system:masters) kubeconfig; `service_account_kubeconfig()`
    makes one that acts as a ServiceAccount, so RBAC rules are really exercised.
    """

    def __init__(
        self,
        workdir: Path | None = None,
        binaries: Binaries | None = None,
        cache_dir: Path | None = None,
        startup_timeout: float = 120.0,
    ) -> None:
        self.binaries = binaries or find_binaries(cache_dir)
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="groundtruth-controlplane-"))
        self.startup_timeout = startup_timeout
        self.admin_token = secrets.token_urlsafe(32)
        self.etcd_port = 0
        self.port = 0
        self._processes: list[tuple[str, subprocess.Popen[bytes], Path]] = []
        self.kubeconfig = self.workdir / "admin.kubeconfig"
        self.ca_cert = self.workdir / "pki" / "ca.crt"

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> ControlPlane:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> ControlPlane:
        started = time.monotonic()
        try:
            self._start_etcd()
            self._start_apiserver()
        except BaseException:
            self.stop()
            raise
        log.info(
            "control plane ready",
            extra={"server": self.server, "seconds": round(time.monotonic() - started, 1)},
        )
        return self

    def stop(self) -> None:
        # kube-apiserver first, so it does not log a storm of etcd connection errors.
        for name, process, _ in reversed(self._processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    log.warning("%s did not stop on SIGTERM; killing it", name)
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
        self._processes.clear()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log_path = self.workdir / f"{name}.log"
        with log_path.open("wb") as log_file:
            # Own process group, so stop() reaches any children and Ctrl-C in a terminal
            # does not kill the servers before the owner has cleaned up.
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._processes.append((name, process, log_path))
        log.debug("started %s", name, extra={"pid": process.pid, "log": str(log_path)})
        return process

    def _wait_until(
        self, name: str, process: subprocess.Popen[bytes], probe: Callable[[], bool]
    ) -> None:
        deadline = time.monotonic() + self.startup_timeout
        log_path = self.workdir / f"{name}.log"
        last_error = ""
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ControlPlaneError(
                    f"{name} exited with code {process.returncode} during startup; "
                    f"last lines of {log_path}:\n{_tail(log_path)}"
                )
            try:
                if probe():
                    return
            except (OSError, urllib.error.URLError) as error:
                last_error = str(error)
            time.sleep(0.25)
        raise ControlPlaneError(
            f"{name} not ready after {self.startup_timeout:.0f}s ({last_error}); "
            f"last lines of {log_path}:\n{_tail(log_path)}"
        )

    # -- etcd -----------------------------------------------------------------------------------
    def _start_etcd(self) -> None:
        self.etcd_port, peer_port = free_port(), free_port()
        client_url = f"http://127.0.0.1:{self.etcd_port}"
        peer_url = f"http://127.0.0.1:{peer_port}"
        argv = [
            str(self.binaries.etcd),
            "--name=local",
            f"--data-dir={self.workdir / 'etcd'}",
            f"--listen-client-urls={client_url}",
            f"--advertise-client-urls={client_url}",
            f"--listen-peer-urls={peer_url}",
            f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=local={peer_url}",
            # Throwaway data: skipping fsync makes every write (and so every test) faster.
            "--unsafe-no-fsync",
            "--log-level=warn",
        ]
        process = self._spawn("etcd", argv)

        def healthy() -> bool:
            with urllib.request.urlopen(f"{client_url}/health", timeout=2) as response:  # noqa: S310
                return b'"health":"true"' in response.read()

        self._wait_until("etcd", process, healthy)

    # -- kube-apiserver -------------------------------------------------------------------------
    def _start_apiserver(self) -> None:
        pki = generate_pki(self.workdir / "pki")
        tokens = self.workdir / "tokens.csv"
        tokens.touch(mode=0o600)
        # Static token file: token,user,uid,"groups". system:masters bypasses RBAC.
        tokens.write_text(f'{self.admin_token},{ADMIN_USER},{ADMIN_USER},"system:masters"\n')
        self.port = free_port()
        argv = [
            str(self.binaries.kube_apiserver),
            f"--etcd-servers=http://127.0.0.1:{self.etcd_port}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={self.port}",
            f"--cert-dir={self.workdir / 'pki'}",
            f"--tls-cert-file={pki.serving_cert}",
            f"--tls-private-key-file={pki.serving_key}",
            f"--token-auth-file={tokens}",
            "--authorization-mode=RBAC",
            f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
            f"--service-account-key-file={pki.sa_public_key}",
            f"--service-account-signing-key-file={pki.sa_private_key}",
            f"--api-audiences={SERVICE_ACCOUNT_ISSUER}",
            "--service-cluster-ip-range=10.0.0.0/24",
            # No kubelet or controller-manager: nothing would maintain the `kubernetes`
            # Service endpoints, and Pods never run, so their admission is moot.
            "--endpoint-reconciler-type=none",
            "--disable-admission-plugins=ServiceAccount",
            # Fewer moving parts on a 2-core machine; flow control matters under real load only.
            "--enable-priority-and-fairness=false",
            "--profiling=false",
            "--v=1",
        ]
        process = self._spawn("kube-apiserver", argv)
        context = ssl.create_default_context(cafile=str(pki.ca_cert))

        def ready() -> bool:
            request = urllib.request.Request(  # noqa: S310
                f"{self.server}/readyz",
                headers={"Authorization": f"Bearer {self.admin_token}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=5, context=context) as response:  # noqa: S310
                    return response.status == 200
            except urllib.error.HTTPError:
                return False  # 500 while post-start hooks (RBAC bootstrap roles) are running

        self._wait_until("kube-apiserver", process, ready)
        write_kubeconfig(
            self.kubeconfig,
            server=self.server,
            ca_pem=pki.ca_cert.read_bytes(),
            token=self.admin_token,
            user=ADMIN_USER,
        )

    # -- clients --------------------------------------------------------------------------------
    def env(self, kubeconfig: Path | None = None) -> dict[str, str]:
        """The environment for a client process (kubectl, helm, kopf) to use this cluster."""
        return {**os.environ, "KUBECONFIG": str(kubeconfig or self.kubeconfig)}

    def _run(
        self,
        tool: Path,
        *,
        args: tuple[str, ...],
        kubeconfig: Path | None,
        check: bool,
        stdin: str | None,
        timeout: float,
    ) -> subprocess.CompletedProcess[str]:
        argv = [str(tool), *args]
        result = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env(kubeconfig),
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise ControlPlaneError(
                f"`{tool.name} {' '.join(args)}` failed with code {result.returncode}:\n"
                f"{result.stderr.strip() or result.stdout.strip()}"
            )
        return result

    def kubectl(
        self,
        *args: str,
        kubeconfig: Path | None = None,
        check: bool = True,
        stdin: str | None = None,
        timeout: float = 120.0,
    ) -> subprocess.CompletedProcess[str]:
        """Run kubectl against this cluster (as admin unless another kubeconfig is given)."""
        return self._run(
            self.binaries.kubectl,
            args=args,
            kubeconfig=kubeconfig,
            check=check,
            stdin=stdin,
            timeout=timeout,
        )

    def helm(
        self,
        *args: str,
        kubeconfig: Path | None = None,
        check: bool = True,
        timeout: float = 300.0,
        major: int = 4,
    ) -> subprocess.CompletedProcess[str]:
        """Run Helm 4 (or Helm 3 with major=3) against this cluster."""
        binary = self.binaries.helm if major == 4 else self.binaries.helm3
        if binary is None or major not in (3, 4):
            raise ControlPlaneError(f"no Helm {major} binary (run scripts/kube-binaries.sh)")
        return self._run(
            binary,
            args=args,
            kubeconfig=kubeconfig,
            check=check,
            stdin=None,
            timeout=timeout,
        )

    def create_token(self, namespace: str, service_account: str, duration: str = "2h") -> str:
        """A ServiceAccount token from the TokenRequest API (`kubectl create token`)."""
        result = self.kubectl(
            "create", "token", service_account, "-n", namespace, f"--duration={duration}"
        )
        return result.stdout.strip()

    def service_account_kubeconfig(
        self, namespace: str, service_account: str, path: Path | None = None
    ) -> Path:
        """A kubeconfig that authenticates as the ServiceAccount, so only its RBAC applies."""
        target = path or self.workdir / f"sa-{namespace}-{service_account}.kubeconfig"
        return write_kubeconfig(
            target,
            server=self.server,
            ca_pem=self.ca_cert.read_bytes(),
            token=self.create_token(namespace, service_account),
            user=f"system:serviceaccount:{namespace}:{service_account}",
            namespace=namespace,
        )
