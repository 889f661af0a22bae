# The policies and rules that make Ground Truth work (or keep it safe), asserted on a mocked
# apply: no AWS calls, real module logic.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:mocked" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/mocked" }
  }
  mock_resource "aws_cognito_user_pool" {
    defaults = { id = "us-east-1_mocked", arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_mocked" }
  }
  mock_resource "aws_sagemaker_workteam" {
    defaults = { arn = "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/mocked" }
  }
}

variables {
  name   = "unit"
  labels = ["cat", "dog"]
  operator_role = {
    create            = true
    oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123"
    namespace         = "labeling"
    service_account   = "gt-operator"
  }
  worker_template = {
    header = "Is it a \"cat\" <or> a dog?"
  }
}

run "input_bucket_has_the_ground_truth_cors_rule" {
  command = apply

  assert {
    condition     = length(aws_s3_bucket_cors_configuration.input) == 1
    error_message = "the input bucket must get a CORS configuration"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_cors_configuration.input[0].cors_rule : r.allowed_methods]) == toset(["GET"]) && one([for r in aws_s3_bucket_cors_configuration.input[0].cors_rule : r.allowed_origins]) == toset(["*"]) && one([for r in aws_s3_bucket_cors_configuration.input[0].cors_rule : r.expose_headers]) == toset(["Access-Control-Allow-Origin"])
    error_message = "CORS must allow GET from any origin and expose Access-Control-Allow-Origin"
  }
  assert {
    condition     = aws_s3_bucket.this["input"].bucket == "unit-input-123456789012-us-east-1"
    error_message = "input bucket name must be <name>-input-<account>-<region>"
  }
}

run "buckets_deny_plain_http_and_block_public_access" {
  command = apply

  assert {
    condition = alltrue([for k, p in aws_s3_bucket_policy.this : anytrue([
      for s in jsondecode(p.policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && s.Action == "s3:*" && s.Condition.Bool["aws:SecureTransport"] == "false"
      && contains(s.Resource, "arn:aws:s3:::${aws_s3_bucket.this[k].bucket}/*")
    ])])
    error_message = "every bucket policy must deny s3:* when aws:SecureTransport is false, on the bucket's objects"
  }
  assert {
    condition     = length(aws_s3_bucket_policy.this) == 2 && alltrue([for b in aws_s3_bucket_public_access_block.this : b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets])
    error_message = "both buckets must block all public access and carry the TLS policy"
  }
  assert {
    condition     = alltrue([for e in aws_s3_bucket_server_side_encryption_configuration.this : one(one(e.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"])
    error_message = "without a KMS key buckets use SSE-S3"
  }
  assert {
    condition     = alltrue([for v in aws_s3_bucket_versioning.this : one(v.versioning_configuration).status == "Enabled"])
    error_message = "buckets must be versioned"
  }
}

run "execution_role_trust_and_least_privilege" {
  command = apply

  assert {
    condition     = one(jsondecode(aws_iam_role.execution.assume_role_policy).Statement).Principal.Service == "sagemaker.amazonaws.com" && one(jsondecode(aws_iam_role.execution.assume_role_policy).Statement).Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "the execution role must trust sagemaker.amazonaws.com only for this account (aws:SourceAccount)"
  }
  assert {
    condition     = toset(flatten([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Action])) == toset(["s3:GetObject", "s3:PutObject", "s3:ListBucket"])
    error_message = "the execution role may only read and write S3 objects (no KMS without a key, nothing else)"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource != "*"]) && [for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Resource if s.Sid == "ReadAndWriteOutputs"][0] == "arn:aws:s3:::unit-output-123456789012-us-east-1/output/*"
    error_message = "the execution role writes only under the output prefix"
  }
}

run "operator_irsa_trust_and_passrole_scope" {
  command = apply

  assert {
    condition     = one(jsondecode(aws_iam_role.operator[0].assume_role_policy).Statement).Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub"] == "system:serviceaccount:labeling:gt-operator"
    error_message = "the operator role must trust exactly the operator's service account (:sub)"
  }
  assert {
    condition     = one(jsondecode(aws_iam_role.operator[0].assume_role_policy).Statement).Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud"] == "sts.amazonaws.com"
    error_message = "the operator role must check the token audience (:aud)"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.operator[0].policy).Statement : s if s.Action == "iam:PassRole"]).Resource == aws_iam_role.execution.arn && one([for s in jsondecode(aws_iam_role_policy.operator[0].policy).Statement : s if s.Action == "iam:PassRole"]).Condition.StringEquals["iam:PassedToService"] == "sagemaker.amazonaws.com"
    error_message = "iam:PassRole must be limited to the execution role, passed to SageMaker only"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.operator[0].policy).Statement : alltrue([for a in flatten([s.Action]) : startswith(a, "sagemaker:") || startswith(a, "s3:") || a == "iam:PassRole"])])
    error_message = "the operator may only call SageMaker, S3 and PassRole"
  }
}

run "outputs_feed_the_operator_and_the_chart" {
  command = apply

  assert {
    condition = output.labeling_job_defaults == {
      region          = "us-east-1"
      roleArn         = "arn:aws:iam::123456789012:role/mocked"
      workteamArn     = "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/mocked"
      outputPath      = "s3://unit-output-123456789012-us-east-1/output"
      artifactsBucket = "unit-output-123456789012-us-east-1"
      artifactsPrefix = "groundtruth-operator"
    }
    error_message = "labeling_job_defaults must carry exactly the ConfigMap keys of docs/operator.md"
  }
  assert {
    condition     = yamldecode(output.helm_values).defaults == output.labeling_job_defaults && yamldecode(output.helm_values).serviceAccount.annotations["eks.amazonaws.com/role-arn"] == aws_iam_role.operator[0].arn
    error_message = "helm_values must be {defaults, serviceAccount.annotations[eks.amazonaws.com/role-arn]}"
  }
  assert {
    condition     = jsondecode(aws_s3_object.label_categories[0].content) == { "document-version" = "2018-11-28", labels = [{ label = "cat" }, { label = "dog" }] }
    error_message = "the label-category file must be Ground Truth's format"
  }
  assert {
    condition     = strcontains(aws_s3_object.ui_template.content, "header=\"Is it a &quot;cat&quot; &lt;or&gt; a dog?\"") && strcontains(aws_s3_object.ui_template.content, "{{ task.input.taskObject | grant_read_access }}")
    error_message = "the template must carry the escaped header and the Liquid placeholders unchanged"
  }
}

run "kms_key_switches_buckets_and_roles_to_sse_kms" {
  command = apply

  variables {
    kms = { create = true }
  }

  assert {
    condition     = alltrue([for e in aws_s3_bucket_server_side_encryption_configuration.this : one(one(e.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" && one(one(e.rule).apply_server_side_encryption_by_default).kms_master_key_id == aws_kms_key.this[0].arn])
    error_message = "with a key, buckets use SSE-KMS with it"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s if s.Sid == "UseTheDataKey"]).Resource == aws_kms_key.this[0].arn && output.labeling_job_defaults.kmsKeyId == aws_kms_key.this[0].arn
    error_message = "the execution role may use exactly the key, and the operator gets it as kmsKeyId"
  }
  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation
    error_message = "the key must rotate"
  }
}
