"""Where the control plane's executables are: the cache `scripts/kube-binaries.sh` fills.

If `scripts/kube-binaries.sh` could not get a tool, it left the reason in
`bin/.errors/<tool>`; the "not found" message quotes it.

Lookup order for each tool: an explicit environment variable (`GROUNDTRUTH_<TOOL>`, for
example `GROUNDTRUTH_KUBE_APISERVER`), the cache's `bin/`, then `PATH` (kubectl, helm, etcd
only: a kube-apiserver on PATH is almost never the one meant).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

TOOLS = ("etcd", "kube-apiserver", "kubectl", "helm", "helm3")
# helm3 is optional: only the chart tests use it, to lint with Helm 3 as well as Helm 4.
REQUIRED = ("etcd", "kube-apiserver", "kubectl", "helm")
NOT_FROM_PATH = frozenset({"kube-apiserver", "helm3"})
FETCH_HINT = "run `bash scripts/kube-binaries.sh` (builds kube-apiserver, 10-20 min the first time)"


class BinariesMissingError(RuntimeError):
    """Some required executable could not be found; the message names each one and why."""


def cache_dir() -> Path:
    """The cache root, shared with `scripts/kube-binaries.sh`."""
    configured = os.environ.get("GROUNDTRUTH_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "groundtruth-operator"


@dataclass(frozen=True)
class Binaries:
    etcd: Path
    kube_apiserver: Path
    kubectl: Path
    helm: Path
    helm3: Path | None


def _env_name(tool: str) -> str:
    return "GROUNDTRUTH_" + tool.upper().replace("-", "_")


def find_tool(tool: str, cache: Path | None = None) -> tuple[Path | None, str]:
    """One tool's path, or None with the reason it was not found."""
    explicit = os.environ.get(_env_name(tool))
    if explicit:
        path = Path(explicit)
        if path.is_file() and os.access(path, os.X_OK):
            return path, ""
        return None, f"{_env_name(tool)}={explicit} is not an executable file"
    candidate = (cache or cache_dir()) / "bin" / tool
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate, ""
    if tool not in NOT_FROM_PATH:
        on_path = shutil.which(tool)
        if on_path:
            return Path(on_path), ""
    where = f"{candidate}" + ("" if tool in NOT_FROM_PATH else " or on PATH")
    reason = f"{tool}: not found at {where}"
    # scripts/kube-binaries.sh writes why it could not get a tool; quote it.
    recorded = candidate.parent / ".errors" / tool
    with contextlib.suppress(OSError):
        reason += f" (kube-binaries.sh: {recorded.read_text().strip()})"
    return None, reason


def find_binaries(cache: Path | None = None) -> Binaries:
    """Every tool, or BinariesMissingError naming each missing one and how to get it."""
    lookups = {tool: find_tool(tool, cache) for tool in TOOLS}
    problems = [
        reason for tool, (path, reason) in lookups.items() if path is None and tool in REQUIRED
    ]
    if problems:
        raise BinariesMissingError("; ".join(problems) + f" ({FETCH_HINT})")

    def required(tool: str) -> Path:
        path = lookups[tool][0]
        assert path is not None  # checked above
        return path

    return Binaries(
        etcd=required("etcd"),
        kube_apiserver=required("kube-apiserver"),
        kubectl=required("kubectl"),
        helm=required("helm"),
        helm3=lookups["helm3"][0],
    )
