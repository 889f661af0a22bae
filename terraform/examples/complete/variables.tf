variable "region" {
  description = "AWS region with Ground Truth image classification (for example us-east-1)."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix for everything created."
  type        = string
  default     = "labeling"
}

variable "oidc_provider_arn" {
  description = "The EKS cluster's IAM OIDC provider ARN (module.eks.oidc_provider_arn in terraform-aws-eks)."
  type        = string
}

variable "worker_cidrs" {
  description = "CIDR blocks workers may sign in from; empty allows anywhere."
  type        = list(string)
  default     = []
}

variable "workers" {
  description = "Workers to invite, keyed by email, with their teams."
  type = map(object({
    teams = list(string)
  }))
  default = {}
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = { project = "groundtruth-operator" }
}
