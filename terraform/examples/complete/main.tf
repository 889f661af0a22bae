# Everything on AWS: a KMS key, Cognito workforce with two teams and invited workers, and the
# operator's IRSA role for an EKS cluster.
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
  region = var.region
}

module "groundtruth" {
  source = "../.."

  name   = var.name
  labels = ["cat", "dog", "bird"]
  kms    = { create = true }

  output_bucket = {
    expiration_days = 365
  }

  workforce = {
    source_ip_cidrs = var.worker_cidrs
  }

  work_teams = {
    labelers  = { description = "Everyday labelers" }
    reviewers = { description = "Experts who label the hard cases" }
  }
  default_work_team = "labelers"

  workers = var.workers

  worker_template = {
    header             = "Which animal is in this image?"
    short_instructions = "<p>Pick the animal you see. If several, pick the largest.</p>"
  }

  operator_role = {
    create            = true
    oidc_provider_arn = var.oidc_provider_arn
    namespace         = "groundtruth-system"
    service_account   = "groundtruth-operator"
  }

  tags = var.tags
}

# Hand the result to Helm: `terraform output -raw helm_values > values-aws.yaml`, then
# `helm install groundtruth-operator charts/groundtruth-operator -f values-aws.yaml`.
output "helm_values" {
  description = "Values for `helm install -f`."
  value       = module.groundtruth.helm_values
}

output "labeling_job_defaults" {
  description = "The operator's defaults ConfigMap data."
  value       = module.groundtruth.labeling_job_defaults
}

output "workforce_subdomain" {
  description = "Where workers sign in."
  value       = module.groundtruth.workforce_subdomain
}
