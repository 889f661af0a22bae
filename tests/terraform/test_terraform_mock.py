"""`terraform test` with mock_provider: the module's policies and its input validation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .tf_support import Terraform

pytestmark = pytest.mark.terraform

BAD_INPUTS = "tests/02_bad_inputs.tftest.hcl"

# What each bad-input run of 02_bad_inputs.tftest.hcl must tell the user (terraform test's
# expect_failures proves only that the right input failed, not what the message says).
EXPECTED_MESSAGES = {
    "name_with_uppercase": "name must be 3-24 characters of lowercase letters",
    "single_label": "labels must hold at least 2 categories",
    "duplicate_labels": "labels must be unique",
    "label_with_surrounding_space": "no leading or trailing whitespace",
    "work_team_name_breaks_the_pattern": "work_teams keys must be 1-31 letters, digits and hyphens",
    "no_work_teams": "work_teams must hold between 1 and 25 teams",
    "worker_without_email": "workers keys must be email addresses",
    "worker_in_unknown_team": "Every team listed in workers must be a key of work_teams",
    "kms_create_and_existing_key": "kms: set either create = true or key_arn, not both",
    "kms_alias_instead_of_key_arn": "kms.key_arn must be a KMS key ARN",
    "unknown_workforce_type": 'workforce.type must be "cognito" or "oidc"',
    "oidc_without_its_settings": 'workforce.oidc is required when workforce.type is "oidc"',
    "reused_workforce_without_its_pool": "create_workforce = false reuses a workforce",
    "source_ip_not_a_cidr": "workforce.source_ip_cidrs must be IPv4 CIDR blocks",
    "operator_role_without_oidc_provider": "operator_role.oidc_provider_arn must be an IAM OIDC",
    "operator_namespace_not_a_dns_label": "operator_role.namespace must be a Kubernetes namespace",
    "output_prefix_with_leading_slash": "output_bucket.prefix must be a non-empty S3 key prefix",
    "existing_input_bucket_without_name": "input_bucket.name is required when input_bucket.create",
    "zero_day_output_expiration": "output_bucket.expiration_days must be a whole number",
    "default_team_not_in_work_teams": "default_work_team must be one of the keys of work_teams",
    "cognito_domain_with_a_reserved_word": "must not contain aws, amazon or cognito",
    "region_without_ground_truth": "image classification is not available in region sa-east-1",
}

RUN_BLOCK = re.compile(r'^run "(?P<name>[^"]+)" \{\n.*?^\}\n', re.MULTILINE | re.DOTALL)


def flat(text: str) -> str:
    """Terraform wraps long messages: compare with whitespace collapsed."""
    return " ".join(text.split())


def test_mock_provider_suites_pass(terraform: Terraform, module_copy: Path) -> None:
    result = terraform.run(module_copy, "test", check=False)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    summary = re.search(r"Success! (\d+) passed, 0 failed", result.stdout)
    assert summary, result.stdout[-3000:]
    # 6 policy/output runs + 1 good plan + every bad input.
    assert int(summary.group(1)) >= 7 + len(EXPECTED_MESSAGES)


def test_every_bad_input_fails_with_its_message(terraform: Terraform, module_copy: Path) -> None:
    """Each expect_failures run, re-run without expect_failures, must fail with its message."""
    source = (module_copy / BAD_INPUTS).read_text()
    header = source[: source.index('\nrun "')]
    runs = {m["name"]: m.group(0) for m in RUN_BLOCK.finditer(source)}
    bad = {name: block for name, block in runs.items() if "expect_failures" in block}
    assert set(bad) == set(EXPECTED_MESSAGES), "every bad-input run needs an expected message"
    assert len(bad) >= 10

    directory = module_copy / "message_cases"
    directory.mkdir(exist_ok=True)
    for name, block in bad.items():
        case = re.sub(r"^\s*expect_failures\s*=.*\n", "", block, flags=re.MULTILINE)
        (directory / f"{name}.tftest.hcl").write_text(f"{header}\n{case}")
    result = terraform.run(
        module_copy, "test", "-test-directory=message_cases", "-json", check=False
    )
    assert result.returncode != 0
    errors: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        event = json.loads(line)
        diagnostic = event.get("diagnostic")
        if diagnostic and diagnostic["severity"] == "error" and "@testrun" in event:
            text = f"{diagnostic['summary']}: {diagnostic.get('detail', '')}"
            errors.setdefault(event["@testrun"], []).append(text)

    for name, expected in EXPECTED_MESSAGES.items():
        assert name in errors, f"{name} was accepted (no error reported)"
        assert any(expected in flat(e) for e in errors[name]), f"{name}: {errors[name]}"
