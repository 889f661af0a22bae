"""A real `terraform apply` of examples/local against a real `groundtruth local up` process,
a labeling job built from the module's outputs, and a `terraform destroy` that leaves nothing.

The server is the test's own (`local_gt_factory`): one private workforce is allowed per region,
and "nothing left behind" can only be checked on an endpoint nobody else uses.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from .tf_support import REPO, Terraform, copy_module

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

HEADER = "What is in this image?"  # examples/local sets it
LABELS = ["cat", "dog", "bird"]  # examples/local's default labels


def outputs_of(terraform: Terraform, directory: Path) -> dict[str, Any]:
    raw = json.loads(terraform.run(directory, "output", "-json").stdout)
    return {name: item["value"] for name, item in raw.items()}


def s3_object_text(gt: Any, uri: str) -> str:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    return gt.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def assert_resources_configured(gt: Any, out: dict[str, Any]) -> None:
    """What apply created, read back from the endpoint (not from Terraform's state)."""
    s3, defaults = gt.client("s3"), out["labeling_job_defaults"]
    cors = s3.get_bucket_cors(Bucket=out["input_bucket_name"])["CORSRules"]
    assert [(r["AllowedMethods"], r["AllowedOrigins"], r["ExposeHeaders"]) for r in cors] == [
        (["GET"], ["*"], ["Access-Control-Allow-Origin"])
    ]
    for bucket in (out["input_bucket_name"], defaults["artifactsBucket"]):
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        default = rule["Rules"][0]["ApplyServerSideEncryptionByDefault"]
        assert default["SSEAlgorithm"] == "aws:kms"
        assert default["KMSMasterKeyID"] == defaults["kmsKeyId"]
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()), block

    role_name = defaults["roleArn"].rsplit("/", 1)[1]
    trust = gt.client("iam").get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}

    sagemaker = gt.client("sagemaker")
    workforce = sagemaker.describe_workforce(WorkforceName=out["workforce_name"])["Workforce"]
    assert workforce["CognitoConfig"]["UserPool"] == out["cognito_user_pool_id"]
    team = sagemaker.describe_workteam(WorkteamName=defaults["workteamArn"].rsplit("/", 1)[1])
    member = team["Workteam"]["MemberDefinitions"][0]["CognitoMemberDefinition"]
    assert member["UserPool"] == out["cognito_user_pool_id"]
    users = gt.client("cognito-idp").list_users_in_group(
        UserPoolId=out["cognito_user_pool_id"], GroupName=member["UserGroup"]
    )["Users"]
    assert sorted(u["Username"] for u in users) == ["worker1@example.com", "worker2@example.com"]

    template = s3_object_text(gt, out["ui_template_s3_uri"])
    assert f'header="{HEADER}"' in template
    assert "{{ task.input.taskObject | grant_read_access }}" in template
    assert json.loads(s3_object_text(gt, out["label_categories_s3_uri"])) == {
        "document-version": "2018-11-28",
        "labels": [{"label": label} for label in LABELS],
    }
    values = yaml.safe_load(out["helm_values"])
    assert values == {
        "defaults": defaults,
        "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": out["operator_role_arn"]}},
    }
    # The chart takes the values unchanged: its schema (additionalProperties: false) accepts them.
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "charts/groundtruth-operator/values.schema.json").read_text())
    jsonschema.validate(values, schema)


def create_job_from_outputs(gt: Any, helpers: SimpleNamespace, out: dict[str, Any]) -> str:
    """CreateLabelingJob with nothing but the module's outputs and a few uploaded images."""
    s3, defaults = gt.client("s3"), out["labeling_job_defaults"]
    bucket, prefix = out["input_bucket_name"], out["input_prefix"]
    lines = []
    for index in range(3):
        key = f"{prefix}/images/{index}.png"
        s3.put_object(Bucket=bucket, Key=key, Body=helpers.tiny_png(index))
        lines.append(json.dumps({"source-ref": f"s3://{bucket}/{key}"}))
    s3.put_object(Bucket=bucket, Key=f"{prefix}/manifest.jsonl", Body="\n".join(lines).encode())
    name = "terraform-outputs-job"
    # boto3 validates the request against botocore's service model before sending it.
    gt.client("sagemaker").create_labeling_job(
        LabelingJobName=name,
        LabelAttributeName="label",
        InputConfig={
            "DataSource": {
                "S3DataSource": {"ManifestS3Uri": f"s3://{bucket}/{prefix}/manifest.jsonl"}
            }
        },
        OutputConfig={"S3OutputPath": defaults["outputPath"], "KmsKeyId": defaults["kmsKeyId"]},
        RoleArn=defaults["roleArn"],
        LabelCategoryConfigS3Uri=out["label_categories_s3_uri"],
        HumanTaskConfig={
            "WorkteamArn": defaults["workteamArn"],
            "UiConfig": {"UiTemplateS3Uri": out["ui_template_s3_uri"]},
            "PreHumanTaskLambdaArn": out["pre_human_task_lambda_arn"],
            "TaskKeywords": ["Image classification"],
            "TaskTitle": "Classify the animal",
            "TaskDescription": "Pick the label that fits the image.",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "TaskAvailabilityLifetimeInSeconds": 3600,
            "MaxConcurrentTaskCount": 10,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": out["annotation_consolidation_lambda_arn"]
            },
        },
    )
    return name


def assert_nothing_left(gt: Any) -> None:
    """After destroy the endpoint holds none of what apply created."""
    assert gt.client("s3").list_buckets()["Buckets"] == []
    iam = gt.client("iam")
    assert iam.list_roles()["Roles"] == []
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
    sagemaker = gt.client("sagemaker")
    assert sagemaker.list_workteams()["Workteams"] == []
    assert sagemaker.list_workforces()["Workforces"] == []
    assert gt.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"] == []
    assert gt.client("sns").list_topics()["Topics"] == []
    kms = gt.client("kms")
    states = [
        kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"]
        for k in kms.list_keys()["Keys"]
    ]
    assert set(states) <= {"PendingDeletion"}, states


def test_apply_plan_label_destroy(
    terraform: Terraform, local_gt_factory: Any, gt_helpers: SimpleNamespace, tmp_path: Path
) -> None:
    gt = local_gt_factory()
    example = copy_module(tmp_path) / "examples" / "local"
    terraform.init(example)
    tf_vars = ("-input=false", "-var", f"endpoint={gt.endpoint}", "-var", f"region={gt.region}")

    terraform.run(example, "apply", "-auto-approve", *tf_vars)
    try:
        plan = terraform.run(example, "plan", "-detailed-exitcode", *tf_vars, check=False)
        assert plan.returncode == 0, f"plan after apply is not empty:\n{plan.stdout[-6000:]}"

        out = outputs_of(terraform, example)
        assert_resources_configured(gt, out)

        job = create_job_from_outputs(gt, gt_helpers, out)
        described = gt_helpers.wait_for_status(gt, job, ("InProgress",), timeout=120)
        assert described["RoleArn"] == out["labeling_job_defaults"]["roleArn"]
        # Stop it, as a user would before tearing down the team it runs on.
        gt.client("sagemaker").stop_labeling_job(LabelingJobName=job)
        gt_helpers.wait_for_status(gt, job, ("Stopped",), timeout=120)
    finally:
        destroy = terraform.run(example, "destroy", "-auto-approve", *tf_vars, check=False)
    assert destroy.returncode == 0, destroy.stdout[-6000:] + destroy.stderr[-6000:]
    assert_nothing_left(gt)
