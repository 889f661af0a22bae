"""The LabelingJob `spec` as typed models, parsed once per reconcile.

Field names are CreateLabelingJob's in lowerCamelCase with its nesting kept, so the AWS
boto3 example translates line by line (`HumanTaskConfig.TaskTitle` is
`humanTaskConfig.taskTitle`). Bounds and patterns are not repeated here: the assembled
request is checked against botocore's service model (`validation.py`), the one source of
truth. These models only fix structure and types and carry the conveniences AWS lacks.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from groundtruth_operator.errors import InvalidSpecError

# Limits of the conveniences, which botocore's model cannot check because AWS has no such
# fields. crdgen writes the same numbers into the CRD; here they hold when the schema is
# bypassed (an older CRD, or a cluster that skips validation).
MAX_LABELS = 256
MAX_LABEL_LENGTH = 256
MAX_SHORT_INSTRUCTIONS = 20_000
MAX_FULL_INSTRUCTIONS = 100_000
MAX_HEADER = 256

Label = Annotated[str, Field(min_length=1, max_length=MAX_LABEL_LENGTH)]


class _Model(BaseModel):
    # Unknown fields are refused, not dropped: a typo must not silently lose a setting.
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class DeletionPolicy(StrEnum):
    STOP = "Stop"
    ORPHAN = "Orphan"


class S3DataSource(_Model):
    manifest_s3_uri: str = Field(alias="manifestS3Uri")


class SnsDataSource(_Model):
    sns_topic_arn: str


class DataSource(_Model):
    s3_data_source: S3DataSource | None = Field(default=None, alias="s3DataSource")
    sns_data_source: SnsDataSource | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> DataSource:
        if (self.s3_data_source is None) == (self.sns_data_source is None):
            raise ValueError("set exactly one of s3DataSource or snsDataSource")
        return self


class DataAttributes(_Model):
    content_classifiers: list[str] | None = None


class InputConfig(_Model):
    data_source: DataSource
    data_attributes: DataAttributes | None = None


class OutputConfig(_Model):
    s3_output_path: str | None = Field(default=None, alias="s3OutputPath")
    kms_key_id: str | None = None
    sns_topic_arn: str | None = None


class StoppingConditions(_Model):
    max_human_labeled_object_count: int | None = None
    max_percentage_of_input_dataset_labeled: int | None = None


class VpcConfig(_Model):
    security_group_ids: list[str]
    subnets: list[str]


class LabelingJobResourceConfig(_Model):
    volume_kms_key_id: str | None = None
    vpc_config: VpcConfig | None = None


class LabelingJobAlgorithmsConfig(_Model):
    labeling_job_algorithm_specification_arn: str
    initial_active_learning_model_arn: str | None = None
    labeling_job_resource_config: LabelingJobResourceConfig | None = None


class UiConfig(_Model):
    ui_template_s3_uri: str | None = Field(default=None, alias="uiTemplateS3Uri")
    human_task_ui_arn: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> UiConfig:
        if (self.ui_template_s3_uri is None) == (self.human_task_ui_arn is None):
            raise ValueError("set exactly one of uiTemplateS3Uri or humanTaskUiArn")
        return self


class Instructions(_Model):
    """Convenience: rendered into the standard crowd-image-classifier template."""

    short: str = Field(min_length=1, max_length=MAX_SHORT_INSTRUCTIONS)
    full: str = Field(min_length=1, max_length=MAX_FULL_INSTRUCTIONS)
    header: str | None = Field(default=None, max_length=MAX_HEADER)


class AnnotationConsolidationConfig(_Model):
    annotation_consolidation_lambda_arn: str


class Usd(_Model):
    dollars: int | None = None
    cents: int | None = None
    tenth_fractions_of_a_cent: int | None = None


class PublicWorkforceTaskPrice(_Model):
    amount_in_usd: Usd | None = None


class HumanTaskConfig(_Model):
    workteam_arn: str | None = None
    ui_config: UiConfig | None = None
    instructions: Instructions | None = None
    pre_human_task_lambda_arn: str | None = None
    task_keywords: list[str] | None = None
    task_title: str
    task_description: str
    number_of_human_workers_per_data_object: int
    task_time_limit_in_seconds: int
    task_availability_lifetime_in_seconds: int | None = None
    max_concurrent_task_count: int | None = None
    annotation_consolidation_config: AnnotationConsolidationConfig | None = None
    public_workforce_task_price: PublicWorkforceTaskPrice | None = None

    @model_validator(mode="after")
    def _one_ui(self) -> HumanTaskConfig:
        if (self.ui_config is None) == (self.instructions is None):
            raise ValueError("set exactly one of uiConfig or instructions")
        return self


class Tag(_Model):
    key: str
    value: str


class LabelingJobSpec(_Model):
    labeling_job_name: str | None = None
    label_attribute_name: str = "label"
    input_config: InputConfig
    output_config: OutputConfig | None = None
    role_arn: str | None = None
    label_category_config_s3_uri: str | None = Field(default=None, alias="labelCategoryConfigS3Uri")
    labels: list[Label] | None = Field(default=None, max_length=MAX_LABELS)
    stopping_conditions: StoppingConditions | None = None
    labeling_job_algorithms_config: LabelingJobAlgorithmsConfig | None = None
    human_task_config: HumanTaskConfig
    tags: list[Tag] | None = None
    region: str | None = None
    deletion_policy: DeletionPolicy = DeletionPolicy.STOP

    @model_validator(mode="after")
    def _one_label_source(self) -> LabelingJobSpec:
        if (self.labels is None) == (self.label_category_config_s3_uri is None):
            raise ValueError("set exactly one of labels or labelCategoryConfigS3Uri")
        if self.labels is not None:
            unique = {label.strip() for label in self.labels}
            if len(unique) < 2:
                raise ValueError("labels needs at least 2 unique labels")
            if len(unique) != len(self.labels):
                raise ValueError("labels must not repeat a label")
            if any(not label.strip() for label in self.labels):
                raise ValueError("labels must not be empty strings")
        return self


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = "spec"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def parse_spec(raw: dict[str, Any]) -> LabelingJobSpec:
    """Parse a resource's spec, or raise InvalidSpecError naming the first bad field."""
    try:
        return LabelingJobSpec.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        # A model_validator reports on the object itself; its message names the fields.
        path = _field_path(tuple(first["loc"]))
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "missing":
            message = "is required"
        elif first["type"] == "extra_forbidden":
            message = "is not a LabelingJob field"
        raise InvalidSpecError(f"{path}: {message}", field=path) from None
