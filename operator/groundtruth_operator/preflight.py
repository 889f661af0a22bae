"""Checks of the things users trip on, made before CreateLabelingJob.

Ground Truth reports a missing manifest or a wrong workteam only after the job failed, and
a bucket without CORS only as images that never load in the worker portal. These checks read
and never write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from groundtruth_operator.aws import GroundTruth
from groundtruth_operator.errors import PreflightError
from groundtruth_operator.s3uri import S3Uri

MANIFEST_LINES_CHECKED = 5
MAX_LINE = 100_000


@dataclass
class PreflightReport:
    warnings: list[str] = field(default_factory=list)
    cors_ok: bool | None = None


def check_manifest(client: GroundTruth, uri: str) -> None:
    lines = client.read_lines(uri, limit=MANIFEST_LINES_CHECKED)
    where = "spec.inputConfig.dataSource.s3DataSource.manifestS3Uri"
    if lines is None:
        raise PreflightError(f"{where}: the input manifest {uri} does not exist")
    seen = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        seen += 1
        if len(raw) > MAX_LINE:
            raise PreflightError(
                f"{where}: line {number} of {uri} is longer than {MAX_LINE} characters"
            )
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            raise PreflightError(
                f"{where}: line {number} of {uri} is not JSON (the manifest is JSON Lines)"
            ) from None
        if not isinstance(record, dict) or not isinstance(record.get("source-ref"), str):
            raise PreflightError(
                f'{where}: line {number} of {uri} has no "source-ref" (an s3:// URI of the image)'
            )
    if seen == 0:
        raise PreflightError(f"{where}: the input manifest {uri} is empty")


def cors_allows_ground_truth(rules: list[dict[str, Any]]) -> bool:
    """Ground Truth's portal fetches images with GET from any origin."""
    for rule in rules:
        methods = {method.upper() for method in rule.get("AllowedMethods", [])}
        origins = rule.get("AllowedOrigins", [])
        if "GET" in methods and "*" in origins:
            return True
    return False


def check_cors(client: GroundTruth, manifest_uri: str) -> str | None:
    """A warning when the input bucket's CORS keeps workers from seeing images."""
    bucket = S3Uri.parse(manifest_uri).bucket
    rules = client.bucket_cors(bucket)
    if rules is None:
        return None  # the manifest check already reported a missing bucket
    if cors_allows_ground_truth(rules):
        return None
    return (
        f"bucket {bucket} has no CORS rule allowing GET from origin * ; workers will not see "
        "the images (add AllowedMethods [GET], AllowedOrigins [*], as the Terraform module does)"
    )


def check_workteam(client: GroundTruth, arn: str) -> None:
    if client.describe_workteam(arn) is None:
        raise PreflightError(
            f"spec.humanTaskConfig.workteamArn: the workteam {arn} does not exist in "
            f"{client.region}"
        )


def run(
    client: GroundTruth, request: dict[str, Any], *, uploaded_labels: bool = False
) -> PreflightReport:
    report = PreflightReport()
    check_workteam(client, request["HumanTaskConfig"]["WorkteamArn"])
    s3_source = request["InputConfig"]["DataSource"].get("S3DataSource")
    if s3_source:
        manifest = s3_source["ManifestS3Uri"]
        if manifest.startswith("s3://"):
            check_manifest(client, manifest)
            warning = check_cors(client, manifest)
            report.cors_ok = warning is None
            if warning:
                report.warnings.append(warning)
    label_file = request.get("LabelCategoryConfigS3Uri")
    if label_file and label_file.startswith("s3://") and not uploaded_labels:
        check_label_file(client, label_file)
    return report


def check_label_file(client: GroundTruth, uri: str) -> None:
    where = "spec.labelCategoryConfigS3Uri"
    lines = client.read_lines(uri)
    if lines is None:
        raise PreflightError(f"{where}: the label category file {uri} does not exist")
    try:
        document = json.loads(b"\n".join(lines))
    except json.JSONDecodeError:
        raise PreflightError(f"{where}: {uri} is not JSON") from None
    if not isinstance(document, dict) or "document-version" not in document:
        raise PreflightError(f'{where}: {uri} has no "document-version" (use "2018-11-28")')
    labels = [item.get("label") for item in document.get("labels", []) if isinstance(item, dict)]
    if len(set(labels)) != len(labels):
        raise PreflightError(f"{where}: {uri} repeats a label")
    if len(set(labels)) < 2:
        raise PreflightError(f"{where}: {uri} needs at least 2 unique labels")
