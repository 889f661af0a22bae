"""The Terraform AWS provider (hashicorp/aws from the local mirror), unchanged, against a real
local Ground Truth: apply, a plan with no changes, destroy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from groundtruth_operator.demo.terraform_runner import cli_config_for_mirror, provider_mirror

CONFIG = Path(__file__).parent / "terraform" / "main.tf"
MIRROR = provider_mirror()

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed"),
    pytest.mark.skipif(MIRROR is None, reason="no hashicorp/aws provider mirror found"),
]


def _terraform(workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_workforce_workteam_and_task_ui_apply_plan_destroy(
    local_gt_factory: Any, tmp_path: Path
) -> None:
    gt = local_gt_factory(plugin=False)
    assert MIRROR is not None
    cli_config = cli_config_for_mirror(MIRROR, tmp_path)
    workdir = tmp_path / "stack"
    workdir.mkdir()
    shutil.copy(CONFIG, workdir / "main.tf")
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "TF_VAR_endpoint": gt.endpoint,
        "TF_VAR_region": gt.region,
        "CHECKPOINT_DISABLE": "1",
    }
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        env.pop(key, None)

    _ok(_terraform(workdir, env, "init", "-no-color"))
    _ok(_terraform(workdir, env, "apply", "-auto-approve", "-no-color"))
    outputs = json.loads(_ok(_terraform(workdir, env, "output", "-json")))
    team_arn = outputs["workteam_arn"]["value"]
    assert team_arn.endswith(":workteam/private-crowd/tf-team")

    # What Terraform made is what the API reports.
    sagemaker = gt.client("sagemaker")
    team = sagemaker.describe_workteam(WorkteamName="tf-team")["Workteam"]
    assert team["Description"] == "Labelers managed by Terraform"
    # Terraform sends the tags map in Go's random map order; ListTags keeps insertion order.
    tags = sagemaker.list_tags(ResourceArn=team_arn)["Tags"]
    assert sorted(tags, key=lambda tag: tag["Key"]) == [
        {"Key": "project", "Value": "groundtruth-operator"},
        {"Key": "stage", "Value": "test"},
    ]
    assert (
        outputs["workforce_subdomain"]["value"]
        == (sagemaker.describe_workforce(WorkforceName="tf-workforce")["Workforce"]["SubDomain"])
    )

    plan = _terraform(workdir, env, "plan", "-detailed-exitcode", "-no-color")
    assert plan.returncode == 0, f"plan shows changes or failed:\n{plan.stdout}\n{plan.stderr}"

    _ok(_terraform(workdir, env, "destroy", "-auto-approve", "-no-color"))
    assert sagemaker.list_workteams()["Workteams"] == []
    assert sagemaker.list_workforces()["Workforces"] == []
    assert sagemaker.list_human_task_uis()["HumanTaskUiSummaries"] == []
