"""The endpoint itself: settings printed, moto's services reachable, admin routes, restart."""

from __future__ import annotations

import json
import re
import signal
import urllib.error
import urllib.request
from typing import Any

import pytest
from click.testing import CliRunner
from groundtruth_local.cli import local

LocalGroundTruthProcess = Any


def test_s3_and_iam_go_to_moto(local_gt: LocalGroundTruthProcess, unique_name) -> None:
    s3 = local_gt.client("s3")
    bucket = unique_name("bucket")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"hello")
    assert s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"hello"
    role = local_gt.client("iam").create_role(
        RoleName=unique_name("role"), AssumeRolePolicyDocument=json.dumps({"Statement": []})
    )
    assert role["Role"]["Arn"].startswith("arn:aws:iam::123456789012:role/")


def test_health_and_settings_are_printed(local_gt: LocalGroundTruthProcess) -> None:
    with urllib.request.urlopen(f"{local_gt.endpoint}/_gt/health") as answer:
        assert json.loads(answer.read())["status"] == "ok"
    log = local_gt.log_text()
    assert f"export AWS_ENDPOINT_URL={local_gt.endpoint}" in log
    assert "export AWS_ACCESS_KEY_ID=test" in log
    assert f"export AWS_DEFAULT_REGION={local_gt.region}" in log
    assert f"# worker portal: {local_gt.endpoint}/portal" in log


def test_each_request_is_logged_on_one_line(local_gt: Any, unique_name: Any) -> None:
    client = local_gt.client("sagemaker")
    name = unique_name("logged")
    with pytest.raises(client.exceptions.ClientError):
        client.describe_workteam(WorkteamName=name)
    lines = [
        line
        for line in local_gt.log_text().splitlines()
        if "SageMaker.DescribeWorkteam 400" in line
    ]
    assert lines, "no access log line for the call"
    assert re.search(r"POST / SageMaker\.DescribeWorkteam 400 [0-9.]+ms$", lines[-1])


def test_unknown_local_routes_answer_404_json(local_gt: Any) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{local_gt.endpoint}/_gt/nothing-here")
    assert raised.value.code == 404
    assert "no route" in json.loads(raised.value.read())["error"]


def test_arns_carry_the_region_the_request_was_signed_for(local_gt: Any, unique_name: Any) -> None:
    client = local_gt.client("sagemaker", region_name="ap-southeast-2")
    name = unique_name("ui")
    arn = client.create_human_task_ui(HumanTaskUiName=name, UiTemplate={"Content": "<p/>"})[
        "HumanTaskUiArn"
    ]
    assert arn == f"arn:aws:sagemaker:ap-southeast-2:123456789012:human-task-ui/{name}"
    # The same name is free in another region, as on AWS.
    local_gt.client("sagemaker").create_human_task_ui(
        HumanTaskUiName=name, UiTemplate={"Content": "<p/>"}
    )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_signals_stop_the_server_cleanly(local_gt_factory: Any, signum: int) -> None:
    gt = local_gt_factory(plugin=False)
    process = gt.process
    assert process is not None
    process.send_signal(signum)
    assert process.wait(timeout=30) == 0
    assert "# stopping" in gt.log_text()
    assert "Traceback" not in gt.log_text()


def test_help_documents_every_option() -> None:
    result = CliRunner().invoke(local, ["up", "--help"])
    assert result.exit_code == 0
    for option in (
        "--host",
        "--port",
        "--data-dir",
        "--region",
        "--fault",
        "--fault-seed",
        "--no-plugin",
        "--no-aws-journal",
        "--log-level",
    ):
        assert option in result.output


def test_a_busy_port_is_a_clear_error(local_gt: Any) -> None:
    result = CliRunner().invoke(local, ["up", "--port", str(local_gt.port), "--no-plugin"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{local_gt.port}" in result.output
