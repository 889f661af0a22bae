# Every bad input stops at plan with its own message, before anything is created.
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
  mock_resource "aws_cognito_user_pool" {
    defaults = { id = "us-east-1_mocked" }
  }
}

variables {
  name = "unit"
}

run "good_inputs_plan_cleanly" {
  command = plan
}

run "name_with_uppercase" {
  command = plan
  variables {
    name = "Labeling"
  }
  expect_failures = [var.name]
}

run "single_label" {
  command = plan
  variables {
    labels = ["cat"]
  }
  expect_failures = [var.labels]
}

run "duplicate_labels" {
  command = plan
  variables {
    labels = ["cat", "dog", "cat"]
  }
  expect_failures = [var.labels]
}

run "label_with_surrounding_space" {
  command = plan
  variables {
    labels = ["cat", " dog"]
  }
  expect_failures = [var.labels]
}

run "work_team_name_breaks_the_pattern" {
  command = plan
  variables {
    work_teams = { "bad_team!" = {} }
  }
  expect_failures = [var.work_teams]
}

run "no_work_teams" {
  command = plan
  variables {
    work_teams = {}
  }
  expect_failures = [var.work_teams]
}

run "worker_without_email" {
  command = plan
  variables {
    workers = { "not-an-email" = { teams = ["labelers"] } }
  }
  expect_failures = [var.workers]
}

run "worker_in_unknown_team" {
  command = plan
  variables {
    workers = { "a@example.com" = { teams = ["ghosts"] } }
  }
  expect_failures = [var.workers]
}

run "kms_create_and_existing_key" {
  command = plan
  variables {
    kms = { create = true, key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }
  expect_failures = [var.kms]
}

run "kms_alias_instead_of_key_arn" {
  command = plan
  variables {
    kms = { key_arn = "alias/my-key" }
  }
  expect_failures = [var.kms]
}

run "unknown_workforce_type" {
  command = plan
  variables {
    workforce = { type = "saml" }
  }
  expect_failures = [var.workforce]
}

run "oidc_without_its_settings" {
  command = plan
  variables {
    workforce          = { type = "oidc" }
    oidc_client_secret = "s3cret"
    work_teams         = { labelers = { oidc_groups = ["labelers"] } }
  }
  expect_failures = [var.workforce]
}

run "reused_workforce_without_its_pool" {
  command = plan
  variables {
    create_workforce = false
  }
  expect_failures = [var.workforce]
}

run "source_ip_not_a_cidr" {
  command = plan
  variables {
    workforce = { source_ip_cidrs = ["10.0.0.300/8"] }
  }
  expect_failures = [var.workforce]
}

run "operator_role_without_oidc_provider" {
  command = plan
  variables {
    operator_role = { create = true }
  }
  expect_failures = [var.operator_role]
}

run "operator_namespace_not_a_dns_label" {
  command = plan
  variables {
    operator_role = { namespace = "Ground_Truth" }
  }
  expect_failures = [var.operator_role]
}

run "output_prefix_with_leading_slash" {
  command = plan
  variables {
    output_bucket = { prefix = "/output" }
  }
  expect_failures = [var.output_bucket]
}

run "existing_input_bucket_without_name" {
  command = plan
  variables {
    input_bucket = { create = false }
  }
  expect_failures = [var.input_bucket]
}

run "zero_day_output_expiration" {
  command = plan
  variables {
    output_bucket = { expiration_days = 0 }
  }
  expect_failures = [var.output_bucket]
}

run "default_team_not_in_work_teams" {
  command = plan
  variables {
    default_work_team = "reviewers"
  }
  expect_failures = [var.default_work_team]
}

run "region_without_ground_truth" {
  command = plan
  override_data {
    target = data.aws_region.current
    values = { name = "sa-east-1" }
  }
  expect_failures = [aws_iam_role.execution]
}

run "cognito_domain_with_a_reserved_word" {
  command = plan
  variables {
    name = "aws-labeling"
  }
  expect_failures = [aws_cognito_user_pool_domain.workers]
}
