"""Turn a parsed spec plus defaults into the exact CreateLabelingJob request.

Pure: no AWS calls. The conveniences (labels, instructions, region-derived Lambdas, defaults)
become ordinary request fields and a list of files to upload first; the result is checked
against botocore's model before anything is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from groundtruth_operator.defaults import DEFAULT_ARTIFACTS_PREFIX, Defaults
from groundtruth_operator.errors import InvalidSpecError
from groundtruth_operator.naming import default_job_name, is_valid_job_name
from groundtruth_operator.regions import arn_region, task_lambdas
from groundtruth_operator.s3uri import S3Uri
from groundtruth_operator.spec import LabelingJobSpec
from groundtruth_operator.template import label_categories, render_template
from groundtruth_operator.validation import validate_request

TAG_PREFIX = "labeling.groundtruth.dev/"
TAG_NAMESPACE = TAG_PREFIX + "namespace"
TAG_NAME = TAG_PREFIX + "name"
TAG_UID = TAG_PREFIX + "uid"
# Spec fields that are ours, not CreateLabelingJob's.
CONVENIENCES = {"labels", "region", "deletionPolicy"}


@dataclass(frozen=True)
class ResourceRef:
    namespace: str
    name: str
    uid: str


@dataclass(frozen=True)
class Upload:
    uri: str
    body: bytes
    content_type: str


@dataclass
class CreatePlan:
    job_name: str
    region: str
    request: dict[str, Any]
    uploads: list[Upload] = field(default_factory=list)


def _pascal(value: Any) -> Any:
    """lowerCamelCase keys back to CreateLabelingJob's PascalCase, recursively."""
    if isinstance(value, dict):
        return {key[:1].upper() + key[1:]: _pascal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_pascal(item) for item in value]
    return value


def _required(value: str | None, spec_field: str, key: str) -> str:
    if not value:
        raise InvalidSpecError(
            f"{spec_field}: is required: set it in the LabelingJob or set `{key}` in the "
            "operator's defaults ConfigMap",
            field=spec_field,
        )
    return value


def job_name_for(spec: LabelingJobSpec, ref: ResourceRef) -> str:
    if spec.labeling_job_name is None:
        return default_job_name(ref.name, ref.uid)
    if not is_valid_job_name(spec.labeling_job_name):
        raise InvalidSpecError(
            f"spec.labelingJobName: {spec.labeling_job_name!r} is not a valid Ground Truth job "
            "name (letters, digits and hyphens, starting and ending with a letter or digit, "
            "at most 63 characters)",
            field="spec.labelingJobName",
        )
    return spec.labeling_job_name


def region_for(spec: LabelingJobSpec, defaults: Defaults) -> str:
    return _required(spec.region or defaults.region, "spec.region", "region")


def build_plan(spec: LabelingJobSpec, ref: ResourceRef, defaults: Defaults) -> CreatePlan:
    """The CreateLabelingJob request and the files it needs, or InvalidSpecError."""
    region = region_for(spec, defaults)
    lambdas = task_lambdas(region)
    job_name = job_name_for(spec, ref)
    body = spec.model_dump(by_alias=True, exclude_none=True, mode="json")
    for key in CONVENIENCES:
        body.pop(key, None)
    body["labelingJobName"] = job_name
    body["roleArn"] = _required(spec.role_arn or defaults.role_arn, "spec.roleArn", "roleArn")

    output = body.setdefault("outputConfig", {})
    output["s3OutputPath"] = _required(
        output.get("s3OutputPath") or defaults.output_path,
        "spec.outputConfig.s3OutputPath",
        "outputPath",
    )
    if "kmsKeyId" not in output and defaults.kms_key_id:
        output["kmsKeyId"] = defaults.kms_key_id

    task = body["humanTaskConfig"]
    task["workteamArn"] = _required(
        task.get("workteamArn") or defaults.workteam_arn,
        "spec.humanTaskConfig.workteamArn",
        "workteamArn",
    )
    workteam_region = arn_region(task["workteamArn"])
    if workteam_region and workteam_region != region:
        raise InvalidSpecError(
            f"spec.humanTaskConfig.workteamArn: the workteam is in {workteam_region} but the "
            f"job runs in {region}; Ground Truth needs both in the same region",
            field="spec.humanTaskConfig.workteamArn",
        )
    task.setdefault("preHumanTaskLambdaArn", lambdas.pre_human_task)
    task.setdefault(
        "annotationConsolidationConfig",
        {"annotationConsolidationLambdaArn": lambdas.annotation_consolidation},
    )

    user_tags = body.get("tags", [])
    for index, tag in enumerate(user_tags):
        if tag["key"].startswith(TAG_PREFIX):
            raise InvalidSpecError(
                f"spec.tags[{index}].key: {tag['key']!r} uses the prefix {TAG_PREFIX!r}, "
                "which the operator reserves to recognise its own jobs",
                field=f"spec.tags[{index}].key",
            )
    body["tags"] = [
        *user_tags,
        {"key": TAG_NAMESPACE, "value": ref.namespace},
        {"key": TAG_NAME, "value": ref.name},
        {"key": TAG_UID, "value": ref.uid},
    ]

    uploads: list[Upload] = []
    artifacts = _artifacts_base(output["s3OutputPath"], defaults, ref)
    if spec.labels is not None:
        uri = f"{artifacts}/label-categories.json"
        document = json.dumps(label_categories(spec.labels), indent=2).encode()
        uploads.append(Upload(uri, document, "application/json"))
        body["labelCategoryConfigS3Uri"] = uri
    instructions = task.pop("instructions", None)
    if instructions is not None:
        uri = f"{artifacts}/template.liquid.html"
        html = render_template(
            instructions["short"], instructions["full"], instructions.get("header")
        )
        uploads.append(Upload(uri, html.encode(), "text/html"))
        task["uiConfig"] = {"uiTemplateS3Uri": uri}

    request = _pascal(body)
    validate_request("CreateLabelingJob", request)
    return CreatePlan(job_name=job_name, region=region, request=request, uploads=uploads)


def _artifacts_base(output_path: str, defaults: Defaults, ref: ResourceRef) -> str:
    try:
        output = S3Uri.parse(output_path)
    except ValueError as error:
        raise InvalidSpecError(
            f"spec.outputConfig.s3OutputPath: {error}", field="spec.outputConfig.s3OutputPath"
        ) from None
    bucket = defaults.artifacts_bucket or output.bucket
    prefix = (defaults.artifacts_prefix or DEFAULT_ARTIFACTS_PREFIX).strip("/")
    # The UID keeps a re-created resource of the same name from overwriting old inputs.
    return f"s3://{bucket}/{prefix}/{ref.namespace}/{ref.name}/{ref.uid[:8]}"
