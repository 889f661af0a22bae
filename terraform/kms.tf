resource "aws_kms_key" "this" {
  count = var.kms.create ? 1 : 0

  description             = "${var.name}: Ground Truth inputs, outputs and worker notifications"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms.deletion_window_in_days
  policy                  = local.kms_key_policy
  tags                    = var.tags
}

locals {
  # The account root delegates to IAM (the execution and operator role policies grant their
  # own use); SageMaker itself needs the key to publish to the encrypted notification topic.
  kms_key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersThroughIam"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "SageMakerPublishesEncryptedNotifications"
        Effect    = "Allow"
        Principal = { Service = "sagemaker.amazonaws.com" }
        Action    = ["kms:GenerateDataKey*", "kms:Decrypt"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
}
