terraform {
  # 1.9: validation blocks that refer to other variables (mock_provider tests need 1.7).
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The 5.x line (CI mirrors 5.100.0 offline) and the current 6.x line.
      version = ">= 5.80, < 7.0"
    }
  }
}
