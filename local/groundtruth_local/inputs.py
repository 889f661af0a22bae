"""Read and check a labeling job's inputs from S3: manifest, label categories, UI template.

Every problem a user can make here becomes an `InputError` whose text is the job's
`FailureReason` (after AWS's `ClientError: ` prefix), so it names the file, the line and
the fix. All reads go through boto3 against this server, i.e. through the real HTTP S3.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import BotoCoreError, ClientError

from groundtruth_local.context import LocalContext
from groundtruth_local.store import JobRecord

MAX_LINE_CHARS = 100_000
MAX_ERRORS_SHOWN = 3


class InputError(Exception):
    """A job input that makes the job fail; the message is its FailureReason."""


@dataclass(frozen=True)
class JobInputs:
    manifest_lines: list[str]
    labels: list[str]
    ui_template: str


def split_s3_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc or not parsed.path.lstrip("/"):
        raise InputError(f"{uri} is not an S3 object URI (s3://bucket/key)")
    return parsed.netloc, parsed.path.lstrip("/")


def read_s3_text(context: LocalContext, uri: str, what: str) -> str:
    bucket, key = split_s3_uri(uri)
    try:
        body = context.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "Error")
        raise InputError(f"Cannot read the {what} {uri}: {code}") from error
    except BotoCoreError as error:
        raise InputError(f"Cannot read the {what} {uri}: {error}") from error
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"The {what} {uri} is not UTF-8 text") from error


def parse_manifest(text: str, uri: str) -> list[str]:
    """The manifest's data object lines (blank lines skipped), each a JSON object with a
    string `source-ref`; raises InputError naming the first bad lines."""
    lines: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if len(line) > MAX_LINE_CHARS:
            problems.append(f"line {number} is longer than {MAX_LINE_CHARS} characters")
            continue
        try:
            item: Any = json.loads(line)
        except ValueError:
            problems.append(f"line {number} is not valid JSON")
            continue
        if not isinstance(item, dict):
            problems.append(f"line {number} is not a JSON object")
        elif not isinstance(item.get("source-ref"), str) or not item["source-ref"]:
            problems.append(f"line {number} has no source-ref")
        else:
            lines.append(json.dumps(item, separators=(",", ":")))
    if problems:
        shown = "; ".join(problems[:MAX_ERRORS_SHOWN])
        more = len(problems) - MAX_ERRORS_SHOWN
        suffix = f" (and {more} more)" if more > 0 else ""
        raise InputError(f"Invalid input manifest {uri}: {shown}{suffix}")
    if not lines:
        raise InputError(f"The input manifest {uri} contains no data objects")
    return lines


def parse_label_categories(text: str, uri: str) -> list[str]:
    """The label names of a label-category file; at least two, unique, with a version."""
    try:
        document: Any = json.loads(text)
    except ValueError as error:
        raise InputError(f"The label category file {uri} is not valid JSON") from error
    if not isinstance(document, dict):
        raise InputError(f"The label category file {uri} must be a JSON object")
    if "document-version" not in document:
        raise InputError(
            f"The label category file {uri} has no document-version "
            '(expected "document-version": "2018-11-28")'
        )
    entries = document.get("labels")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("label"), str) and entry["label"]
        for entry in entries
    ):
        raise InputError(f'The label category file {uri} needs "labels": [{{"label": "..."}}, ...]')
    labels = [entry["label"] for entry in entries]
    if len(labels) < 2:
        raise InputError(
            f"The label category file {uri} has {len(labels)} label(s); "
            "image classification needs at least 2"
        )
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise InputError(
            f"The label category file {uri} has duplicate labels: {', '.join(duplicates)}"
        )
    return labels


def load_ui_template(context: LocalContext, job: dict[str, Any]) -> str:
    """The worker task template of a job (by its HumanTaskConfig.UiConfig)."""
    ui_config = job.get("HumanTaskConfig", {}).get("UiConfig", {})
    if ui_config.get("UiTemplateS3Uri"):
        return read_s3_text(context, ui_config["UiTemplateS3Uri"], "worker task template")
    arn = ui_config.get("HumanTaskUiArn")
    if arn:
        resource = context.store.get_resource_by_arn(arn)
        if resource is None or resource.kind != "human-task-ui":
            raise InputError(f"The human task UI {arn} does not exist")
        return str(resource.doc["UiTemplate"]["Content"])
    raise InputError("HumanTaskConfig.UiConfig needs UiTemplateS3Uri or HumanTaskUiArn")


def load_job_inputs(context: LocalContext, job: JobRecord) -> JobInputs:
    request = job.request
    manifest_uri = request["InputConfig"]["DataSource"].get("S3DataSource", {}).get("ManifestS3Uri")
    if not manifest_uri:
        raise InputError("Only S3DataSource.ManifestS3Uri input is supported locally")
    lines = parse_manifest(read_s3_text(context, manifest_uri, "input manifest"), manifest_uri)
    label_uri = request.get("LabelCategoryConfigS3Uri")
    if not label_uri:
        raise InputError("Image classification needs LabelCategoryConfigS3Uri")
    labels = parse_label_categories(
        read_s3_text(context, label_uri, "label category file"), label_uri
    )
    template = load_ui_template(context, request)
    return JobInputs(manifest_lines=lines, labels=labels, ui_template=template)
