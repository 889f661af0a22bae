locals {
  # Only buckets created here are configured; existing buckets are left as their owner set them.
  created_buckets = merge(
    var.input_bucket.create ? { input = coalesce(var.input_bucket.name, "${var.name}-input-${local.account_id}-${local.region}") } : {},
    var.output_bucket.create ? { output = coalesce(var.output_bucket.name, "${var.name}-output-${local.account_id}-${local.region}") } : {},
  )

  # The rule the Ground Truth console adds and the API does not: without it the worker UI,
  # served from another origin, cannot fetch the images it presigns.
  ground_truth_cors_rule = {
    allowed_headers = []
    allowed_methods = ["GET"]
    allowed_origins = var.input_bucket.cors_allowed_origins
    expose_headers  = ["Access-Control-Allow-Origin"]
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.created_buckets
  #checkov:skip=CKV_AWS_18:Access logging needs a separate log bucket the organisation usually owns already; CloudTrail data events are the alternative.
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles storage for re-creatable labeling data; enable it outside the module if required.
  #checkov:skip=CKV2_AWS_62:Nothing consumes bucket event notifications; the operator polls the labeling API.

  bucket        = each.value
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { "groundtruth:bucket" = each.key })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.created_buckets

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.created_buckets

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.created_buckets

  bucket = aws_s3_bucket.this[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.created_buckets

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.use_kms ? "aws:kms" : "AES256"
      kms_master_key_id = local.use_kms ? local.kms_key_arn : null
    }
    bucket_key_enabled = local.use_kms
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = var.deny_insecure_transport ? local.created_buckets : {}

  bucket = aws_s3_bucket.this[each.key].id
  policy = local.tls_only_policies[each.key]

  # A policy can only be attached once public policies are blocked, or S3 may reject it.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

locals {
  tls_only_policies = { for k, name in local.created_buckets : k => jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:${local.partition}:s3:::${name}", "arn:${local.partition}:s3:::${name}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  }) }
}

resource "aws_s3_bucket_cors_configuration" "input" {
  count = var.input_bucket.create ? 1 : 0

  bucket = aws_s3_bucket.this["input"].id
  cors_rule {
    allowed_headers = local.ground_truth_cors_rule.allowed_headers
    allowed_methods = local.ground_truth_cors_rule.allowed_methods
    allowed_origins = local.ground_truth_cors_rule.allowed_origins
    expose_headers  = local.ground_truth_cors_rule.expose_headers
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = local.created_buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    id     = "abort-incomplete-uploads-and-old-versions"
    status = "Enabled"
    # An explicit empty prefix (not `filter {}`): S3 implementations answer with one, and the
    # provider waits until what it reads back equals what it wrote.
    filter {
      prefix = ""
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  dynamic "rule" {
    for_each = each.key == "output" && var.output_bucket.expiration_days != null ? [var.output_bucket.expiration_days] : []
    content {
      id     = "expire-old-outputs"
      status = "Enabled"
      filter {
        prefix = "${var.output_bucket.prefix}/"
      }
      expiration {
        days = rule.value
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}
