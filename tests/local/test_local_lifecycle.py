"""The job lifecycle against a real server: the AWS page's seed request reaches InProgress,
bad inputs fail the job with AWS-style reasons, Stop ends in Stopped, and state survives a
restart (SIGTERM or SIGKILL) with `--data-dir`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

US_EAST_1_LAMBDAS = "arn:aws:lambda:us-east-1:432418664414:function"


def _seed_resources(gt: Any, gt_helpers: Any) -> tuple[str, str]:
    """What the seed request refers to: bucket objects, role, workforce and workteam."""
    s3 = gt.client("s3")
    s3.create_bucket(Bucket="bucket")
    lines = []
    for index in range(3):
        key = f"path/images/{index}.png"
        s3.put_object(Bucket="bucket", Key=key, Body=gt_helpers.tiny_png(index))
        lines.append(json.dumps({"source-ref": f"s3://bucket/{key}"}))
    s3.put_object(Bucket="bucket", Key="path/manifest-with-input-data.json", Body="\n".join(lines))
    labels = {"document-version": "2018-11-28", "labels": [{"label": "cat"}, {"label": "dog"}]}
    s3.put_object(Bucket="bucket", Key="path/label-categories.json", Body=json.dumps(labels))
    s3.put_object(Bucket="bucket", Key="path/worker-task-template.html", Body=gt_helpers.TEMPLATE)
    role = gt.client("iam").create_role(
        RoleName="SageMakerGroundTruthExecution",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "sagemaker.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    team = gt_helpers.ensure_workteam(gt, team="private-team")
    return role, team["workteam_arn"]


def test_seed_request_from_the_aws_page_reaches_in_progress(
    local_gt_factory: Any, gt_helpers: Any, checked_client: Any
) -> None:
    gt = local_gt_factory()
    role_arn, workteam_arn = _seed_resources(gt, gt_helpers)
    client = checked_client(gt)
    # sms-image-classification.md's request with its quoting typos fixed, the `|` between
    # content classifiers made a list, the `*` placeholders pointed at the resources above,
    # and the two placeholder 123s the API's own ranges forbid (percentage <= 100, workers
    # <= 9) set to in-range values. Everything else is as written.
    response = client.create_labeling_job(
        LabelingJobName="example-image-classification-labeling-job",
        LabelAttributeName="label",
        InputConfig={
            "DataSource": {
                "S3DataSource": {"ManifestS3Uri": "s3://bucket/path/manifest-with-input-data.json"}
            },
            "DataAttributes": {
                "ContentClassifiers": [
                    "FreeOfPersonallyIdentifiableInformation",
                    "FreeOfAdultContent",
                ]
            },
        },
        OutputConfig={
            "S3OutputPath": "s3://bucket/path/file-to-store-output-data",
            "KmsKeyId": "string",
        },
        RoleArn=role_arn,
        LabelCategoryConfigS3Uri="s3://bucket/path/label-categories.json",
        StoppingConditions={
            "MaxHumanLabeledObjectCount": 123,
            "MaxPercentageOfInputDatasetLabeled": 100,
        },
        HumanTaskConfig={
            "WorkteamArn": workteam_arn,
            "UiConfig": {"UiTemplateS3Uri": "s3://bucket/path/worker-task-template.html"},
            "PreHumanTaskLambdaArn": f"{US_EAST_1_LAMBDAS}:PRE-ImageMultiClass",
            "TaskKeywords": ["Image classification"],
            "TaskTitle": "Image classification task",
            "TaskDescription": "Carefully inspect the image and classify it by selecting one "
            "label from the categories provided.",
            "NumberOfHumanWorkersPerDataObject": 3,
            "TaskTimeLimitInSeconds": 123,
            "TaskAvailabilityLifetimeInSeconds": 123,
            "MaxConcurrentTaskCount": 123,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": f"{US_EAST_1_LAMBDAS}:ACS-ImageMultiClass"
            },
        },
        Tags=[{"Key": "string", "Value": "string"}],
    )
    assert response["LabelingJobArn"].endswith(
        ":labeling-job/example-image-classification-labeling-job"
    )
    job = gt_helpers.wait_for_status(
        gt, "example-image-classification-labeling-job", ("InProgress", "Failed")
    )
    assert job["LabelingJobStatus"] == "InProgress", job.get("FailureReason")
    assert job["LabelCounters"]["Unlabeled"] + job["LabelCounters"]["TotalLabeled"] == 3
    found = client.list_labeling_jobs(StatusEquals="InProgress")["LabelingJobSummaryList"]
    assert [s["LabelingJobName"] for s in found] == ["example-image-classification-labeling-job"]


def _put(gt: Any, bucket: str, key: str, body: str) -> None:
    gt.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode())


# (case, how to spoil the job's inputs after they were uploaded, text of the FailureReason)
INPUT_CASES: list[tuple[str, Any, str]] = [
    (
        "missing-manifest",
        lambda gt, b: gt.client("s3").delete_object(Bucket=b, Key="input.manifest"),
        "Cannot read the input manifest",
    ),
    (
        "line-without-source-ref",
        lambda gt, b: _put(
            gt, b, "input.manifest", '{"source-ref": "s3://x/1.png"}\n{"source": "text"}'
        ),
        "line 2 has no source-ref",
    ),
    (
        "line-not-json",
        lambda gt, b: _put(gt, b, "input.manifest", "{broken"),
        "line 1 is not valid JSON",
    ),
    (
        "empty-manifest",
        lambda gt, b: _put(gt, b, "input.manifest", "\n\n"),
        "contains no data objects",
    ),
    (
        "labels-without-version",
        lambda gt, b: _put(gt, b, "labels.json", '{"labels": [{"label": "a"}, {"label": "b"}]}'),
        "has no document-version",
    ),
    (
        "one-label",
        lambda gt, b: _put(
            gt, b, "labels.json", '{"document-version": "2018-11-28", "labels": [{"label": "a"}]}'
        ),
        "needs at least 2",
    ),
    (
        "duplicate-labels",
        lambda gt, b: _put(
            gt,
            b,
            "labels.json",
            '{"document-version": "2018-11-28", "labels": [{"label": "a"}, {"label": "a"}]}',
        ),
        "duplicate labels: a",
    ),
    (
        "missing-template",
        lambda gt, b: gt.client("s3").delete_object(Bucket=b, Key="template.liquid"),
        "Cannot read the worker task template",
    ),
]


@pytest.mark.parametrize(("case", "spoil", "reason"), INPUT_CASES, ids=[c[0] for c in INPUT_CASES])
def test_bad_inputs_fail_the_job_with_a_client_error(
    *, local_gt: Any, gt_helpers: Any, unique_name: Any, case: str, spoil: Any, reason: str
) -> None:
    name = unique_name("in")
    request = gt_helpers.make_labeling_job_request(local_gt, name)
    bucket = request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"].split("/")[2]
    spoil(local_gt, bucket)
    local_gt.client("sagemaker").create_labeling_job(**request)
    job = gt_helpers.wait_for_status(local_gt, name, ("Failed", "InProgress"))
    assert job["LabelingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: ")
    assert reason in job["FailureReason"]
    assert job["LabelCounters"]["Unlabeled"] == 0


def test_stop_without_task_engine_ends_stopped(local_gt_factory: Any, gt_helpers: Any) -> None:
    gt = local_gt_factory(plugin=False)
    request = gt_helpers.make_labeling_job_request(gt, "to-stop")
    client = gt.client("sagemaker")
    client.create_labeling_job(**request)
    gt_helpers.wait_for_status(gt, "to-stop", ("InProgress",))
    client.stop_labeling_job(LabelingJobName="to-stop")
    job = gt_helpers.wait_for_status(gt, "to-stop", ("Stopped",))
    assert job["LabelCounters"]["Unlabeled"] == 1 * 3
    client.stop_labeling_job(LabelingJobName="to-stop")  # a second stop changes nothing
    assert client.describe_labeling_job(LabelingJobName="to-stop")["LabelingJobStatus"] == (
        "Stopped"
    )


def test_stop_with_the_task_engine_ends_stopped(
    local_gt: Any, gt_helpers: Any, unique_name: Any
) -> None:
    name = unique_name("stop")
    client = local_gt.client("sagemaker")
    client.create_labeling_job(**gt_helpers.make_labeling_job_request(local_gt, name))
    gt_helpers.wait_for_status(local_gt, name, ("InProgress",))
    client.stop_labeling_job(LabelingJobName=name)
    assert gt_helpers.wait_for_status(local_gt, name, ("Stopped",))["LabelingJobStatus"] == (
        "Stopped"
    )


@pytest.mark.parametrize("kill", [False, True], ids=["sigterm", "sigkill"])
def test_state_survives_a_restart_with_data_dir(
    local_gt_factory: Any, gt_helpers: Any, checked_client: Any, kill: bool
) -> None:
    gt = local_gt_factory(plugin=False)
    client = checked_client(gt)
    request = gt_helpers.make_labeling_job_request(gt, "survivor", objects=2)
    request["Tags"] = [{"Key": "keep", "Value": "me"}]
    client.create_labeling_job(**request)
    client.create_labeling_job(**{**request, "LabelingJobName": "stopped-one"})
    client.create_human_task_ui(HumanTaskUiName="kept-ui", UiTemplate={"Content": "<p/>"})
    gt_helpers.wait_for_status(gt, "survivor", ("InProgress",))
    gt_helpers.wait_for_status(gt, "stopped-one", ("InProgress",))
    client.stop_labeling_job(LabelingJobName="stopped-one")
    gt_helpers.wait_for_status(gt, "stopped-one", ("Stopped",))
    before = client.describe_labeling_job(LabelingJobName="survivor")

    gt.restart(kill=kill)
    client = checked_client(gt)
    after = client.describe_labeling_job(LabelingJobName="survivor")
    assert after == before | {"ResponseMetadata": after["ResponseMetadata"]}
    assert client.describe_labeling_job(LabelingJobName="stopped-one")["LabelingJobStatus"] == (
        "Stopped"
    )
    assert (
        client.describe_workteam(WorkteamName="gt-test-team")["Workteam"]["WorkteamArn"]
        == (request["HumanTaskConfig"]["WorkteamArn"])
    )
    assert client.describe_workforce(WorkforceName="default")["Workforce"]["Status"] == "Active"
    assert client.describe_human_task_ui(HumanTaskUiName="kept-ui")["HumanTaskUiStatus"] == (
        "Active"
    )
    in_progress = client.list_labeling_jobs(StatusEquals="InProgress")["LabelingJobSummaryList"]
    assert [s["LabelingJobName"] for s in in_progress] == ["survivor"]
    with pytest.raises(ClientError) as reused:
        client.create_labeling_job(**{**request, "LabelingJobName": "SURVIVOR"})
    assert reused.value.response["Error"]["Code"] == "ResourceInUse"


@pytest.mark.parametrize("journal", [True, False], ids=["aws-journal", "no-aws-journal"])
def test_a_job_caught_initializing_is_processed_again_after_a_crash(
    local_gt_factory: Any, gt_helpers: Any, journal: bool
) -> None:
    gt = local_gt_factory(plugin=False, extra_args=() if journal else ("--no-aws-journal",))
    client = gt.client("sagemaker")
    client.create_labeling_job(**gt_helpers.make_labeling_job_request(gt, "mid-way"))
    gt_helpers.wait_for_status(gt, "mid-way", ("InProgress",))
    gt.stop(kill=True)
    # Put the job back where a crash during initialization would have left it.
    database = sqlite3.connect(Path(gt.data_dir) / "groundtruth.sqlite3")
    with database:
        database.execute("UPDATE labeling_jobs SET status = 'Initializing'")
        database.execute("DELETE FROM data_objects")
    database.close()
    gt.start()
    job = gt_helpers.wait_for_status(gt, "mid-way", ("Failed", "InProgress"))
    if journal:
        # moto's S3 came back from the journal: the manifest is read again.
        assert job["LabelingJobStatus"] == "InProgress", job.get("FailureReason")
        assert job["LabelCounters"]["Unlabeled"] == 3
    else:
        # moto's S3 is in memory and starts empty: the job fails instead of hanging.
        assert job["LabelingJobStatus"] == "Failed"
        assert "Cannot read the input manifest" in job["FailureReason"]


def test_aws_state_survives_a_crash_with_the_journal(
    local_gt_factory: Any, gt_helpers: Any
) -> None:
    gt = local_gt_factory(plugin=False)
    team = gt_helpers.ensure_workteam(gt)
    s3 = gt.client("s3")
    s3.create_bucket(Bucket="kept")
    s3.put_object(Bucket="kept", Key="a/one.png", Body=gt_helpers.tiny_png(1))
    s3.put_object(Bucket="kept", Key="a/two.txt", Body=b"two")
    s3.delete_object(Bucket="kept", Key="a/two.txt")
    gt.client("iam").create_role(RoleName="kept-role", AssumeRolePolicyDocument="{}")
    gt.restart(kill=True)
    s3 = gt.client("s3")
    assert s3.get_object(Bucket="kept", Key="a/one.png")["Body"].read() == gt_helpers.tiny_png(1)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="kept")["Contents"]]
    assert keys == ["a/one.png"]
    assert gt.client("iam").get_role(RoleName="kept-role")["Role"]["RoleName"] == "kept-role"
    pool = gt.client("cognito-idp").describe_user_pool(UserPoolId=team["user_pool"])
    assert pool["UserPool"]["Id"] == team["user_pool"]
    clients = gt.client("cognito-idp").list_user_pool_clients(UserPoolId=team["user_pool"])
    assert [c["ClientId"] for c in clients["UserPoolClients"]] == [team["client_id"]]
