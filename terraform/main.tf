data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Accounts that own the image-classification (single label) PRE/ACS Lambdas per region;
  # Ground Truth runs this task type nowhere else.
  ground_truth_lambda_accounts = {
    "us-east-1"      = "432418664414"
    "us-east-2"      = "266458841044"
    "us-west-2"      = "081040173940"
    "ca-central-1"   = "918755190332"
    "eu-west-1"      = "568282634449"
    "eu-west-2"      = "487402164563"
    "eu-central-1"   = "203001061592"
    "ap-northeast-1" = "477331159723"
    "ap-northeast-2" = "845288260483"
    "ap-south-1"     = "565803892007"
    "ap-southeast-1" = "377565633583"
    "ap-southeast-2" = "454466003867"
  }
  region_supported = contains(keys(local.ground_truth_lambda_accounts), local.region)
  lambda_account   = lookup(local.ground_truth_lambda_accounts, local.region, null)
  pre_human_task_lambda_arn = local.region_supported ? (
    "arn:${local.partition}:lambda:${local.region}:${local.lambda_account}:function:PRE-ImageMultiClass"
  ) : null
  annotation_consolidation_lambda_arn = local.region_supported ? (
    "arn:${local.partition}:lambda:${local.region}:${local.lambda_account}:function:ACS-ImageMultiClass"
  ) : null

  input_bucket_name  = var.input_bucket.create ? aws_s3_bucket.this["input"].bucket : var.input_bucket.name
  output_bucket_name = var.output_bucket.create ? aws_s3_bucket.this["output"].bucket : var.output_bucket.name
  input_bucket_arn   = "arn:${local.partition}:s3:::${local.input_bucket_name}"
  output_bucket_arn  = "arn:${local.partition}:s3:::${local.output_bucket_name}"
  s3_output_path     = "s3://${local.output_bucket_name}/${var.output_bucket.prefix}"

  kms_key_arn = var.kms.create ? aws_kms_key.this[0].arn : var.kms.key_arn
  use_kms     = var.kms.create || var.kms.key_arn != null

  workteam_arns     = { for k, t in aws_sagemaker_workteam.this : k => t.arn }
  default_work_team = coalesce(var.default_work_team, sort(keys(var.work_teams))[0])

  # The keys of the operator's defaults ConfigMap (docs/operator.md); ConfigMap values are
  # strings, so unset ones are left out rather than written as empty.
  labeling_job_defaults = { for k, v in {
    region          = local.region
    roleArn         = aws_iam_role.execution.arn
    workteamArn     = local.workteam_arns[local.default_work_team]
    outputPath      = local.s3_output_path
    artifactsBucket = local.output_bucket_name
    artifactsPrefix = var.artifacts_prefix
    kmsKeyId        = local.kms_key_arn
  } : k => v if v != null }
}
