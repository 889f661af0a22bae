# The Terraform AWS provider, unchanged, against the local Ground Truth: a Cognito pool,
# the region's private workforce on it, a tagged workteam and a human task UI.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

variable "endpoint" {
  type = string
}

variable "region" {
  type    = string
  default = "us-east-1"
}

provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {
    sagemaker  = var.endpoint
    cognitoidp = var.endpoint
    iam        = var.endpoint
    sts        = var.endpoint
    s3         = var.endpoint
  }
}

resource "aws_cognito_user_pool" "workers" {
  name = "tf-workers"
}

resource "aws_cognito_user_pool_client" "workers" {
  name            = "tf-workers-client"
  user_pool_id    = aws_cognito_user_pool.workers.id
  generate_secret = true
}

resource "aws_cognito_user_group" "labelers" {
  name         = "tf-labelers"
  user_pool_id = aws_cognito_user_pool.workers.id
}

resource "aws_sagemaker_workforce" "private" {
  workforce_name = "tf-workforce"

  cognito_config {
    client_id = aws_cognito_user_pool_client.workers.id
    user_pool = aws_cognito_user_pool.workers.id
  }
}

resource "aws_sagemaker_workteam" "labelers" {
  workteam_name  = "tf-team"
  workforce_name = aws_sagemaker_workforce.private.id
  description    = "Labelers managed by Terraform"

  member_definition {
    cognito_member_definition {
      client_id  = aws_cognito_user_pool_client.workers.id
      user_pool  = aws_cognito_user_pool.workers.id
      user_group = aws_cognito_user_group.labelers.name
    }
  }

  tags = {
    project = "groundtruth-operator"
    stage   = "test"
  }
}

resource "aws_sagemaker_human_task_ui" "classifier" {
  human_task_ui_name = "tf-classifier"

  ui_template {
    content = "<crowd-form><crowd-image-classifier name=\"crowd-image-classifier\" categories=\"['cat', 'dog']\" header=\"pick one\" src=\"{{ task.input.taskObject | grant_read_access }}\"></crowd-image-classifier></crowd-form>"
  }
}

output "workteam_arn" {
  value = aws_sagemaker_workteam.labelers.arn
}

output "workforce_subdomain" {
  value = aws_sagemaker_workforce.private.subdomain
}

output "human_task_ui_arn" {
  value = aws_sagemaker_human_task_ui.classifier.arn
}
