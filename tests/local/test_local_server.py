"""The endpoint itself: settings printed, moto's services reachable, admin routes, restart."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

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
    with urllib.request.urlopen(f"{local_gt.endpoint}/_gt/health") as answer:  # noqa: S310 - our own http:// endpoint
        assert json.loads(answer.read())["status"] == "ok"
    log = local_gt.log_text()
    assert f"export AWS_ENDPOINT_URL={local_gt.endpoint}" in log
    assert "export AWS_ACCESS_KEY_ID=test" in log
    assert f"export AWS_DEFAULT_REGION={local_gt.region}" in log
    assert f"# worker portal: {local_gt.endpoint}/portal" in log
