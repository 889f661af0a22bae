"""Runs the Terraform CLI for the demo: state and plugins kept in a work folder, not the repo.

Offline machines carry a filesystem mirror of the hashicorp/aws provider; when one is found
(`GROUNDTRUTH_TF_PLUGIN_DIR`, else `/opt/tf-plugins`) and the user has no CLI config file of
their own (one that exists), a config pointing at it is written. Everyone else reaches the registry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

DEFAULT_MIRROR = Path("/opt/tf-plugins")


class TerraformError(RuntimeError):
    """A terraform command failed; the message carries its output."""


def provider_mirror() -> Path | None:
    configured = os.environ.get("GROUNDTRUTH_TF_PLUGIN_DIR")
    candidate = Path(configured) if configured else DEFAULT_MIRROR
    return candidate if (candidate / "registry.terraform.io").is_dir() else None


def _user_cli_config() -> Path | None:
    """The CLI config the user chose, if it exists (Terraform only warns about a missing one)."""
    named = os.environ.get("TF_CLI_CONFIG_FILE", "").strip()
    if named and Path(named).is_file():
        return Path(named)
    default = Path.home() / ".terraformrc"
    return default if default.is_file() else None


def cli_config_for_mirror(mirror: Path, workdir: Path) -> Path:
    config = workdir / "terraform.rc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    )
    return config


class Terraform:
    """`terraform` on one configuration directory with its data and state under `workdir`."""

    def __init__(self, config_dir: Path, workdir: Path, env: dict[str, str]) -> None:
        if shutil.which("terraform") is None:
            raise TerraformError(
                "the terraform CLI is not on PATH (https://developer.hashicorp.com/terraform/install)"
            )
        self.config_dir = config_dir
        self.workdir = workdir
        self.state = workdir / "terraform.tfstate"
        self.env = {
            **os.environ,
            **env,
            "TF_DATA_DIR": str(workdir / "tfdata"),
            "TF_IN_AUTOMATION": "1",
        }
        mirror = provider_mirror()
        if mirror is not None and not _user_cli_config():
            self.env["TF_CLI_CONFIG_FILE"] = str(cli_config_for_mirror(mirror, workdir))

    def run(self, *args: str) -> str:
        command = ["terraform", f"-chdir={self.config_dir}", *args]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise TerraformError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color")

    def apply(self, variables: dict[str, str]) -> None:
        self.run(
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            f"-state={self.state}",
            *_var_args(variables),
        )

    def destroy(self, variables: dict[str, str]) -> None:
        self.run(
            "destroy",
            "-auto-approve",
            "-input=false",
            "-no-color",
            f"-state={self.state}",
            *_var_args(variables),
        )

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json", f"-state={self.state}"))
        return {name: entry["value"] for name, entry in raw.items()}


def _var_args(variables: dict[str, str]) -> list[str]:
    return [f"-var={name}={value}" for name, value in variables.items()]
