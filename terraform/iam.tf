locals {
  input_prefix_arn     = "${local.input_bucket_arn}/${var.input_bucket.prefix}/*"
  output_prefix_arn    = "${local.output_bucket_arn}/${var.output_bucket.prefix}/*"
  artifacts_prefix_arn = "${local.output_bucket_arn}/${var.artifacts_prefix}/*"
  kms_statements = local.use_kms ? [{
    Sid      = "UseTheDataKey"
    Effect   = "Allow"
    Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
    Resource = local.kms_key_arn
  }] : []

  execution_role_name = coalesce(var.execution_role.name, "${var.name}-groundtruth-execution")

  # Ground Truth assumes the role on behalf of this account's labeling jobs only (confused
  # deputy protection).
  execution_trust_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GroundTruthLabelingJobs"
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:labeling-job/*" }
      }
    }]
  })

  execution_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "ReadInputs"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = [local.input_prefix_arn, local.artifacts_prefix_arn]
      },
      {
        Sid      = "ReadAndWriteOutputs"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = local.output_prefix_arn
      },
      {
        Sid      = "ListOnlyTheLabelingPrefixes"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = distinct([local.input_bucket_arn, local.output_bucket_arn])
        Condition = { StringLike = { "s3:prefix" = [
          "${var.input_bucket.prefix}/*", "${var.output_bucket.prefix}/*", "${var.artifacts_prefix}/*",
        ] } }
      },
    ], local.kms_statements)
  })
}

resource "aws_iam_role" "execution" {
  name                 = local.execution_role_name
  description          = "Assumed by SageMaker Ground Truth labeling jobs of ${var.name}"
  assume_role_policy   = local.execution_trust_policy
  permissions_boundary = var.execution_role.permissions_boundary
  tags                 = var.tags

  lifecycle {
    precondition {
      condition     = local.region_supported
      error_message = "Ground Truth image classification is not available in region ${local.region}. Use one of: ${join(", ", sort(keys(local.ground_truth_lambda_accounts)))}."
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "groundtruth-data-access"
  role   = aws_iam_role.execution.id
  policy = local.execution_policy
}

locals {
  oidc_issuer = var.operator_role.create ? element(split("oidc-provider/", var.operator_role.oidc_provider_arn), 1) : null

  # IRSA: only the operator's service account, only for STS (the :aud check stops tokens
  # minted for other audiences).
  operator_trust_policy = var.operator_role.create ? jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OperatorServiceAccount"
      Effect    = "Allow"
      Principal = { Federated = var.operator_role.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc_issuer}:sub" = "system:serviceaccount:${var.operator_role.namespace}:${var.operator_role.service_account}"
          "${local.oidc_issuer}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  }) : null

  operator_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid    = "ManageLabelingJobs"
        Effect = "Allow"
        Action = [
          "sagemaker:CreateLabelingJob", "sagemaker:DescribeLabelingJob", "sagemaker:StopLabelingJob",
          "sagemaker:AddTags",
        ]
        Resource = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:labeling-job/*"
      },
      {
        Sid      = "ListLabelingJobs"
        Effect   = "Allow"
        Action   = "sagemaker:ListLabelingJobs"
        Resource = "*"
      },
      {
        Sid      = "InspectWorkteams"
        Effect   = "Allow"
        Action   = "sagemaker:DescribeWorkteam"
        Resource = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:workteam/*"
      },
      {
        Sid       = "PassOnlyTheExecutionRoleToSageMaker"
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = aws_iam_role.execution.arn
        Condition = { StringEquals = { "iam:PassedToService" = "sagemaker.amazonaws.com" } }
      },
      {
        Sid      = "WriteArtifacts"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject"]
        Resource = local.artifacts_prefix_arn
      },
      {
        Sid      = "ReadManifestsAndOutputs"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = [local.input_prefix_arn, local.output_prefix_arn]
      },
      {
        # Without ListBucket a missing object reads as AccessDenied; with it as NoSuchKey, which
        # the operator reports as "does not exist".
        Sid      = "ListOnlyTheLabelingPrefixes"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = distinct([local.input_bucket_arn, local.output_bucket_arn])
        Condition = { StringLike = { "s3:prefix" = [
          "${var.input_bucket.prefix}/*", "${var.output_bucket.prefix}/*", "${var.artifacts_prefix}/*",
        ] } }
      },
      {
        Sid      = "CheckInputBucketCors"
        Effect   = "Allow"
        Action   = "s3:GetBucketCors"
        Resource = local.input_bucket_arn
      },
    ], local.kms_statements)
  })
}

resource "aws_iam_role" "operator" {
  count = var.operator_role.create ? 1 : 0

  name               = coalesce(var.operator_role.name, "${var.name}-groundtruth-operator")
  description        = "The groundtruth-operator in ${var.operator_role.namespace}/${var.operator_role.service_account} (IRSA)"
  assume_role_policy = local.operator_trust_policy
  tags               = var.tags
}

resource "aws_iam_role_policy" "operator" {
  count = var.operator_role.create ? 1 : 0

  name   = "groundtruth-operator"
  role   = aws_iam_role.operator[0].id
  policy = local.operator_policy
}
