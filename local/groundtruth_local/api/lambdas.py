"""Ground Truth's built-in image classification (single label) Lambdas, by region.

The local Ground Truth runs only this task type, so it accepts exactly these ARNs: a wrong
region or task type is caught at CreateLabelingJob instead of surfacing as a stuck job.
"""

from __future__ import annotations

TASK_LAMBDA_ACCOUNTS: dict[str, str] = {
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
PRE_FUNCTION = "PRE-ImageMultiClass"
ACS_FUNCTION = "ACS-ImageMultiClass"


def task_lambda_arn(region: str, function: str) -> str | None:
    account = TASK_LAMBDA_ACCOUNTS.get(region)
    if account is None:
        return None
    return f"arn:aws:lambda:{region}:{account}:function:{function}"
