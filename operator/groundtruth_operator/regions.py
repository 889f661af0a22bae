"""Where Ground Truth's built-in image-classification Lambdas live, per region.

AWS publishes one account per region for the PRE (pre-annotation) and ACS (annotation
consolidation) functions; a wrong ARN is a common, late-failing mistake, so the operator
fills them in and refuses regions Ground Truth does not serve.
"""

from __future__ import annotations

from dataclasses import dataclass

from groundtruth_operator.errors import InvalidSpecError

LAMBDA_ACCOUNTS: dict[str, str] = {
    "us-east-1": "432418664414",
    "us-east-2": "266458841044",
    "us-west-2": "081040173940",
    "ca-central-1": "918755190332",
    "eu-west-1": "568282634449",
    "eu-west-2": "487402164563",
    "eu-central-1": "203001061592",
    "ap-northeast-1": "477331159723",
    "ap-northeast-2": "845288260483",
    "ap-south-1": "565803892007",
    "ap-southeast-1": "377565633583",
    "ap-southeast-2": "454466003867",
}


@dataclass(frozen=True)
class TaskLambdas:
    pre_human_task: str
    annotation_consolidation: str


def task_lambdas(region: str) -> TaskLambdas:
    """The PRE/ACS-ImageMultiClass ARNs for `region`, or InvalidSpecError."""
    account = LAMBDA_ACCOUNTS.get(region)
    if account is None:
        raise InvalidSpecError(
            f"spec.region: Ground Truth image classification is not available in {region!r}; "
            f"use one of {', '.join(sorted(LAMBDA_ACCOUNTS))}",
            field="spec.region",
        )
    prefix = f"arn:aws:lambda:{region}:{account}:function:"
    return TaskLambdas(prefix + "PRE-ImageMultiClass", prefix + "ACS-ImageMultiClass")


def arn_region(arn: str) -> str | None:
    """The region field of an ARN, or None when it has none."""
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 5 else None
