locals {
  # header sits inside an HTML attribute: escape what would end or corrupt it.
  template_header = replace(replace(replace(replace(var.worker_template.header,
  "&", "&amp;"), "\"", "&quot;"), "<", "&lt;"), ">", "&gt;")

  ui_template = templatefile("${path.module}/templates/image-classification.liquid.html.tftpl", {
    header             = local.template_header
    short_instructions = var.worker_template.short_instructions
    full_instructions  = var.worker_template.full_instructions
  })
  ui_template_key = "${var.artifacts_prefix}/templates/image-classification.liquid.html"

  label_categories = jsonencode({
    "document-version" = "2018-11-28"
    labels             = [for l in var.labels : { label = l }]
  })
  label_categories_key = "${var.artifacts_prefix}/label-categories.json"
}

# Object tags are left off on purpose: S3 allows at most 10 per object, fewer than var.tags may
# carry, and the bucket's tags already attribute the cost.
resource "aws_s3_object" "ui_template" {
  bucket       = local.output_bucket_name
  key          = local.ui_template_key
  content      = local.ui_template
  content_type = "text/html"

  # The bucket's encryption and public access block must be in place before the first object.
  depends_on = [aws_s3_bucket_server_side_encryption_configuration.this, aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_object" "label_categories" {
  count = length(var.labels) > 0 ? 1 : 0

  bucket       = local.output_bucket_name
  key          = local.label_categories_key
  content      = local.label_categories
  content_type = "application/json"

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.this, aws_s3_bucket_public_access_block.this]
}
