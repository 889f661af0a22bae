"""Static checks of the Terraform module: fmt, validate, checkov and structural rules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest

from .tf_support import MODULE, Terraform

pytestmark = pytest.mark.terraform

EXAMPLES = ("examples/complete", "examples/local")

# Taggable resources deliberately left untagged, each with its reason.
UNTAGGED = {
    "aws_s3_object": "S3 allows 10 tags per object, fewer than var.tags may carry",
}


def module_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.tf"))


def load(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        return hcl2.load(handle)


def test_fmt_is_clean(terraform: Terraform) -> None:
    result = terraform.run(MODULE, "fmt", "-check", "-recursive", "-diff", check=False)
    assert result.returncode == 0, f"terraform fmt would change:\n{result.stdout}"


@pytest.mark.parametrize("directory", [".", *EXAMPLES])
def test_validate(terraform: Terraform, module_copy: Path, directory: str) -> None:
    target = module_copy / directory
    if directory != ".":
        terraform.init(target)
    result = terraform.run(target, "validate", "-json", check=False)
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report["diagnostics"], indent=2)
    assert report["warning_count"] == 0, json.dumps(report["diagnostics"], indent=2)


def test_every_variable_has_description_and_type() -> None:
    missing = []
    for directory in [MODULE, *(MODULE / e for e in EXAMPLES)]:
        for path in module_files(directory):
            for block in load(path).get("variable", []):
                for name, body in block.items():
                    if not body.get("description") or not body.get("type"):
                        missing.append(f"{path.relative_to(MODULE)}: variable {name}")
    assert not missing, f"variables without description or type: {missing}"


def test_every_module_validation_has_a_message() -> None:
    bad = []
    for block in load(MODULE / "variables.tf")["variable"]:
        for name, body in block.items():
            for validation in body.get("validation", []):
                message = "".join(validation.get("error_message", []))
                if name not in message:
                    # The message must name the input the user has to fix.
                    bad.append(f"{name}: {message!r}")
    assert not bad, "validation messages must name their variable:\n" + "\n".join(bad)


@pytest.fixture(scope="module")
def taggable_types(terraform: Terraform, module_copy: Path) -> set[str]:
    """Resource types whose schema has `tags`, from the real provider's schema."""
    result = terraform.run(module_copy, "providers", "schema", "-json")
    schemas = json.loads(result.stdout)["provider_schemas"]
    resources = schemas["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
    return {t for t, s in resources.items() if "tags" in s["block"].get("attributes", {})}


def test_every_taggable_resource_takes_var_tags(taggable_types: set[str]) -> None:
    seen, untagged = set(), []
    for path in module_files(MODULE):
        for block in load(path).get("resource", []):
            for kind, resources in block.items():
                for name, body in resources.items():
                    if kind not in taggable_types or kind in UNTAGGED:
                        continue
                    seen.add(kind)
                    tags = "".join(str(t) for t in body.get("tags", []))
                    if "var.tags" not in tags:
                        untagged.append(f"{path.name}: {kind}.{name}")
    assert not untagged, f"taggable resources without var.tags: {untagged}"
    # Guards the rule itself: the schema lookup found the module's taggable resources.
    assert {"aws_s3_bucket", "aws_iam_role", "aws_sagemaker_workteam"} <= seen


def test_checkov_finds_nothing_and_every_skip_has_a_reason() -> None:
    checkov = shutil.which("checkov")
    if checkov is None:
        pytest.skip("checkov not installed (it is in the test extra)")
    result = subprocess.run(
        [
            checkov,
            "-d",
            str(MODULE),
            "--framework",
            "terraform",
            "--compact",
            "--skip-download",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        # No mapping download from the Bridgecrew platform: the scan stays offline.
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']})"
        for r in reports
        for c in r.get("results", {}).get("failed_checks", [])
    ]
    assert not failed, f"checkov failed checks: {failed}"
    skipped = [c for r in reports for c in r.get("results", {}).get("skipped_checks", [])]
    assert skipped, "expected the documented inline skips to be reported"
    for check in skipped:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.strip()) > 20, f"skip of {check['check_id']} lacks a reason: {reason!r}"


def test_readme_documents_every_input_and_output() -> None:
    readme = (MODULE / "README.md").read_text()
    names = [
        f"input_{name}" for block in load(MODULE / "variables.tf")["variable"] for name in block
    ] + [f"output_{name}" for block in load(MODULE / "outputs.tf")["output"] for name in block]
    missing = [name for name in names if f'<a name="{name}"></a>' not in readme]
    assert not missing, f"README.md tables lack: {missing}"
    assert "eks.amazonaws.com/role-arn" in readme
