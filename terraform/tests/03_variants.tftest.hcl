# The other ways to run the module: OIDC, an existing workforce and pool, existing buckets,
# an existing KMS key. Plans only: what gets created (or not) is known at plan time.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  name = "variant"
}

run "oidc_workforce_creates_no_cognito_and_binds_teams_to_groups" {
  command = plan
  variables {
    workforce = {
      type = "oidc"
      oidc = {
        issuer                 = "https://idp.example.com"
        authorization_endpoint = "https://idp.example.com/authorize"
        token_endpoint         = "https://idp.example.com/token"
        user_info_endpoint     = "https://idp.example.com/userinfo"
        logout_endpoint        = "https://idp.example.com/logout"
        jwks_uri               = "https://idp.example.com/jwks"
        client_id              = "labeling"
      }
    }
    oidc_client_secret = "not-a-real-secret"
    work_teams         = { labelers = { oidc_groups = ["labelers"] } }
  }

  assert {
    condition     = length(aws_cognito_user_pool.workers) == 0 && length(aws_cognito_user_group.team) == 0
    error_message = "an OIDC workforce needs no Cognito resources"
  }
  assert {
    condition     = one(aws_sagemaker_workforce.this[0].oidc_config).issuer == "https://idp.example.com" && length(aws_sagemaker_workforce.this[0].cognito_config) == 0
    error_message = "the workforce must be configured for OIDC only"
  }
  assert {
    condition     = one(one(aws_sagemaker_workteam.this["labelers"].member_definition).oidc_member_definition).groups == toset(["labelers"])
    error_message = "the team must be bound to its OIDC groups"
  }
}

run "existing_workforce_pool_and_group_are_reused" {
  command = plan
  variables {
    create_workforce = false
    workforce = {
      name    = "existing"
      cognito = { user_pool_id = "eu-west-1_AbCdEf123", client_id = "client123" }
    }
    work_teams = { labelers = { cognito_group = "existing-group" } }
  }

  assert {
    condition     = length(aws_sagemaker_workforce.this) == 0 && length(aws_cognito_user_pool.workers) == 0 && length(aws_cognito_user_group.team) == 0
    error_message = "reusing a workforce, pool and group creates none of them"
  }
  assert {
    condition     = aws_sagemaker_workteam.this["labelers"].workforce_name == "existing" && one(one(aws_sagemaker_workteam.this["labelers"].member_definition).cognito_member_definition).user_group == "existing-group" && one(one(aws_sagemaker_workteam.this["labelers"].member_definition).cognito_member_definition).user_pool == "eu-west-1_AbCdEf123"
    error_message = "the team must join the existing workforce through the existing pool and group"
  }
}

run "existing_buckets_are_not_modified" {
  command = plan
  variables {
    input_bucket  = { create = false, name = "their-input" }
    output_bucket = { create = false, name = "their-output", prefix = "labels/2026" }
    kms           = { key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }

  assert {
    condition     = length(aws_s3_bucket.this) == 0 && length(aws_s3_bucket_policy.this) == 0 && length(aws_s3_bucket_cors_configuration.input) == 0 && length(aws_kms_key.this) == 0
    error_message = "existing buckets and keys must be left alone"
  }
  assert {
    condition     = output.s3_output_path == "s3://their-output/labels/2026" && output.kms_key_arn == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "outputs must point at the existing bucket and key"
  }
  assert {
    condition     = aws_s3_object.ui_template.bucket == "their-output" && aws_s3_object.ui_template.key == "groundtruth-operator/templates/image-classification.liquid.html"
    error_message = "the template goes under the artifacts prefix of the output bucket"
  }
}

run "region_table_gives_the_lambda_arns" {
  command = plan

  assert {
    condition     = output.pre_human_task_lambda_arn == "arn:aws:lambda:eu-west-1:568282634449:function:PRE-ImageMultiClass" && output.annotation_consolidation_lambda_arn == "arn:aws:lambda:eu-west-1:568282634449:function:ACS-ImageMultiClass"
    error_message = "eu-west-1's image classification Lambdas come from account 568282634449"
  }
  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this["output"].rule) == 1
    error_message = "without expiration_days only the housekeeping rule exists"
  }
}
