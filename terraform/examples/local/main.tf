# The module against a local Ground Truth (`groundtruth local up`): every AWS service the
# module uses is answered by one endpoint, with static test credentials.
terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
    }
  }
}

provider "aws" {
  region     = var.region
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {
    cognitoidp = var.endpoint
    iam        = var.endpoint
    kms        = var.endpoint
    s3         = var.endpoint
    sagemaker  = var.endpoint
    sns        = var.endpoint
    sts        = var.endpoint
  }
}

module "groundtruth" {
  source = "../.."

  name          = var.name
  force_destroy = true # local data is disposable, and versioned buckets keep old objects
  # The local endpoint speaks plain HTTP, and moto enforces bucket policies: a TLS-only
  # policy would deny every request.
  deny_insecure_transport = false
  labels                  = var.labels
  kms                     = { create = var.create_kms_key }

  work_teams = {
    labelers = { description = "Local labelers" }
  }
  workers = { for email in var.worker_emails : email => { teams = ["labelers"] } }

  worker_template = {
    header = "What is in this image?"
  }

  operator_role = {
    create            = true
    oidc_provider_arn = aws_iam_openid_connect_provider.cluster.arn
  }

  tags = { project = "groundtruth-operator", environment = "local" }
}

# Stands in for an EKS cluster's OIDC provider so the operator role (IRSA) is exercised too.
resource "aws_iam_openid_connect_provider" "cluster" {
  url             = "https://oidc.local.groundtruth.dev/id/${var.name}"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
  tags            = { project = "groundtruth-operator", environment = "local" }
}
