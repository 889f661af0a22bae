"""Ground Truth's output files: their S3 keys, documents and field order.

Pure functions: they build keys and bytes; the task engine decides when to write them. Field
order matters because pipelines diff and hash these files, so every document is built with
keys in the order Ground Truth writes them and serialised without re-sorting.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

TASK_TYPE = "groundtruth/image-classification"
ITERATION = "iteration-1"


def aws_time(epoch: float) -> str:
    """`2020-04-15T20:17:23.433Z`: the millisecond timestamps of worker responses."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def creation_date(epoch: float) -> str:
    """`2020-04-15T20:17:23.433061`: the label metadata's creation-date (UTC, no zone)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def file_stamp(epoch: float) -> str:
    """`2020-04-15_20:17:23`: how Ground Truth names response files."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d_%H:%M:%S")


def dumps(document: Any) -> str:
    """Compact JSON with keys in insertion order, as Ground Truth writes it."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class OutputLayout:
    """Where one job's files go: `<S3OutputPath>/<LabelingJobName>/...`."""

    bucket: str
    prefix: str  # "<path>/<job name>/", never starting with "/"

    @classmethod
    def for_job(cls, s3_output_path: str, job_name: str) -> OutputLayout:
        if not s3_output_path.startswith("s3://"):
            raise ValueError(f"S3OutputPath must be an s3:// URI, got {s3_output_path!r}")
        bucket, _, path = s3_output_path[len("s3://") :].partition("/")
        path = path.strip("/")
        prefix = f"{path}/{job_name}/" if path else f"{job_name}/"
        return cls(bucket, prefix)

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def worker_response(self, object_id: int, epoch: float) -> str:
        return (
            f"{self.prefix}annotations/worker-response/{ITERATION}/{object_id}/"
            f"{file_stamp(epoch)}.json"
        )

    def consolidation_request(self, epoch: float) -> str:
        return (
            f"{self.prefix}annotations/consolidated-annotation/consolidation-request/"
            f"{ITERATION}/{file_stamp(epoch)}.json"
        )

    def consolidation_response(self, epoch: float) -> str:
        return (
            f"{self.prefix}annotations/consolidated-annotation/consolidation-response/"
            f"{ITERATION}/{file_stamp(epoch)}.json"
        )

    @property
    def intermediate_manifest(self) -> str:
        return f"{self.prefix}manifests/intermediate/1/output.manifest"

    @property
    def output_manifest(self) -> str:
        return f"{self.prefix}manifests/output/output.manifest"


@dataclass(frozen=True)
class WorkerAnswer:
    """One submitted task, with what the worker-response file records about it."""

    worker_id: str
    answer_content: Mapping[str, Any]
    acceptance_time: float
    submission_time: float
    issuer: str
    sub: str


def worker_response_document(answers: Iterable[WorkerAnswer]) -> dict[str, Any]:
    return {
        "answers": [
            {
                "workerId": answer.worker_id,
                "answerContent": dict(answer.answer_content),
                "acceptanceTime": aws_time(answer.acceptance_time),
                "submissionTime": aws_time(answer.submission_time),
                "timeSpentInSeconds": round(answer.submission_time - answer.acceptance_time, 3),
                "workerMetadata": {
                    "identityData": {
                        "identityProviderType": "Cognito",
                        "issuer": answer.issuer,
                        "sub": answer.sub,
                    }
                },
            }
            for answer in answers
        ]
    }


def consolidation_request_entry(
    object_id: int, source_ref: str, answers: Iterable[WorkerAnswer]
) -> dict[str, Any]:
    """One object of the ACS request: annotation content is a JSON *string*, as AWS sends."""
    return {
        "datasetObjectId": str(object_id),
        "dataObject": {"s3Uri": source_ref},
        "annotations": [
            {
                "workerId": answer.worker_id,
                "annotationData": {"content": dumps(answer.answer_content)},
            }
            for answer in answers
        ],
    }


def label_metadata(
    *, confidence: float, job_name: str, class_name: str, created: float
) -> dict[str, Any]:
    return {
        "confidence": confidence,
        "job-name": f"labeling-job/{job_name.lower()}",
        "class-name": class_name,
        "human-annotated": "yes",
        "creation-date": creation_date(created),
        "type": TASK_TYPE,
    }


def label_content(attribute: str, class_index: int, metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {attribute: class_index, f"{attribute}-metadata": dict(metadata)}


def consolidation_response_entry(object_id: int, content: Mapping[str, Any]) -> dict[str, Any]:
    return {"datasetObjectId": str(object_id), "consolidatedAnnotation": {"content": dict(content)}}


def output_line(input_line: str, content: Mapping[str, Any]) -> str:
    """The input manifest line, its keys untouched and in order, plus the label keys."""
    document = json.loads(input_line)
    for key in content:
        document.pop(key, None)  # a re-labeled dataset replaces the old label, keeps position last
    document.update(content)
    return dumps(document)


def manifest(lines: Iterable[str]) -> bytes:
    text = "\n".join(lines)
    return (text + "\n").encode() if text else b""
