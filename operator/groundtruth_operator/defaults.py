"""The operator's defaults ConfigMap: values a LabelingJob may leave out.

Key names are part of the interface: the Terraform module's `labeling_job_defaults` output
and the Helm chart's ConfigMap write exactly these. A resource's own spec always wins.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields

logger = logging.getLogger(__name__)

DEFAULT_CONFIGMAP = "groundtruth-operator-defaults"
DEFAULT_ARTIFACTS_PREFIX = "groundtruth-operator"

# ConfigMap key -> Defaults attribute.
KEYS: dict[str, str] = {
    "region": "region",
    "roleArn": "role_arn",
    "workteamArn": "workteam_arn",
    "outputPath": "output_path",
    "artifactsBucket": "artifacts_bucket",
    "artifactsPrefix": "artifacts_prefix",
    "kmsKeyId": "kms_key_id",
}


@dataclass(frozen=True)
class Defaults:
    region: str | None = None
    role_arn: str | None = None
    workteam_arn: str | None = None
    output_path: str | None = None
    artifacts_bucket: str | None = None
    artifacts_prefix: str | None = None
    kms_key_id: str | None = None

    @classmethod
    def from_configmap(cls, data: Mapping[str, str] | None) -> Defaults:
        data = data or {}
        unknown = sorted(set(data) - set(KEYS))
        if unknown:
            # Likely a typo (outputpath, roleARN): say so rather than ignore it silently.
            logger.warning(
                "defaults ConfigMap has unknown keys",
                extra={"unknown": unknown, "known": sorted(KEYS)},
            )
        values = {KEYS[key]: value.strip() for key, value in data.items() if key in KEYS}
        return cls(**{key: value for key, value in values.items() if value})

    def merged_over(self, fallback: Defaults) -> Defaults:
        """These values, with `fallback` filling the gaps (ConfigMap over CLI flags)."""
        return Defaults(
            **{f.name: getattr(self, f.name) or getattr(fallback, f.name) for f in fields(Defaults)}
        )
