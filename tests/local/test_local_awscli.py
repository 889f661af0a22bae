"""The AWS CLI, unchanged, against a real server: `aws sagemaker ... --endpoint-url`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")


def _aws(gt: Any, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **gt.env, "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": ""}
    env.pop("AWS_PROFILE", None)
    return subprocess.run(
        ["aws", "--endpoint-url", gt.endpoint, "--output", "json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def test_aws_cli_drives_the_labeling_api(
    local_gt: Any, gt_helpers: Any, unique_name: Any, tmp_path: Path
) -> None:
    name = unique_name("cli")
    request = gt_helpers.make_labeling_job_request(local_gt, name)
    request_file = tmp_path / "job.json"
    request_file.write_text(json.dumps(request))

    created = json.loads(
        _aws(
            local_gt,
            "sagemaker",
            "create-labeling-job",
            "--cli-input-json",
            f"file://{request_file}",
        ).stdout
    )
    assert created["LabelingJobArn"].endswith(f"/{name}")
    gt_helpers.wait_for_status(local_gt, name, ("InProgress",))
    described = json.loads(
        _aws(local_gt, "sagemaker", "describe-labeling-job", "--labeling-job-name", name).stdout
    )
    assert described["LabelingJobStatus"] == "InProgress"
    listed = json.loads(
        _aws(
            local_gt,
            "sagemaker",
            "list-labeling-jobs",
            "--status-equals",
            "InProgress",
            "--name-contains",
            name,
        ).stdout
    )
    assert [s["LabelingJobName"] for s in listed["LabelingJobSummaryList"]] == [name]

    ui = unique_name("cliui")
    _aws(
        local_gt,
        "sagemaker",
        "create-human-task-ui",
        "--human-task-ui-name",
        ui,
        "--ui-template",
        json.dumps({"Content": "<crowd-form></crowd-form>"}),
    )
    teams = json.loads(_aws(local_gt, "sagemaker", "list-workteams").stdout)["Workteams"]
    assert request["HumanTaskConfig"]["WorkteamArn"] in [t["WorkteamArn"] for t in teams]
    _aws(local_gt, "sagemaker", "stop-labeling-job", "--labeling-job-name", name)


def test_aws_cli_shows_the_error_code_and_message(local_gt: Any) -> None:
    result = _aws(
        local_gt,
        "sagemaker",
        "describe-labeling-job",
        "--labeling-job-name",
        "nope",
        check=False,
    )
    assert result.returncode != 0
    assert "ValidationException" in result.stderr
    assert "Could not find requested job with name nope" in result.stderr
