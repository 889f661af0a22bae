"""Build the LabelingJob `status`: phase, the Ground Truth fields, conditions.

Pure functions over plain dicts, so the reconciler decides and kopf only writes. Conditions
follow the Kubernetes convention (type, status, reason, message, lastTransitionTime,
observedGeneration); lastTransitionTime changes only when the condition's status does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

READY = "Ready"
SYNCED = "Synced"
CORS = "InputBucketCors"

TERMINAL = frozenset({"Completed", "Failed", "Stopped"})
GROUND_TRUTH_STATUSES = ("Initializing", "InProgress", "Completed", "Failed", "Stopping", "Stopped")
COUNTERS = {
    "TotalLabeled": "totalLabeled",
    "HumanLabeled": "humanLabeled",
    "MachineLabeled": "machineLabeled",
    "FailedNonRetryableError": "failedNonRetryableError",
    "Unlabeled": "unlabeled",
}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def age_seconds(stamp: str | None) -> float:
    """Seconds since an ISO timestamp written by now_iso()/iso(); infinite when unknown."""
    if not stamp:
        return float("inf")
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return (datetime.now(UTC) - when).total_seconds()


def iso(value: datetime | float | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(float(value), UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def condition(
    type_: str, status: bool, reason: str, message: str, generation: int | None
) -> dict[str, Any]:
    return {
        "type": type_,
        "status": "True" if status else "False",
        "reason": reason,
        "message": message,
        "observedGeneration": generation,
    }


def merge_conditions(
    existing: list[dict[str, Any]] | None, updates: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The existing list with `updates` applied (kubebuilder's SetStatusCondition)."""
    result = [dict(item) for item in existing or []]
    for update in updates:
        current = next((item for item in result if item.get("type") == update["type"]), None)
        if current is None:
            result.append({**update, "lastTransitionTime": now_iso()})
            continue
        changed = current.get("status") != update["status"]
        current.update(update)
        if changed or "lastTransitionTime" not in current:
            current["lastTransitionTime"] = now_iso()
    return result


def counters(label_counters: dict[str, Any] | None) -> dict[str, int]:
    label_counters = label_counters or {}
    return {ours: int(label_counters.get(theirs, 0)) for theirs, ours in COUNTERS.items()}


def total_objects(counts: dict[str, int]) -> int:
    return counts["totalLabeled"] + counts["failedNonRetryableError"] + counts["unlabeled"]


def ready_for(
    job_status: str, failure_reason: str | None, generation: int | None
) -> dict[str, Any]:
    """The Ready condition that a Ground Truth status implies."""
    if job_status in ("InProgress", "Completed"):
        message = (
            "Ground Truth finished the job"
            if job_status == "Completed"
            else ("workers are labeling")
        )
        return condition(READY, True, job_status, message, generation)
    if job_status == "Failed":
        return condition(
            READY, False, "JobFailed", failure_reason or "Ground Truth failed the job", generation
        )
    messages = {
        "Initializing": "Ground Truth is reading the input manifest and labels",
        "Stopping": "the job is stopping",
        "Stopped": "the job was stopped",
    }
    return condition(READY, False, job_status, messages.get(job_status, job_status), generation)


def from_job(job: dict[str, Any], generation: int | None) -> dict[str, Any]:
    """Status fields from a DescribeLabelingJob answer (or a ListLabelingJobs summary)."""
    job_status = str(job["LabelingJobStatus"])
    counts = counters(job.get("LabelCounters"))
    status: dict[str, Any] = {
        "phase": job_status,
        "labelingJobName": job["LabelingJobName"],
        "labelingJobArn": job["LabelingJobArn"],
        "labelingJobStatus": job_status,
        "labelCounters": counts,
        "totalObjects": total_objects(counts),
        "lastModifiedTime": iso(job.get("LastModifiedTime")),
        "lastSyncTime": now_iso(),
        "observedGeneration": generation,
    }
    if job.get("FailureReason"):
        status["failureReason"] = job["FailureReason"]
    output = (job.get("LabelingJobOutput") or {}).get("OutputDatasetS3Uri")
    if output:
        status["outputDatasetS3Uri"] = output
    if job.get("JobReferenceCode"):
        status["jobReferenceCode"] = job["JobReferenceCode"]
    return status


def fingerprint(job: dict[str, Any]) -> tuple[Any, ...]:
    """What must differ for a job to be described again (summary vs what status shows)."""
    return (
        job.get("LabelingJobStatus"),
        tuple(sorted(counters(job.get("LabelCounters")).items())),
        iso(job.get("LastModifiedTime")),
    )


def status_fingerprint(status: dict[str, Any]) -> tuple[Any, ...]:
    counts = status.get("labelCounters") or {}
    return (
        status.get("labelingJobStatus"),
        tuple(sorted((key, int(counts.get(key, 0))) for key in COUNTERS.values())),
        status.get("lastModifiedTime"),
    )
