"""The local control plane for the end-to-end suite: real etcd and kube-apiserver.

Missing binaries skip the suite with the exact reason (build them with
`bash scripts/kube-binaries.sh`); a control plane that fails to start is an error.
There is no controller-manager: namespaces never finish deleting, so each test uses its own
namespace and never waits for one to go away.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from groundtruth_local.controlplane import BinariesMissingError, ControlPlane, find_binaries

_namespace_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    try:
        binaries = find_binaries()
    except BinariesMissingError as error:
        pytest.skip(f"local control plane unavailable: {error}")
    workdir: Path = tmp_path_factory.mktemp("controlplane")
    with ControlPlane(workdir=workdir, binaries=binaries) as cluster:
        yield cluster


@pytest.fixture
def namespace(control_plane: ControlPlane) -> str:
    """A fresh namespace for one test (left behind: nothing would finalize its deletion)."""
    name = f"e2e-{next(_namespace_numbers)}"
    control_plane.kubectl("create", "namespace", name)
    return name
