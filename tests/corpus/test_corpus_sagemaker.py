"""The SageMaker request corpus against a real local Ground Truth.

Each file names an operation and its parameters (or a change to a valid CreateLabelingJob
request) and the outcome AWS gives: an error code, HTTP status and message words, or a job
that is accepted and then fails with a named reason. The client sends every request as
written (no client-side validation, no retries). The corpus itself is checked against
botocore's service model, so a typo in a file cannot silently test nothing.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.model import OperationModel, Shape, StructureShape
from corpus_files import SAGEMAKER, Case, load, object_body

CASES = load(SAGEMAKER)
MODEL = botocore.session.get_session().get_service_model("sagemaker")
COMMON_ERRORS = {"ValidationException"}  # every SageMaker operation may answer it


def _member(shape: Shape, path: str) -> Shape:
    for part in path.split("."):
        assert isinstance(shape, StructureShape), f"{path}: {part} is inside a non-structure"
        assert part in shape.members, f"{path}: {part} is not a member of {shape.name}"
        shape = shape.members[part]
    return shape


def _operation(document: dict[str, Any]) -> OperationModel:
    return MODEL.operation_model(document["operation"])


def test_the_corpus_is_complete_and_matches_the_service_model() -> None:
    assert len(CASES) >= 40
    for case in CASES:
        document = case.documents()[0]
        operation = _operation(document)  # raises for an unknown operation
        for path in [*(document.get("set") or {}), *(document.get("drop") or [])]:
            _member(operation.input_shape, path)
        for key in document.get("params") or {}:
            _member(operation.input_shape, key)
        expect = document["expect"]
        if "code" in expect:
            modeled = {error.name for error in operation.error_shapes}
            assert expect["code"] in modeled | COMMON_ERRORS, (case.id, expect["code"])
            assert expect["messageContains"], case.id
        else:
            assert document.get("from") == "valid-create", case.id
            assert expect["jobStatus"] == "Failed" and expect["failureReasonContains"], case.id


@pytest.fixture(scope="module")
def setting(local_gt: Any, gt_helpers: Any) -> dict[str, Any]:
    name = f"corpus-{uuid.uuid4().hex[:8]}"
    valid = gt_helpers.make_labeling_job_request(local_gt, name)
    sagemaker = local_gt.client("sagemaker")
    sagemaker.create_labeling_job(**valid)  # a job whose name later cases try to reuse
    team = sagemaker.describe_workteam(WorkteamName="gt-test-team")["Workteam"]
    bucket = valid["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"].split("/")[2]
    return {
        "valid": valid,
        "bucket": bucket,
        "existing": name,
        "members": team["MemberDefinitions"],
    }


def _fill(value: Any, members: list[dict[str, Any]]) -> Any:
    if value == "${MEMBERS}":
        return members
    if isinstance(value, dict):
        return {key: _fill(item, members) for key, item in value.items()}
    return value


def _request(case: Case, setting: dict[str, Any], gt: Any) -> tuple:
    suffix = uuid.uuid4().hex[:8]
    (document,) = case.documents(
        SUFFIX=suffix,
        BUCKET=setting["bucket"],
        EXISTING_JOB=setting["existing"],
        EXISTING_JOB_UPPER=setting["existing"].upper(),
    )
    s3 = gt.client("s3")
    for key, body in (document.get("objects") or {}).items():
        s3.put_object(Bucket=setting["bucket"], Key=key, Body=object_body(body))
    if document.get("from") != "valid-create":
        return document, _fill(document["params"], setting["members"])
    request = copy.deepcopy(setting["valid"])
    request["LabelingJobName"] = f"corpus-{suffix}"
    for path, value in (document.get("set") or {}).items():
        *parents, last = path.split(".")
        node = request
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    for path in document.get("drop") or []:
        *parents, last = path.split(".")
        node = request
        for part in parents:
            node = node[part]
        del node[last]
    return document, request


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_sagemaker_request(
    local_gt: Any, gt_helpers: Any, setting: dict[str, Any], case: Case
) -> None:
    document, params = _request(case, setting, local_gt)
    expect = document["expect"]
    raw = local_gt.client("sagemaker", retries=0, parameter_validation=False)
    call = getattr(raw, _snake(document["operation"]))
    if "jobStatus" in expect:
        call(**params)
        job = gt_helpers.wait_for_status(local_gt, params["LabelingJobName"], ("Failed",))
        assert expect["failureReasonContains"] in job["FailureReason"], job["FailureReason"]
        return
    with pytest.raises(ClientError) as raised:
        call(**params)
    response = raised.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == expect["httpStatus"]
    assert response["Error"]["Code"] == expect["code"], response["Error"]
    assert expect["messageContains"] in response["Error"]["Message"], response["Error"]
    if document["operation"] == "CreateLabelingJob" and expect["code"] != "ResourceInUse":
        # Nothing half-created: the request's name is still free.
        name = params.get("LabelingJobName")
        if isinstance(name, str) and name.startswith("corpus-"):
            with pytest.raises(ClientError, match="Could not find requested job"):
                local_gt.client("sagemaker").describe_labeling_job(LabelingJobName=name)
