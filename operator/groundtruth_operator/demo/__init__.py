"""`groundtruth demo`: the whole story, from `terraform apply` to labeled data, on one machine."""

from groundtruth_operator.demo.cli import demo

__all__ = ["demo"]
