"""Fault injection: AWS's real error shapes on our SageMaker operations only, set at start
(`--fault`) or at run time (`POST /_gt/admin/faults`), reproducible with a seed, counted in
`GET /_gt/admin/stats`."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner
from groundtruth_local.cli import local

pytestmark = pytest.mark.faults


def test_throttling_has_the_shape_boto3_recognizes(local_gt_factory: Any) -> None:
    gt = local_gt_factory(faults=("throttle=1.0",), plugin=False)
    client = gt.client("sagemaker", retries=0)
    with pytest.raises(ClientError) as raised:
        client.list_workteams()
    response = raised.value.response
    assert response["Error"]["Code"] == "ThrottlingException"
    assert response["Error"]["Message"] == "Rate exceeded"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # botocore itself classifies it as throttling (what its retry policy keys on).
    assert client.exceptions.ClientError is ClientError
    from botocore.retries.standard import RetryContext, ThrottledRetryableChecker  # noqa: PLC0415

    context = RetryContext(attempt_number=1, parsed_response=response)
    assert ThrottledRetryableChecker().is_retryable(context)
    # S3 and the rest of moto are not affected.
    gt.client("s3").create_bucket(Bucket="still-works")
    stats = gt.stats()["operations"]["ListWorkteams"]
    assert stats == {"calls": 1, "fault": 1}


def test_server_errors_at_run_time_then_off(local_gt_factory: Any) -> None:
    gt = local_gt_factory(plugin=False)
    client = gt.client("sagemaker", retries=0)
    assert client.list_workteams()["Workteams"] == []
    settings = gt.set_faults(error5xx=1.0, latency="20ms", seed=3)
    assert settings == {"throttle": 0.0, "error5xx": 1.0, "latency_ms": 20.0, "seed": 3}
    with pytest.raises(ClientError) as raised:
        client.list_workteams()
    assert raised.value.response["Error"]["Code"] == "InternalFailure"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    gt.set_faults()
    assert client.list_workteams()["Workteams"] == []
    stats = gt.stats()["operations"]["ListWorkteams"]
    assert stats == {"calls": 3, "ok": 2, "fault": 1}


def test_the_same_seed_gives_the_same_faults(local_gt_factory: Any) -> None:
    outcomes = []
    for _ in range(2):
        gt = local_gt_factory(faults=("throttle=0.3", "error5xx=0.2"), fault_seed=42, plugin=False)
        client = gt.client("sagemaker", retries=0)
        seen = []
        for _ in range(30):
            try:
                client.list_workforces()
                seen.append("ok")
            except ClientError as error:
                seen.append(error.response["Error"]["Code"])
        outcomes.append(seen)
        gt.stop()
    assert outcomes[0] == outcomes[1]
    assert {"ok", "ThrottlingException", "InternalFailure"} == set(outcomes[0])


def test_boto3_retries_ride_out_faults_and_stats_count_what_created(
    local_gt_factory: Any, gt_helpers: Any
) -> None:
    gt = local_gt_factory(plugin=False)
    request = gt_helpers.make_labeling_job_request(gt, "base", objects=1)
    gt.set_faults(throttle=0.3, error5xx=0.1, seed=7)
    client = gt.client("sagemaker", retries=10)
    for index in range(10):
        client.create_labeling_job(**{**request, "LabelingJobName": f"retried-{index}"})
    gt.set_faults()
    stats = gt.stats()["operations"]["CreateLabelingJob"]
    assert stats["ok"] == 10  # one success per job, every fault retried
    assert stats["fault"] > 0
    assert stats["calls"] == stats["ok"] + stats["fault"]
    names = [
        s["LabelingJobName"]
        for s in client.list_labeling_jobs(NameContains="retried", MaxResults=100)[
            "LabelingJobSummaryList"
        ]
    ]
    assert sorted(names) == sorted(f"retried-{i}" for i in range(10))


@pytest.mark.parametrize(
    ("option", "text"),
    [
        ("bogus=1", "unknown fault 'bogus'"),
        ("throttle=2", "between 0 and 1"),
        ("latency=fast", "duration like 200ms"),
        ("throttle", "NAME=VALUE"),
    ],
)
def test_bad_fault_options_are_rejected_before_starting(option: str, text: str) -> None:
    result = CliRunner().invoke(local, ["up", "--port", "0", "--fault", option])
    assert result.exit_code == 2
    assert text in result.output


def test_bad_fault_settings_at_run_time_are_rejected(local_gt_factory: Any) -> None:
    gt = local_gt_factory(plugin=False)
    import json  # noqa: PLC0415
    import urllib.error  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    request = urllib.request.Request(
        f"{gt.endpoint}/_gt/admin/faults", data=b'{"throttle": 5}', method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 400
    assert "between 0 and 1" in json.loads(raised.value.read())["error"]
    assert gt.set_faults()["throttle"] == 0.0
