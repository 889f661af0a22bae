"""Invalid requests get AWS's error code and a message naming the problem, and create nothing.

Requests go through a boto3 client with client-side validation off, so each bad value
reaches the server exactly as written; the wire-level cases post raw HTTP.
"""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(request: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = request
        for key in parents:
            node = node[key]
        node[last] = value

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(request: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = request
        for key in parents:
            node = node[key]
        del node[last]

    return mutate


HTC = "HumanTaskConfig"
AUTO_LABELING_ARN = (
    "arn:aws:sagemaker:us-east-1:027400017018:labeling-job-algorithm-specification/"
    "image-classification"
)
OTHER_REGION_PRE = "arn:aws:lambda:us-west-2:081040173940:function:PRE-ImageMultiClass"

# (case id, mutation of a valid CreateLabelingJob request, error code, text the message has)
CREATE_CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "name-pattern",
        _set("LabelingJobName", "bad_name!"),
        "ValidationException",
        "labelingJobName",
    ),
    (
        "name-too-long",
        _set("LabelingJobName", "a" * 64),
        "ValidationException",
        "less than or equal to 63",
    ),
    (
        "no-label-attribute",
        _drop("LabelAttributeName"),
        "ValidationException",
        "labelAttributeName' failed to satisfy constraint: Member must not be null",
    ),
    (
        "attribute-metadata",
        _set("LabelAttributeName", "label-metadata"),
        "ValidationException",
        "must not end with '-metadata'",
    ),
    (
        "attribute-ref",
        _set("LabelAttributeName", "label-ref"),
        "ValidationException",
        "must not end with '-ref'",
    ),
    ("no-role", _drop("RoleArn"), "ValidationException", "'roleArn'"),
    ("role-not-arn", _set("RoleArn", "my-role"), "ValidationException", "'roleArn'"),
    (
        "manifest-not-s3",
        _set("InputConfig.DataSource.S3DataSource.ManifestS3Uri", "ftp://x/y"),
        "ValidationException",
        "inputConfig.dataSource.s3DataSource.manifestS3Uri",
    ),
    (
        "no-output-path",
        _drop("OutputConfig.S3OutputPath"),
        "ValidationException",
        "outputConfig.s3OutputPath",
    ),
    (
        "zero-workers",
        _set(f"{HTC}.NumberOfHumanWorkersPerDataObject", 0),
        "ValidationException",
        "numberOfHumanWorkersPerDataObject",
    ),
    (
        "ten-workers",
        _set(f"{HTC}.NumberOfHumanWorkersPerDataObject", 10),
        "ValidationException",
        "less than or equal to 9",
    ),
    (
        "workers-as-text",
        _set(f"{HTC}.NumberOfHumanWorkersPerDataObject", "3"),
        "ValidationException",
        "Member must be an integer",
    ),
    (
        "task-time-too-short",
        _set(f"{HTC}.TaskTimeLimitInSeconds", 10),
        "ValidationException",
        "humanTaskConfig.taskTimeLimitInSeconds",
    ),
    (
        "task-time-over-image-limit",
        _set(f"{HTC}.TaskTimeLimitInSeconds", 30_000),
        "ValidationException",
        "28800",
    ),
    (
        "lifetime-too-short",
        _set(f"{HTC}.TaskAvailabilityLifetimeInSeconds", 1),
        "ValidationException",
        "taskAvailabilityLifetimeInSeconds",
    ),
    (
        "zero-concurrency",
        _set(f"{HTC}.MaxConcurrentTaskCount", 0),
        "ValidationException",
        "maxConcurrentTaskCount",
    ),
    (
        "no-keywords",
        _set(f"{HTC}.TaskKeywords", []),
        "ValidationException",
        "humanTaskConfig.taskKeywords",
    ),
    (
        "bad-keyword",
        _set(f"{HTC}.TaskKeywords", ["bad!kw"]),
        "ValidationException",
        "humanTaskConfig.taskKeywords.1.member",
    ),
    ("empty-title", _set(f"{HTC}.TaskTitle", ""), "ValidationException", "taskTitle"),
    (
        "long-description",
        _set(f"{HTC}.TaskDescription", "d" * 256),
        "ValidationException",
        "taskDescription",
    ),
    (
        "unknown-workteam",
        _set(
            f"{HTC}.WorkteamArn",
            "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/nobody",
        ),
        "ValidationException",
        "private-crowd/nobody does not exist",
    ),
    (
        "public-workteam",
        _set(
            f"{HTC}.WorkteamArn",
            "arn:aws:sagemaker:us-east-1:394669845002:workteam/public-crowd/default",
        ),
        "ValidationException",
        "only private workteams",
    ),
    (
        "pre-lambda-other-region",
        _set(f"{HTC}.PreHumanTaskLambdaArn", OTHER_REGION_PRE),
        "ValidationException",
        "PreHumanTaskLambdaArn",
    ),
    (
        "acs-lambda-other-task",
        _set(
            f"{HTC}.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn",
            "arn:aws:lambda:us-east-1:432418664414:function:ACS-BoundingBox",
        ),
        "ValidationException",
        "AnnotationConsolidationLambdaArn",
    ),
    (
        "no-ui",
        _set(f"{HTC}.UiConfig", {}),
        "ValidationException",
        "exactly one of UiTemplateS3Uri or HumanTaskUiArn",
    ),
    (
        "unknown-task-ui",
        _set(
            f"{HTC}.UiConfig",
            {"HumanTaskUiArn": "arn:aws:sagemaker:us-east-1:123456789012:human-task-ui/nothing"},
        ),
        "ValidationException",
        "human-task-ui/nothing does not exist",
    ),
    (
        "percentage-over-100",
        _set("StoppingConditions", {"MaxPercentageOfInputDatasetLabeled": 123}),
        "ValidationException",
        "stoppingConditions.maxPercentageOfInputDatasetLabeled",
    ),
    (
        "automated-labeling",
        _set(
            "LabelingJobAlgorithmsConfig",
            {"LabelingJobAlgorithmSpecificationArn": AUTO_LABELING_ARN},
        ),
        "ValidationException",
        "automated data labeling",
    ),
    (
        "streaming-input",
        _set(
            "InputConfig.DataSource",
            {"SnsDataSource": {"SnsTopicArn": "arn:aws:sns:us-east-1:123456789012:t"}},
        ),
        "ValidationException",
        "SnsDataSource",
    ),
    (
        "no-label-file",
        _drop("LabelCategoryConfigS3Uri"),
        "ValidationException",
        "LabelCategoryConfigS3Uri is required",
    ),
    (
        "long-tag-key",
        _set("Tags", [{"Key": "k" * 129, "Value": "v"}]),
        "ValidationException",
        "tags.1.member.key",
    ),
    (
        "tag-without-value",
        _set("Tags", [{"Key": "k"}]),
        "ValidationException",
        "tags.1.member.value",
    ),
]


@pytest.fixture(scope="module")
def valid_request(local_gt: Any, gt_helpers: Any) -> dict[str, Any]:
    return gt_helpers.make_labeling_job_request(local_gt, "valid-template-for-errors")


@pytest.mark.parametrize(
    ("case", "mutate", "code", "text"), CREATE_CASES, ids=[c[0] for c in CREATE_CASES]
)
def test_invalid_create_labeling_job(
    *,
    raw_sagemaker: Any,
    valid_request: dict[str, Any],
    unique_name: Any,
    case: str,
    mutate: Mutation,
    code: str,
    text: str,
) -> None:
    client = raw_sagemaker()
    request = copy.deepcopy(valid_request)
    request["LabelingJobName"] = unique_name("bad")
    mutate(request)
    with pytest.raises(ClientError) as raised:
        client.create_labeling_job(**request)
    error = raised.value.response["Error"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == code, error
    assert text in error["Message"], error["Message"]
    # Nothing half-created: the name is still free.
    name = request.get("LabelingJobName")
    if isinstance(name, str) and 0 < len(name) <= 63 and name.replace("-", "").isalnum():
        with pytest.raises(ClientError) as lookup:
            client.describe_labeling_job(LabelingJobName=name)
        assert "Could not find requested job" in lookup.value.response["Error"]["Message"]


# (case id, operation, parameters, error code, text the message has)
OTHER_CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "describe-unknown-job",
        "describe_labeling_job",
        {"LabelingJobName": "no-such-job"},
        "ValidationException",
        "Could not find requested job with name no-such-job",
    ),
    (
        "stop-unknown-job",
        "stop_labeling_job",
        {"LabelingJobName": "no-such-job"},
        "ValidationException",
        "no-such-job",
    ),
    (
        "describe-unknown-workforce",
        "describe_workforce",
        {"WorkforceName": "nobody"},
        "ValidationException",
        "No workforce found with name nobody",
    ),
    (
        "describe-unknown-workteam",
        "describe_workteam",
        {"WorkteamName": "nobody"},
        "ValidationException",
        "The work team nobody does not exist.",
    ),
    (
        "delete-unknown-workteam",
        "delete_workteam",
        {"WorkteamName": "nobody"},
        "ValidationException",
        "The work team nobody does not exist.",
    ),
    (
        "describe-unknown-task-ui",
        "describe_human_task_ui",
        {"HumanTaskUiName": "nothing"},
        "ResourceNotFound",
        "nothing",
    ),
    (
        "task-ui-uppercase-name",
        "create_human_task_ui",
        {"HumanTaskUiName": "Upper", "UiTemplate": {"Content": "x"}},
        "ValidationException",
        "humanTaskUiName",
    ),
    (
        "list-too-many",
        "list_labeling_jobs",
        {"MaxResults": 101},
        "ValidationException",
        "maxResults",
    ),
    ("list-bad-sort", "list_labeling_jobs", {"SortBy": "Size"}, "ValidationException", "sortBy"),
    (
        "list-bad-status",
        "list_labeling_jobs",
        {"StatusEquals": "Running"},
        "ValidationException",
        "statusEquals",
    ),
    (
        "list-forged-token",
        "list_labeling_jobs",
        {"NextToken": "not-a-token"},
        "ValidationException",
        "Invalid pagination token",
    ),
    (
        "list-tags-unknown-arn",
        "list_tags",
        {"ResourceArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/x"},
        "ValidationException",
        "private-crowd/x does not exist",
    ),
    (
        "jobs-for-unknown-team",
        "list_labeling_jobs_for_workteam",
        {"WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/x"},
        "ResourceNotFound",
        "private-crowd/x",
    ),
    (
        "workforce-two-identity-providers",
        "create_workforce",
        {
            "WorkforceName": "both",
            "CognitoConfig": {"UserPool": "us-east-1_abc", "ClientId": "client"},
            "OidcConfig": dict.fromkeys(
                (
                    "ClientId",
                    "ClientSecret",
                    "Issuer",
                    "AuthorizationEndpoint",
                    "TokenEndpoint",
                    "UserInfoEndpoint",
                    "LogoutEndpoint",
                    "JwksUri",
                ),
                "https://idp.example.com/x",
            ),
        },
        "ValidationException",
        "exactly one of CognitoConfig or OidcConfig",
    ),
]


@pytest.mark.parametrize(
    ("case", "operation", "params", "code", "text"), OTHER_CASES, ids=[c[0] for c in OTHER_CASES]
)
def test_invalid_other_requests(
    *,
    local_gt: Any,
    raw_sagemaker: Any,
    case: str,
    operation: str,
    params: dict[str, Any],
    code: str,
    text: str,
) -> None:
    with pytest.raises(ClientError) as raised:
        getattr(raw_sagemaker(), operation)(**params)
    error = raised.value.response["Error"]
    assert error["Code"] == code, error
    assert text in error["Message"], error["Message"]


def test_workteam_members_must_share_one_pool_and_match_the_workforce(
    local_gt: Any, raw_sagemaker: Any, gt_helpers: Any, unique_name: Any
) -> None:
    team = gt_helpers.ensure_workteam(local_gt)
    client = raw_sagemaker()

    def member(pool: str, client_id: str) -> dict[str, Any]:
        return {
            "CognitoMemberDefinition": {
                "UserPool": pool,
                "UserGroup": team["user_group"],
                "ClientId": client_id,
            }
        }

    name = unique_name("team")
    with pytest.raises(ClientError) as mixed:
        client.create_workteam(
            WorkteamName=name,
            Description="mixed",
            MemberDefinitions=[
                member(team["user_pool"], team["client_id"]),
                member("us-east-1_other", team["client_id"]),
            ],
        )
    assert "same UserPool and ClientId" in mixed.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as foreign:
        client.create_workteam(
            WorkteamName=name,
            Description="foreign",
            MemberDefinitions=[member("us-east-1_other", "otherclient")],
        )
    assert "do not match workforce" in foreign.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as gone:
        client.describe_workteam(WorkteamName=name)
    assert gone.value.response["Error"]["Code"] == "ValidationException"


def test_job_names_are_unique_case_insensitively_and_never_reusable(
    local_gt: Any, raw_sagemaker: Any, valid_request: dict[str, Any], unique_name: Any
) -> None:
    client = raw_sagemaker()
    name = unique_name("once")
    client.create_labeling_job(**{**valid_request, "LabelingJobName": name})
    client.stop_labeling_job(LabelingJobName=name)
    for again in (name, name.upper()):
        with pytest.raises(ClientError) as raised:
            client.create_labeling_job(**{**valid_request, "LabelingJobName": again})
        assert raised.value.response["Error"]["Code"] == "ResourceInUse"
        assert name.upper() in raised.value.response["Error"]["Message"].upper()


def test_at_most_25_workteams(local_gt_factory: Any, gt_helpers: Any, checked_client: Any) -> None:
    gt = local_gt_factory(plugin=False)
    team = gt_helpers.ensure_workteam(gt)  # the first of 25
    client = checked_client(gt, retries=0)
    member = {
        "CognitoMemberDefinition": {
            "UserPool": team["user_pool"],
            "UserGroup": team["user_group"],
            "ClientId": team["client_id"],
        }
    }
    for index in range(24):
        client.create_workteam(
            WorkteamName=f"team-{index}", MemberDefinitions=[member], Description="t"
        )
    with pytest.raises(ClientError) as raised:
        client.create_workteam(WorkteamName="team-25", MemberDefinitions=[member], Description="t")
    assert raised.value.response["Error"]["Code"] == "ResourceLimitExceeded"
    assert "at most 25" in raised.value.response["Error"]["Message"]


# -- the wire: malformed requests get AWS's codes, never a 500 ---------------------------------


def _post(
    gt: Any, headers: dict[str, str], body: bytes, sign: bool = True, method: str = "POST"
) -> tuple[int, dict[str, Any]]:
    request = AWSRequest(method=method, url=f"{gt.endpoint}/", data=body, headers=headers)
    if sign:
        SigV4Auth(Credentials("test", "test"), "sagemaker", gt.region).add_auth(request)
    prepared = urllib.request.Request(
        request.url,
        data=body if method == "POST" else None,
        method=method,
        headers=dict(request.headers.items()),
    )
    try:
        with urllib.request.urlopen(prepared, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


JSON = "application/x-amz-json-1.1"
WIRE_CASES: list[tuple[str, dict[str, str], bytes, str, str]] = [
    (
        "malformed-json",
        {"X-Amz-Target": "SageMaker.ListWorkteams", "Content-Type": JSON},
        b"{not json",
        "POST",
        "SerializationException",
    ),
    (
        "json-array-body",
        {"X-Amz-Target": "SageMaker.ListWorkteams", "Content-Type": JSON},
        b"[1, 2]",
        "POST",
        "SerializationException",
    ),
    (
        "wrong-content-type",
        {"X-Amz-Target": "SageMaker.ListWorkteams", "Content-Type": "text/plain"},
        b"{}",
        "POST",
        "UnknownOperationException",
    ),
    ("missing-target", {"Content-Type": JSON}, b"{}", "POST", "UnknownOperationException"),
    (
        "unknown-target",
        {"X-Amz-Target": "SageMaker.DoMagic", "Content-Type": JSON},
        b"{}",
        "POST",
        "UnknownOperationException",
    ),
    (
        "get-instead-of-post",
        {"X-Amz-Target": "SageMaker.ListWorkteams", "Content-Type": JSON},
        b"",
        "GET",
        "UnknownOperationException",
    ),
]


@pytest.mark.parametrize(
    ("case", "headers", "body", "method", "code"), WIRE_CASES, ids=[c[0] for c in WIRE_CASES]
)
def test_malformed_wire_requests(
    *, local_gt: Any, case: str, headers: dict[str, str], body: bytes, method: str, code: str
) -> None:
    status, answer = _post(local_gt, headers, body, method=method)
    assert status == 400
    assert answer["__type"] == code
    assert answer["message"]
