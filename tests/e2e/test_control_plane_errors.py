"""Clear errors from the control plane package when a part is missing or fails to start.

No cluster needed. The failing kube-apiserver below is a two-line shell script standing in
for a broken build (a real one cannot be made to fail on demand); etcd is the real one.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from groundtruth_local.controlplane import (
    BinariesMissingError,
    ControlPlane,
    ControlPlaneError,
    find_binaries,
)
from groundtruth_local.controlplane.binaries import Binaries, find_tool


def test_missing_binaries_are_each_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BinariesMissingError) as caught:
        find_binaries(cache=tmp_path)
    message = str(caught.value)
    for tool in ("etcd", "kube-apiserver", "kubectl", "helm"):
        assert f"{tool}: not found at {tmp_path / 'bin' / tool}" in message
    assert "scripts/kube-binaries.sh" in message


def test_bad_override_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDTRUTH_KUBE_APISERVER", str(tmp_path / "nope"))
    path, reason = find_tool("kube-apiserver", cache=tmp_path)
    assert path is None
    assert reason == f"GROUNDTRUTH_KUBE_APISERVER={tmp_path / 'nope'} is not an executable file"


def test_apiserver_that_exits_is_reported_with_its_log(tmp_path: Path) -> None:
    etcd, reason = find_tool("etcd")
    if etcd is None:
        pytest.skip(reason)
    broken = tmp_path / "kube-apiserver"
    broken.write_text(
        "#!/bin/sh\necho 'E0101 flag provided but not defined: --bogus' >&2\nexit 3\n"
    )
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    cp = ControlPlane(
        workdir=tmp_path / "work",
        binaries=Binaries(
            etcd=etcd, kube_apiserver=broken, kubectl=broken, helm=broken, helm3=None
        ),
        startup_timeout=60,
    )
    (tmp_path / "work").mkdir()
    with pytest.raises(ControlPlaneError) as caught:
        cp.start()
    message = str(caught.value)
    assert "kube-apiserver exited with code 3 during startup" in message
    assert "flag provided but not defined: --bogus" in message
    # Nothing left running: etcd was stopped too.
    assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _is_etcd_in(p, tmp_path)]


def _is_etcd_in(proc: Path, workdir: Path) -> bool:
    try:
        cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return "etcd" in cmdline and str(workdir) in cmdline


def test_reason_recorded_by_kube_binaries_is_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    errors = tmp_path / "bin" / ".errors"
    errors.mkdir(parents=True)
    (errors / "kube-apiserver").write_text("the Go toolchain (>= 1.24) is not on PATH\n")
    with pytest.raises(BinariesMissingError) as caught:
        find_binaries(cache=tmp_path)
    assert (
        f"kube-apiserver: not found at {tmp_path / 'bin' / 'kube-apiserver'} "
        "(kube-binaries.sh: the Go toolchain (>= 1.24) is not on PATH)"
    ) in str(caught.value)
