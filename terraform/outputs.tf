output "labeling_job_defaults" {
  description = "The operator's defaults ConfigMap data (keys as in docs/operator.md): region, roleArn, workteamArn, outputPath, artifactsBucket, artifactsPrefix and, with KMS, kmsKeyId."
  value       = local.labeling_job_defaults
}

output "helm_values" {
  description = "YAML for `helm install -f`: {defaults: <labeling_job_defaults>, serviceAccount: {annotations: {eks.amazonaws.com/role-arn: <operator role ARN>}}} (annotations empty without an operator role)."
  value = yamlencode({
    defaults = local.labeling_job_defaults
    serviceAccount = {
      annotations = var.operator_role.create ? { "eks.amazonaws.com/role-arn" = aws_iam_role.operator[0].arn } : {}
    }
  })
}

output "region" {
  description = "The region everything was created in."
  value       = local.region
}

output "input_bucket_name" {
  description = "Name of the input bucket (manifests and images)."
  value       = local.input_bucket_name
}

output "input_bucket_arn" {
  description = "ARN of the input bucket."
  value       = local.input_bucket_arn
}

output "input_prefix" {
  description = "Key prefix under which the execution role may read inputs."
  value       = var.input_bucket.prefix
}

output "output_bucket_name" {
  description = "Name of the output bucket (labels and artifacts)."
  value       = local.output_bucket_name
}

output "output_bucket_arn" {
  description = "ARN of the output bucket."
  value       = local.output_bucket_arn
}

output "s3_output_path" {
  description = "The S3OutputPath for labeling jobs (s3://bucket/prefix)."
  value       = local.s3_output_path
}

output "kms_key_arn" {
  description = "The KMS key encrypting buckets and outputs, or null for SSE-S3."
  value       = local.kms_key_arn
}

output "execution_role_arn" {
  description = "ARN of the Ground Truth execution role (CreateLabelingJob RoleArn)."
  value       = aws_iam_role.execution.arn
}

output "execution_role_name" {
  description = "Name of the Ground Truth execution role."
  value       = aws_iam_role.execution.name
}

output "operator_role_arn" {
  description = "ARN of the operator's IRSA role, or null when not created."
  value       = try(aws_iam_role.operator[0].arn, null)
}

output "operator_role_name" {
  description = "Name of the operator's IRSA role, or null when not created."
  value       = try(aws_iam_role.operator[0].name, null)
}

output "workforce_name" {
  description = "Name of the private workforce the teams belong to."
  value       = local.workforce_name
}

output "workforce_arn" {
  description = "ARN of the private workforce created here, or null when reusing one."
  value       = try(aws_sagemaker_workforce.this[0].arn, null)
}

output "workforce_subdomain" {
  description = "The labeling portal's subdomain (workers sign in there), or null when reusing a workforce."
  value       = try(aws_sagemaker_workforce.this[0].subdomain, null)
}

output "workteam_arns" {
  description = "Work team ARNs keyed by the work_teams keys."
  value       = local.workteam_arns
}

output "workteam_names" {
  description = "Work team names keyed by the work_teams keys."
  value       = { for k, t in aws_sagemaker_workteam.this : k => t.workteam_name }
}

output "default_workteam_arn" {
  description = "The work team ARN the operator uses by default."
  value       = local.workteam_arns[local.default_work_team]
}

output "cognito_user_pool_id" {
  description = "The workers' Cognito user pool, or null with OIDC."
  value       = local.cognito ? local.user_pool_id : null
}

output "cognito_client_id" {
  description = "The labeling portal's Cognito app client, or null with OIDC."
  value       = local.cognito ? local.user_pool_client : null
}

output "cognito_domain" {
  description = "The Cognito domain prefix created here, or null."
  value       = try(aws_cognito_user_pool_domain.workers[0].domain, null)
}

output "cognito_group_names" {
  description = "Cognito group per work team, keyed by the work_teams keys (empty with OIDC)."
  value       = local.team_groups
}

output "notification_topic_arn" {
  description = "SNS topic the work teams notify workers through, or null."
  value       = try(aws_sns_topic.notifications[0].arn, null)
}

output "ui_template_s3_uri" {
  description = "S3 URI of the default image-classification worker UI template (UiConfig.UiTemplateS3Uri)."
  value       = "s3://${local.output_bucket_name}/${aws_s3_object.ui_template.key}"
}

output "label_categories_s3_uri" {
  description = "S3 URI of the label-category file (LabelCategoryConfigS3Uri), or null without labels."
  value       = try("s3://${local.output_bucket_name}/${aws_s3_object.label_categories[0].key}", null)
}

output "pre_human_task_lambda_arn" {
  description = "The region's PRE-ImageMultiClass Lambda ARN (HumanTaskConfig.PreHumanTaskLambdaArn)."
  value       = local.pre_human_task_lambda_arn
}

output "annotation_consolidation_lambda_arn" {
  description = "The region's ACS-ImageMultiClass Lambda ARN (AnnotationConsolidationLambdaArn)."
  value       = local.annotation_consolidation_lambda_arn
}
