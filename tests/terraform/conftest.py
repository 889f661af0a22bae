"""Fixtures for the Terraform module tests: the CLI bound to the offline provider mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

from .tf_support import Terraform, cli_config, copy_module, require_terraform


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    binary = require_terraform()
    return Terraform(binary=binary, config=cli_config(tmp_path_factory.mktemp("tfrc")))


@pytest.fixture(scope="session")
def module_copy(terraform: Terraform, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One initialised copy of terraform/ per session, for read-only commands."""
    module = copy_module(tmp_path_factory.mktemp("tfmodule"))
    terraform.init(module)
    return module
