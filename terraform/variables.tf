variable "name" {
  description = "Prefix for every name this module creates (buckets, roles, workteams, Cognito pool). Lowercase letters, digits and single hyphens, 3-24 characters."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9](-?[a-z0-9]){2,23}$", var.name))
    error_message = "name must be 3-24 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit (it prefixes bucket names)."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "input_bucket" {
  description = "The bucket holding input manifests and images. create = false uses the existing bucket `name` and leaves its settings alone (add the Ground Truth CORS rule yourself). `prefix` is the key prefix the execution role may read. `cors_allowed_origins` feeds the CORS rule Ground Truth needs so the worker UI can load images."
  type = object({
    create               = optional(bool, true)
    name                 = optional(string)
    prefix               = optional(string, "input")
    cors_allowed_origins = optional(list(string), ["*"])
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.input_bucket.create || var.input_bucket.name != null
    error_message = "input_bucket.name is required when input_bucket.create is false (the existing bucket to use)."
  }
  validation {
    condition     = var.input_bucket.name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.input_bucket.name, "x")))
    error_message = "input_bucket.name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens."
  }
  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$", var.input_bucket.prefix))
    error_message = "input_bucket.prefix must be a non-empty S3 key prefix without leading or trailing '/' (for example \"input\" or \"datasets/images\")."
  }
  validation {
    condition     = length(var.input_bucket.cors_allowed_origins) > 0
    error_message = "input_bucket.cors_allowed_origins must list at least one origin: without the CORS rule workers see no images."
  }
}

variable "output_bucket" {
  description = "The bucket Ground Truth writes labels to and the operator uploads artifacts to. create = false uses the existing bucket `name` unchanged. `prefix` is the S3 output path's key prefix. `expiration_days` (optional) expires objects under that prefix."
  type = object({
    create          = optional(bool, true)
    name            = optional(string)
    prefix          = optional(string, "output")
    expiration_days = optional(number)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.output_bucket.create || var.output_bucket.name != null
    error_message = "output_bucket.name is required when output_bucket.create is false (the existing bucket to use)."
  }
  validation {
    condition     = var.output_bucket.name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.output_bucket.name, "x")))
    error_message = "output_bucket.name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens."
  }
  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$", var.output_bucket.prefix))
    error_message = "output_bucket.prefix must be a non-empty S3 key prefix without leading or trailing '/' (for example \"output\")."
  }
  validation {
    condition     = var.output_bucket.expiration_days == null || try(var.output_bucket.expiration_days >= 1 && floor(var.output_bucket.expiration_days) == var.output_bucket.expiration_days, false)
    error_message = "output_bucket.expiration_days must be a whole number of days >= 1, or null to keep outputs forever."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which overwritten or deleted object versions expire in the buckets created here."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days >= 1."
  }
}

variable "deny_insecure_transport" {
  description = "Attach a bucket policy to the buckets created here that denies every request not made over TLS. Only a local, plain-HTTP endpoint needs false."
  type        = bool
  default     = true
  nullable    = false
}

variable "artifacts_prefix" {
  description = "Key prefix in the output bucket for worker UI templates and label-category files (this module's and the ones the operator uploads). The execution role may read it; the operator role may write it."
  type        = string
  default     = "groundtruth-operator"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$", var.artifacts_prefix))
    error_message = "artifacts_prefix must be a non-empty S3 key prefix without leading or trailing '/'."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the created buckets even when they hold objects (and all versions). Keep false for real data."
  type        = bool
  default     = false
  nullable    = false
}

variable "kms" {
  description = "Encryption. By default buckets use SSE-S3. `create = true` creates a customer managed key (rotated yearly); `key_arn` uses an existing key. Either way buckets use SSE-KMS with it, the execution role may use it, and it is the operator's default `kmsKeyId` for outputs."
  type = object({
    create                  = optional(bool, false)
    key_arn                 = optional(string)
    deletion_window_in_days = optional(number, 30)
  })
  default  = {}
  nullable = false

  validation {
    condition     = !(var.kms.create && var.kms.key_arn != null)
    error_message = "kms: set either create = true or key_arn, not both."
  }
  validation {
    condition     = var.kms.key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", coalesce(var.kms.key_arn, "x")))
    error_message = "kms.key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases are not accepted because IAM policies need the key ARN."
  }
  validation {
    condition     = var.kms.deletion_window_in_days >= 7 && var.kms.deletion_window_in_days <= 30
    error_message = "kms.deletion_window_in_days must be between 7 and 30."
  }
}

variable "execution_role" {
  description = "The IAM role Ground Truth assumes to read inputs and write outputs. `name` defaults to \"<name>-groundtruth-execution\"; `permissions_boundary` is an optional policy ARN."
  type = object({
    name                 = optional(string)
    permissions_boundary = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.execution_role.name == null || can(regex("^[\\w+=,.@-]{1,64}$", coalesce(var.execution_role.name, "x")))
    error_message = "execution_role.name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "create_workforce" {
  description = "Create the private workforce. An account has one private workforce per region: set false to reuse the existing one (`workforce.name`, default \"default\"), whose Cognito pool and app client you then pass in `workforce.cognito`."
  type        = bool
  default     = true
  nullable    = false
}

variable "workforce" {
  description = "The private workforce. type \"cognito\": the user pool, app client and domain are created here unless `cognito.user_pool_id` and `cognito.client_id` name existing ones. type \"oidc\": your identity provider's endpoints (its client secret goes in `oidc_client_secret`). `source_ip_cidrs` restricts where workers may sign in from (empty: anywhere)."
  type = object({
    name = optional(string, "default")
    type = optional(string, "cognito")
    cognito = optional(object({
      user_pool_id  = optional(string)
      client_id     = optional(string)
      domain_prefix = optional(string)
    }), {})
    oidc = optional(object({
      issuer                 = string
      authorization_endpoint = string
      token_endpoint         = string
      user_info_endpoint     = string
      logout_endpoint        = string
      jwks_uri               = string
      client_id              = string
      scope                  = optional(string)
    }))
    source_ip_cidrs = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["cognito", "oidc"], var.workforce.type)
    error_message = "workforce.type must be \"cognito\" or \"oidc\"."
  }
  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.workforce.name))
    error_message = "workforce.name must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$ (letters, digits, hyphens; at most 63)."
  }
  validation {
    condition     = var.workforce.type != "oidc" || var.workforce.oidc != null
    error_message = "workforce.oidc is required when workforce.type is \"oidc\"."
  }
  validation {
    condition     = (var.workforce.cognito.user_pool_id == null) == (var.workforce.cognito.client_id == null)
    error_message = "workforce.cognito.user_pool_id and workforce.cognito.client_id go together: set both to use an existing pool, or neither to create one."
  }
  validation {
    condition     = var.create_workforce || var.workforce.type != "cognito" || var.workforce.cognito.user_pool_id != null
    error_message = "create_workforce = false reuses a workforce that already has a Cognito user pool: pass it in workforce.cognito.user_pool_id and client_id so the work teams use the same pool."
  }
  validation {
    condition     = !var.create_workforce || var.workforce.type != "oidc" || var.oidc_client_secret != null
    error_message = "oidc_client_secret is required to create an OIDC workforce."
  }
  validation {
    condition     = alltrue([for c in var.workforce.source_ip_cidrs : can(cidrnetmask(c))])
    error_message = "workforce.source_ip_cidrs must be IPv4 CIDR blocks such as 203.0.113.0/24."
  }
  validation {
    condition     = length(var.workforce.source_ip_cidrs) <= 10
    error_message = "workforce.source_ip_cidrs accepts at most 10 CIDR blocks."
  }
  validation {
    condition     = var.workforce.oidc == null || alltrue([for k, v in coalesce(var.workforce.oidc, { x = "https://x" }) : k == "client_id" || k == "scope" || can(regex("^https://", coalesce(v, "https://")))])
    error_message = "workforce.oidc endpoints and issuer must be https:// URLs."
  }
}

variable "oidc_client_secret" {
  description = "The OIDC app client secret, for workforce.type = \"oidc\" when create_workforce is true."
  type        = string
  default     = null
  sensitive   = true
}

variable "work_teams" {
  description = "Work teams keyed by a short name (the team is \"<name>-<key>\"). With Cognito each is bound to a user group: `cognito_group` names an existing group, otherwise the group \"<name>-<key>\" is created. With OIDC, `oidc_groups` lists the identity provider groups."
  type = map(object({
    description   = optional(string, "Image classification workers")
    cognito_group = optional(string)
    oidc_groups   = optional(list(string), [])
  }))
  default  = { labelers = {} }
  nullable = false

  validation {
    condition     = length(var.work_teams) >= 1 && length(var.work_teams) <= 25
    error_message = "work_teams must hold between 1 and 25 teams (the Ground Truth limit per account and region)."
  }
  validation {
    condition     = alltrue([for k in keys(var.work_teams) : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,30}$", k))])
    error_message = "work_teams keys must be 1-31 letters, digits and hyphens, starting and ending with a letter or digit."
  }
  validation {
    condition     = var.workforce.type != "oidc" || alltrue([for t in values(var.work_teams) : length(t.oidc_groups) >= 1])
    error_message = "With an OIDC workforce every entry of work_teams needs at least one group in oidc_groups."
  }
  validation {
    condition     = alltrue([for t in values(var.work_teams) : length(t.description) >= 1 && length(t.description) <= 200])
    error_message = "Each work_teams description must be 1-200 characters."
  }
}

variable "default_work_team" {
  description = "The work team whose ARN becomes the operator's default `workteamArn`. Defaults to the first key of work_teams in sorted order."
  type        = string
  default     = null

  validation {
    condition     = var.default_work_team == null || contains(keys(var.work_teams), coalesce(var.default_work_team, "-"))
    error_message = "default_work_team must be one of the keys of work_teams."
  }
}

variable "create_notification_topic" {
  description = "Create an SNS topic that every work team uses to notify workers of new tasks."
  type        = bool
  default     = true
  nullable    = false
}

variable "workers" {
  description = "Cognito users to create, keyed by email address, each added to the groups of the listed work teams. Cognito emails them a temporary password. Only with workforce.type = \"cognito\"."
  type = map(object({
    teams = list(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for e in keys(var.workers) : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "workers keys must be email addresses (name@example.com)."
  }
  validation {
    condition     = alltrue(flatten([for w in values(var.workers) : [for t in w.teams : contains(keys(var.work_teams), t)]]))
    error_message = "Every team listed in workers must be a key of work_teams."
  }
  validation {
    condition     = length(var.workers) == 0 || var.workforce.type == "cognito"
    error_message = "workers can only be created with workforce.type = \"cognito\"; OIDC users live in your identity provider."
  }
}

variable "labels" {
  description = "Label categories for the default label-category file (document-version 2018-11-28). Empty: no file is written (the operator writes one per job from LabelingJob.spec.labels)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.labels) == 0 || length(var.labels) >= 2
    error_message = "labels must hold at least 2 categories (or none): single-label classification chooses one of several."
  }
  validation {
    condition     = length(distinct(var.labels)) == length(var.labels)
    error_message = "labels must be unique; a duplicate category makes workers' answers ambiguous."
  }
  validation {
    condition     = alltrue([for l in var.labels : length(trimspace(l)) > 0 && trimspace(l) == l && length(l) <= 256])
    error_message = "Each of labels must be 1-256 characters with no leading or trailing whitespace."
  }
}

variable "worker_template" {
  description = "Texts for the default image-classification worker UI template (the AWS sample). `header` is the question shown above the image; the instructions are HTML."
  type = object({
    header             = optional(string, "Please classify the image")
    short_instructions = optional(string, "<p>Choose the one label that best describes the image.</p>")
    full_instructions  = optional(string, "<ol><li><strong>Read</strong> the task carefully and inspect the image.</li><li><strong>Read</strong> the options and review the examples provided to understand more about the labels.</li><li><strong>Choose</strong> the appropriate label that best suits the image.</li></ol>")
  })
  default  = {}
  nullable = false

  validation {
    condition     = length(var.worker_template.header) >= 1 && length(var.worker_template.header) <= 256
    error_message = "worker_template.header must be 1-256 characters."
  }
  validation {
    condition     = !strcontains(var.worker_template.short_instructions, "</short-instructions>") && !strcontains(var.worker_template.full_instructions, "</full-instructions>") && !strcontains(var.worker_template.full_instructions, "{{") && !strcontains(var.worker_template.short_instructions, "{{")
    error_message = "worker_template instructions must not close their own element or contain Liquid '{{' markup."
  }
}

variable "operator_role" {
  description = "The operator's IAM role for IRSA. `create = true` needs the cluster's IAM OIDC provider ARN; the role trusts exactly system:serviceaccount:<namespace>:<service_account> with audience sts.amazonaws.com."
  type = object({
    create            = optional(bool, false)
    name              = optional(string)
    oidc_provider_arn = optional(string)
    namespace         = optional(string, "groundtruth-system")
    service_account   = optional(string, "groundtruth-operator")
  })
  default  = {}
  nullable = false

  validation {
    condition     = !var.operator_role.create || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/[^/].*$", coalesce(var.operator_role.oidc_provider_arn, "-")))
    error_message = "operator_role.oidc_provider_arn must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer host/path>) when operator_role.create is true."
  }
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.operator_role.namespace)) && can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.operator_role.service_account))
    error_message = "operator_role.namespace must be a Kubernetes namespace name (DNS label) and service_account a DNS subdomain name."
  }
  validation {
    condition     = var.operator_role.name == null || can(regex("^[\\w+=,.@-]{1,64}$", coalesce(var.operator_role.name, "x")))
    error_message = "operator_role.name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}
