"""The operator's run-time settings, as given on the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from groundtruth_operator.defaults import DEFAULT_CONFIGMAP, Defaults

GROUP = "labeling.groundtruth.dev"
VERSION = "v1alpha1"
PLURAL = "labelingjobs"


@dataclass(frozen=True)
class OperatorConfig:
    region: str | None = None
    endpoint_url: str | None = None
    poll_interval: float = 30.0
    defaults_configmap: str = DEFAULT_CONFIGMAP
    # Namespace of the defaults ConfigMap; None accepts it from any watched namespace.
    defaults_namespace: str | None = field(default_factory=lambda: os.environ.get("POD_NAMESPACE"))
    aws_workers: int = 10

    @property
    def fast_interval(self) -> float:
        """Poll interval while a job is Initializing or Stopping (it changes within seconds)."""
        return max(1.0, min(5.0, self.poll_interval / 6))

    @property
    def cli_defaults(self) -> Defaults:
        region = self.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        return Defaults(region=region)
