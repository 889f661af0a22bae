"""Running the real Terraform CLI offline against the mirrored hashicorp/aws provider."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from groundtruth_operator.demo.terraform_runner import cli_config_for_mirror, provider_mirror

REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / "terraform"
TIMEOUT = 900


def require_terraform() -> str:
    """The terraform binary, or a skip that says what is missing."""
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform CLI not on PATH")
    if provider_mirror() is None:
        pytest.skip("no hashicorp/aws filesystem mirror (set GROUNDTRUTH_TF_PLUGIN_DIR)")
    return binary


def cli_config(directory: Path) -> Path:
    """A CLI config that installs providers only from the mirror (nothing downloads)."""
    mirror = provider_mirror()
    assert mirror is not None, "require_terraform() first"
    return cli_config_for_mirror(mirror, directory)


@dataclass
class Terraform:
    """`terraform` bound to one CLI config; every call is a real subprocess."""

    binary: str
    config: Path
    extra_env: dict[str, str] | None = None

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(self.config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            # No version check against checkpoint-api.hashicorp.com.
            "CHECKPOINT_DISABLE": "1",
        }
        env.pop("TF_PLUGIN_CACHE_DIR", None)
        env.update(self.extra_env or {})
        return env

    def run(
        self, directory: Path, *args: str, check: bool = True, timeout: float = TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.binary, *args, "-no-color"] if args[0] not in ("fmt",) else [self.binary, *args],
            cwd=directory,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"terraform {' '.join(args)} in {directory} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
            )
        return result

    def init(self, directory: Path) -> None:
        self.run(directory, "init", "-input=false", "-backend=false")


def copy_module(destination: Path) -> Path:
    """A copy of terraform/ without local .terraform dirs, state or lock files."""
    target = destination / "terraform"
    shutil.copytree(
        MODULE,
        target,
        ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*"),
    )
    return target
