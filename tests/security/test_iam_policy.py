"""The operator's IAM policy grants exactly what the operator's code calls.

Both sides are parsed, not retyped: the actions come from the `operator_policy` in
terraform/iam.tf, the calls from the boto3 client methods that
operator/groundtruth_operator/aws.py invokes (mapped to API operations by botocore). A new
grant nobody calls, or a new call nobody granted, fails this test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
IAM_TF = ROOT / "terraform" / "iam.tf"
AWS_PY = ROOT / "operator" / "groundtruth_operator" / "aws.py"

# Permissions AWS checks on top of the called operation's own action, and why.
IMPLIED: dict[str, dict[str, str]] = {
    "sagemaker:createlabelingjob": {
        "sagemaker:addtags": "CreateLabelingJob with Tags (the operator's ownership tags)",
        "iam:passrole": "CreateLabelingJob passes RoleArn (the execution role) to SageMaker",
    },
    "s3:getobject": {
        "s3:listbucket": "without it a missing object reads as AccessDenied, not NoSuchKey",
        "kms:decrypt": "reading SSE-KMS objects (granted only when a KMS key is configured)",
    },
    "s3:putobject": {
        "kms:generatedatakey": "writing SSE-KMS objects (only when a KMS key is configured)",
    },
}


def _policy_block(text: str, name: str) -> str:
    """The body of `name = jsonencode(...)` in iam.tf, by bracket matching."""
    start = text.index(f"{name} = jsonencode(")
    depth, index = 0, text.index("(", start)
    for index in range(index, len(text)):  # noqa: B020 - scanning on from the opening bracket
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[start : index + 1]
    raise AssertionError(f"unbalanced {name} in {IAM_TF}")


def granted_actions() -> set[str]:
    text = IAM_TF.read_text()
    # The KMS statement is a local spliced into the policy when a key is configured.
    blocks = _policy_block(text, "operator_policy")
    assert "local.kms_statements" in blocks
    kms = text[text.index("kms_statements") : text.index("execution_role_name")]
    actions = re.findall(r'\bAction\s*=\s*(\[[^\]]*\]|"[^"]*")', blocks + kms)
    found = {a.lower() for value in actions for a in re.findall(r'"([^"]+)"', value)}
    assert not any(a.startswith("sts:") for a in found), "a trust policy leaked into the check"
    return found


def called_actions() -> set[str]:
    clients = {
        "sagemaker": boto3.session.Session().client("sagemaker", region_name="us-east-1"),
        "s3": boto3.session.Session().client("s3", region_name="us-east-1"),
    }
    calls: set[str] = set()
    for node in ast.walk(ast.parse(AWS_PY.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if isinstance(owner, ast.Attribute) and owner.attr in clients:
            mapping = clients[owner.attr].meta.method_to_api_mapping
            assert node.func.attr in mapping, f"{owner.attr}.{node.func.attr} is not an API call"
            calls.add(f"{owner.attr}:{mapping[node.func.attr]}".lower())
    return calls


def test_the_parsers_see_both_sides() -> None:
    calls = called_actions()
    assert {"sagemaker:createlabelingjob", "s3:getobject"} <= calls
    assert "sagemaker:createlabelingjob" in granted_actions()


def test_every_call_is_granted() -> None:
    missing = called_actions() - granted_actions()
    assert not missing, f"aws.py calls these but terraform/iam.tf does not grant them: {missing}"


def test_every_grant_is_used() -> None:
    calls = called_actions()
    needed = calls | {action for call in calls for action in IMPLIED.get(call, {})}
    unused = granted_actions() - needed
    assert not unused, f"terraform/iam.tf grants the operator actions it never uses: {unused}"
