locals {
  cognito          = var.workforce.type == "cognito"
  create_user_pool = local.cognito && var.workforce.cognito.user_pool_id == null

  user_pool_id     = local.create_user_pool ? aws_cognito_user_pool.workers[0].id : var.workforce.cognito.user_pool_id
  user_pool_client = local.create_user_pool ? aws_cognito_user_pool_client.workers[0].id : var.workforce.cognito.client_id
  workforce_name   = var.create_workforce ? aws_sagemaker_workforce.this[0].id : var.workforce.name
  cognito_domain   = coalesce(var.workforce.cognito.domain_prefix, "${var.name}-${local.account_id}")

  # Cognito group per team: an existing one if named, else one created here.
  created_groups = local.cognito ? { for k, t in var.work_teams : k => "${var.name}-${k}" if t.cognito_group == null } : {}
  team_groups = local.cognito ? { for k, t in var.work_teams : k => (
    t.cognito_group != null ? t.cognito_group : aws_cognito_user_group.team[k].name
  ) } : {}

  worker_memberships = { for pair in flatten([
    for email, w in var.workers : [for team in distinct(w.teams) : { email = email, team = team }]
  ]) : "${pair.email}/${pair.team}" => pair }
}

resource "aws_cognito_user_pool" "workers" {
  count = local.create_user_pool ? 1 : 0

  name                     = "${var.name}-workers"
  auto_verified_attributes = ["email"]
  deletion_protection      = "INACTIVE"

  # Workers are invited by an administrator; nobody signs themselves up to label data.
  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 7
  }

  tags = var.tags
}

resource "aws_cognito_user_pool_client" "workers" {
  count = local.create_user_pool ? 1 : 0

  name            = "${var.name}-labeling-portal"
  user_pool_id    = aws_cognito_user_pool.workers[0].id
  generate_secret = true

  # CreateWorkforce configures the OAuth settings of this client for the labeling portal;
  # those are SageMaker's to manage, not drift to undo.
  lifecycle {
    ignore_changes = [
      allowed_oauth_flows, allowed_oauth_flows_user_pool_client, allowed_oauth_scopes,
      callback_urls, logout_urls, supported_identity_providers, explicit_auth_flows,
    ]
  }
}

resource "aws_cognito_user_pool_domain" "workers" {
  count = local.create_user_pool ? 1 : 0

  domain       = local.cognito_domain
  user_pool_id = aws_cognito_user_pool.workers[0].id

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z0-9](-?[a-z0-9])*$", local.cognito_domain)) && length(local.cognito_domain) <= 63 && !can(regex("aws|amazon|cognito", local.cognito_domain))
      error_message = "The Cognito domain prefix \"${local.cognito_domain}\" must be lowercase letters, digits and hyphens, at most 63 characters, and must not contain aws, amazon or cognito: set workforce.cognito.domain_prefix."
    }
  }
}

resource "aws_cognito_user_group" "team" {
  for_each = local.created_groups

  name         = each.value
  user_pool_id = local.user_pool_id
  description  = "Workers of the ${each.key} work team"
}

resource "aws_sagemaker_workforce" "this" {
  count = var.create_workforce ? 1 : 0

  workforce_name = var.workforce.name

  dynamic "cognito_config" {
    for_each = local.cognito ? [1] : []
    content {
      user_pool = local.user_pool_id
      client_id = local.user_pool_client
    }
  }

  dynamic "oidc_config" {
    for_each = local.cognito ? [] : [var.workforce.oidc]
    content {
      issuer                 = oidc_config.value.issuer
      authorization_endpoint = oidc_config.value.authorization_endpoint
      token_endpoint         = oidc_config.value.token_endpoint
      user_info_endpoint     = oidc_config.value.user_info_endpoint
      logout_endpoint        = oidc_config.value.logout_endpoint
      jwks_uri               = oidc_config.value.jwks_uri
      client_id              = oidc_config.value.client_id
      client_secret          = var.oidc_client_secret
      scope                  = oidc_config.value.scope
    }
  }

  dynamic "source_ip_config" {
    for_each = length(var.workforce.source_ip_cidrs) > 0 ? [var.workforce.source_ip_cidrs] : []
    content {
      cidrs = source_ip_config.value
    }
  }

  # The Cognito domain must exist before SageMaker builds the sign-in flow on it.
  depends_on = [aws_cognito_user_pool_domain.workers]
}

resource "aws_sns_topic" "notifications" {
  count = var.create_notification_topic ? 1 : 0
  #checkov:skip=CKV_AWS_26:Encrypted with the module's customer managed key when one is set; the AWS managed alias/aws/sns key cannot grant SageMaker, which would silently stop notifications.

  name              = "${var.name}-worker-notifications"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_policy" "notifications" {
  count = var.create_notification_topic ? 1 : 0

  arn = aws_sns_topic.notifications[0].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SageMakerNotifiesWorkers"
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.notifications[0].arn
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_sagemaker_workteam" "this" {
  for_each = var.work_teams

  workteam_name  = "${var.name}-${each.key}"
  workforce_name = local.workforce_name
  description    = each.value.description

  member_definition {
    dynamic "cognito_member_definition" {
      for_each = local.cognito ? [1] : []
      content {
        user_pool  = local.user_pool_id
        client_id  = local.user_pool_client
        user_group = local.team_groups[each.key]
      }
    }
    dynamic "oidc_member_definition" {
      for_each = local.cognito ? [] : [1]
      content {
        groups = each.value.oidc_groups
      }
    }
  }

  dynamic "notification_configuration" {
    for_each = var.create_notification_topic ? [1] : []
    content {
      notification_topic_arn = aws_sns_topic.notifications[0].arn
    }
  }

  tags = var.tags

  depends_on = [aws_sns_topic_policy.notifications]
}

resource "aws_cognito_user" "worker" {
  for_each = local.cognito ? var.workers : {}

  user_pool_id             = local.user_pool_id
  username                 = each.key
  desired_delivery_mediums = ["EMAIL"]
  attributes = {
    email          = each.key
    email_verified = "true"
  }
}

resource "aws_cognito_user_in_group" "worker" {
  for_each = local.worker_memberships

  user_pool_id = local.user_pool_id
  username     = aws_cognito_user.worker[each.value.email].username
  group_name   = local.team_groups[each.value.team]
}
