variable "endpoint" {
  description = "URL of the local Ground Truth (`groundtruth local up` prints it)."
  type        = string
  default     = "http://127.0.0.1:4566"

  validation {
    condition     = can(regex("^https?://[^/]+$", var.endpoint))
    error_message = "endpoint must be a URL such as http://127.0.0.1:4566 (no path)."
  }
}

variable "region" {
  description = "Region the local Ground Truth serves (its --region)."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix passed to the module."
  type        = string
  default     = "gt-local"
}

variable "labels" {
  description = "Label categories for the label-category file."
  type        = list(string)
  default     = ["cat", "dog", "bird"]
}

variable "worker_emails" {
  description = "Cognito workers to create in the labelers team."
  type        = list(string)
  default     = ["worker1@example.com", "worker2@example.com"]
}

variable "create_kms_key" {
  description = "Encrypt with a customer managed KMS key instead of SSE-S3."
  type        = bool
  default     = true
}
