output "labeling_job_defaults" {
  description = "The operator's defaults ConfigMap data."
  value       = module.groundtruth.labeling_job_defaults
}

output "helm_values" {
  description = "Values for `helm install -f`."
  value       = module.groundtruth.helm_values
}

output "input_bucket_name" {
  description = "Bucket for manifests and images."
  value       = module.groundtruth.input_bucket_name
}

output "input_prefix" {
  description = "Prefix the execution role may read."
  value       = module.groundtruth.input_prefix
}

output "ui_template_s3_uri" {
  description = "Default worker UI template."
  value       = module.groundtruth.ui_template_s3_uri
}

output "label_categories_s3_uri" {
  description = "Label-category file."
  value       = module.groundtruth.label_categories_s3_uri
}

output "pre_human_task_lambda_arn" {
  description = "PRE-ImageMultiClass Lambda ARN for the region."
  value       = module.groundtruth.pre_human_task_lambda_arn
}

output "annotation_consolidation_lambda_arn" {
  description = "ACS-ImageMultiClass Lambda ARN for the region."
  value       = module.groundtruth.annotation_consolidation_lambda_arn
}

output "workforce_name" {
  description = "The private workforce."
  value       = module.groundtruth.workforce_name
}

output "workteam_arns" {
  description = "Work team ARNs."
  value       = module.groundtruth.workteam_arns
}

output "cognito_user_pool_id" {
  description = "The workers' user pool."
  value       = module.groundtruth.cognito_user_pool_id
}

output "operator_role_arn" {
  description = "The operator's IRSA role."
  value       = module.groundtruth.operator_role_arn
}
