"""Decisions for one LabelingJob resource, over typed models, with no Kubernetes in sight.

Each entry point takes a `Resource` (what kopf saw) and returns an `Outcome`: the status
fields to write and the Events to emit. The kopf handlers only write and emit. AWS failures
that must be retried propagate as `AwsThrottledError`; everything the user must fix becomes
a condition on the returned status.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from groundtruth_operator import metrics, preflight, status
from groundtruth_operator.aws import GroundTruth, JobNameTaken, Regions
from groundtruth_operator.defaults import Defaults
from groundtruth_operator.errors import (
    AwsThrottledError,
    ConditionError,
    NameInUseError,
    PreflightError,
)
from groundtruth_operator.request import (
    TAG_UID,
    CreatePlan,
    ResourceRef,
    build_plan,
    region_for,
)
from groundtruth_operator.results import summarise
from groundtruth_operator.spec import DeletionPolicy, LabelingJobSpec, parse_spec
from groundtruth_operator.sync import BatchedSync

logger = logging.getLogger(__name__)

ADOPT_ANNOTATION = "labeling.groundtruth.dev/adopt"
FINALIZER = "labeling.groundtruth.dev/finalizer"
PREFLIGHT_RETRY = 60.0
LAST_SYNC_REFRESH = 300.0


@dataclass(frozen=True)
class Resource:
    namespace: str
    name: str
    uid: str
    generation: int | None
    spec: dict[str, Any]
    status: dict[str, Any]
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.namespace, self.name, self.uid)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Event:
    type: str  # "Normal" or "Warning"
    reason: str
    message: str


@dataclass
class Outcome:
    status: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    # Set when the handler must ask kopf to come back later (seconds).
    retry_after: float | None = None
    done: bool = False  # nothing more to poll: the job reached a terminal state


class Reconciler:
    def __init__(self, regions: Regions, syncer: BatchedSync, defaults: Defaults) -> None:
        self.regions = regions
        self.syncer = syncer
        self.defaults = defaults

    # --- create / adopt ------------------------------------------------------------------

    def ensure(self, resource: Resource, defaults: Defaults | None = None) -> Outcome:
        """Make sure the Ground Truth job exists: create it, or adopt it after a crash."""
        if resource.status.get("labelingJobArn"):
            return self.sync(resource)
        defaults = (defaults or Defaults()).merged_over(self.defaults)
        try:
            spec = parse_spec(resource.spec)
            plan = build_plan(spec, resource.ref, defaults)
        except ConditionError as error:
            return self._refused(resource, error)
        base = {"labelingJobName": plan.job_name, "region": plan.region}
        with metrics.timed("create"):
            try:
                return self._create(resource, spec, plan, base)
            except PreflightError as error:
                outcome = self._refused(resource, error, base)
                outcome.retry_after = PREFLIGHT_RETRY
                return outcome
            except ConditionError as error:
                return self._refused(resource, error, base)
            except AwsThrottledError as error:
                return self._unsynced(resource, error, base)

    def _create(
        self, resource: Resource, spec: LabelingJobSpec, plan: CreatePlan, base: dict[str, Any]
    ) -> Outcome:
        client = self.regions.get(plan.region)
        if resource.annotations.get(ADOPT_ANNOTATION) == "true":
            existing = client.describe_job(plan.job_name)
            if existing is not None:
                return self._adopted(resource, existing, base, on_purpose=True)
        report = preflight.run(client, plan.request, uploaded_labels=spec.labels is not None)
        # Uploads are idempotent (same key per UID), so a retry after a crash is harmless.
        for upload in plan.uploads:
            client.put_object(upload.uri, upload.body, upload.content_type)
        arn = self._create_or_find_own(client, plan, resource)
        if isinstance(arn, dict):  # our own job, found after a crash
            return self._adopted(resource, arn, base, on_purpose=False)
        generation = resource.generation
        outcome = Outcome(
            status={
                **base,
                "phase": "Initializing",
                "labelingJobArn": arn,
                "labelingJobStatus": "Initializing",
                "observedGeneration": generation,
                "lastSyncTime": status.now_iso(),
                "conditions": status.merge_conditions(
                    resource.status.get("conditions"),
                    [
                        status.ready_for("Initializing", None, generation),
                        status.condition(
                            status.SYNCED,
                            True,
                            "Created",
                            "CreateLabelingJob succeeded",
                            generation,
                        ),
                        *self._cors_condition(report, generation),
                    ],
                ),
            },
            events=[Event("Normal", "Created", f"created Ground Truth job {plan.job_name}")],
        )
        outcome.events.extend(Event("Warning", "InputBucketCors", text) for text in report.warnings)
        metrics.set_phase(resource.key, "Initializing")
        return outcome

    def _create_or_find_own(
        self, client: GroundTruth, plan: CreatePlan, resource: Resource
    ) -> str | dict[str, Any]:
        try:
            return client.create_job(plan.request)
        except JobNameTaken:
            existing = client.describe_job(plan.job_name)
            if existing is None:
                raise NameInUseError(
                    f"a Ground Truth job named {plan.job_name} existed but cannot be described"
                ) from None
            tags = {tag["Key"]: tag["Value"] for tag in existing.get("Tags", [])}
            if tags.get(TAG_UID) == resource.uid:
                return existing
            raise NameInUseError(
                f"Ground Truth job {plan.job_name} already exists and was not created by this "
                f"resource; job names are never freed. Set spec.labelingJobName to a new name, "
                f'or annotate {ADOPT_ANNOTATION}="true" to adopt it on purpose'
            ) from None

    def _adopted(
        self, resource: Resource, job: dict[str, Any], base: dict[str, Any], on_purpose: bool
    ) -> Outcome:
        job_status = status.from_job(job, resource.generation)
        reason = "Adopted" if on_purpose else "Recovered"
        message = (
            f"adopted existing Ground Truth job {job['LabelingJobName']}"
            if on_purpose
            else f"found this resource's own job {job['LabelingJobName']} after a restart"
        )
        outcome = Outcome(
            status={
                **base,
                **job_status,
                "conditions": status.merge_conditions(
                    resource.status.get("conditions"),
                    [
                        status.ready_for(
                            job["LabelingJobStatus"], job.get("FailureReason"), resource.generation
                        ),
                        status.condition(status.SYNCED, True, reason, message, resource.generation),
                    ],
                ),
            },
            events=[Event("Normal", reason, message)],
        )
        self._finish_if_terminal(resource, job, outcome)
        metrics.set_phase(resource.key, outcome.status.get("phase"))
        return outcome

    # --- sync ------------------------------------------------------------------------------

    def sync(self, resource: Resource) -> Outcome:
        """Bring status up to date; describe only when the batched summary changed."""
        current = resource.status
        name = current.get("labelingJobName")
        region = current.get("region")
        if not name or not region or not current.get("labelingJobArn"):
            return Outcome()
        if current.get("labelingJobStatus") in status.TERMINAL and "results" in current:
            return Outcome(done=True)
        with metrics.timed("sync"):
            observed = self._observe(resource, name, region)
        if isinstance(observed, Outcome):
            return observed
        if observed is None:
            return self._missing(resource, name, region)
        return self._updated(resource, observed)

    def _observe(
        self, resource: Resource, name: str, region: str
    ) -> dict[str, Any] | Outcome | None:
        """The job's description; an Outcome when there is nothing to describe or AWS
        throttles; None when Ground Truth has no such job."""
        current = resource.status
        try:
            if current.get("labelingJobStatus") == "InProgress":
                summary = self.syncer.in_progress_summary(region, name)
                if summary is not None and status.fingerprint(summary) == status.status_fingerprint(
                    current
                ):
                    return Outcome(status=self._synced_only(resource))
            return self.regions.get(region).describe_job(name)
        except AwsThrottledError as error:
            return self._unsynced(resource, error, {})

    def _missing(self, resource: Resource, name: str, region: str) -> Outcome:
        message = f"Ground Truth has no job named {name} in {region}"
        ready = status.condition(status.READY, False, "JobMissing", message, resource.generation)
        return Outcome(
            status={
                "phase": "Missing",
                "conditions": status.merge_conditions(resource.status.get("conditions"), [ready]),
            },
            events=[Event("Warning", "JobMissing", message)],
        )

    def _updated(self, resource: Resource, job: dict[str, Any]) -> Outcome:
        current = resource.status
        unchanged = status.fingerprint(job) == status.status_fingerprint(current)
        if unchanged and job["LabelingJobStatus"] not in status.TERMINAL:
            # Polled again (Initializing, Stopping) but nothing moved: no status patch.
            return Outcome(status=self._synced_only(resource))
        new = status.from_job(job, resource.generation)
        outcome = Outcome(status=new)
        before = current.get("labelingJobStatus")
        if before != new["labelingJobStatus"]:
            kind = "Warning" if new["labelingJobStatus"] == "Failed" else "Normal"
            detail = f": {new['failureReason']}" if new.get("failureReason") else ""
            outcome.events.append(
                Event(
                    kind,
                    new["labelingJobStatus"],
                    f"{before or 'unknown'} -> {new['labelingJobStatus']}{detail}",
                )
            )
        new["conditions"] = status.merge_conditions(
            current.get("conditions"),
            [
                status.ready_for(
                    new["labelingJobStatus"], new.get("failureReason"), resource.generation
                ),
                status.condition(
                    status.SYNCED,
                    True,
                    "Synced",
                    "status matches Ground Truth",
                    resource.generation,
                ),
            ],
        )
        self._finish_if_terminal(resource, job, outcome)
        metrics.set_phase(resource.key, new["phase"])
        return outcome

    def _finish_if_terminal(
        self, resource: Resource, job: dict[str, Any], outcome: Outcome
    ) -> None:
        if job["LabelingJobStatus"] not in status.TERMINAL:
            return
        outcome.done = True
        output = (job.get("LabelingJobOutput") or {}).get("OutputDatasetS3Uri")
        if not output:
            outcome.status["results"] = None
            return
        client = self.regions.get(outcome.status.get("region") or resource.status["region"])
        lines = client.read_lines(output)
        if lines is None:
            outcome.status["results"] = None
            return
        results = summarise(lines, job.get("LabelAttributeName", "label"))
        outcome.status["results"] = results
        top = ", ".join(f"{item['label']}={item['count']}" for item in results["classes"])
        outcome.events.append(
            Event("Normal", "Results", f"{results['labeledObjects']} objects labeled: {top}")
        )

    # --- delete ----------------------------------------------------------------------------

    def delete(self, resource: Resource) -> Outcome:
        """Stop the job per deletionPolicy. `retry_after` set: keep the finalizer for now."""
        name = resource.status.get("labelingJobName")
        region = resource.status.get("region")
        if not name or not region or not resource.status.get("labelingJobArn"):
            metrics.set_phase(resource.key, None)
            return Outcome(done=True)  # nothing was ever created
        policy = _deletion_policy(resource.spec)
        if policy is DeletionPolicy.ORPHAN:
            metrics.set_phase(resource.key, None)
            return Outcome(done=True, events=[Event("Normal", "Orphaned", f"left {name} running")])
        client = self.regions.get(region)
        job = client.describe_job(name)
        job_status = job["LabelingJobStatus"] if job else None
        if job_status in ("Initializing", "InProgress"):
            client.stop_job(name)
            return Outcome(
                status={"phase": "Stopping", "labelingJobStatus": "Stopping"},
                events=[Event("Normal", "Stopping", f"stopping Ground Truth job {name}")],
                retry_after=2.0,
            )
        if job_status == "Stopping":
            return Outcome(retry_after=2.0)
        metrics.set_phase(resource.key, None)
        return Outcome(done=True)

    # --- helpers ---------------------------------------------------------------------------

    def _refused(
        self, resource: Resource, error: ConditionError, base: dict[str, Any] | None = None
    ) -> Outcome:
        logger.info(
            "labeling job refused",
            extra={"resource": resource.key, "reason": error.reason, "detail": error.message},
        )
        metrics.set_phase(resource.key, "Error")
        return Outcome(
            status={
                **(base or {}),
                "phase": "Error",
                "reason": error.reason,
                "observedGeneration": resource.generation,
                "conditions": status.merge_conditions(
                    resource.status.get("conditions"),
                    [
                        status.condition(
                            status.READY, False, error.reason, error.message, resource.generation
                        )
                    ],
                ),
            },
            events=[Event("Warning", error.reason, error.message)],
        )

    def _unsynced(
        self, resource: Resource, error: AwsThrottledError, base: dict[str, Any]
    ) -> Outcome:
        outcome = Outcome(
            status={
                **base,
                "conditions": status.merge_conditions(
                    resource.status.get("conditions"),
                    [
                        status.condition(
                            status.SYNCED,
                            False,
                            "Throttled" if error.code != "Unreachable" else "Unreachable",
                            str(error),
                            resource.generation,
                        )
                    ],
                ),
            },
            retry_after=error.delay,
        )
        return outcome

    def _synced_only(self, resource: Resource) -> dict[str, Any]:
        """Nothing changed in Ground Truth: write as little as possible.

        lastSyncTime is refreshed at most every LAST_SYNC_REFRESH seconds, so a thousand
        idle jobs do not cost a thousand status patches per cycle.
        """
        current = resource.status
        synced = next(
            (c for c in current.get("conditions") or [] if c.get("type") == status.SYNCED), {}
        )
        patch: dict[str, Any] = {}
        if synced.get("status") != "True":
            patch["conditions"] = status.merge_conditions(
                current.get("conditions"),
                [
                    status.condition(
                        status.SYNCED,
                        True,
                        "Synced",
                        "status matches Ground Truth",
                        resource.generation,
                    )
                ],
            )
        if status.age_seconds(current.get("lastSyncTime")) >= LAST_SYNC_REFRESH or patch:
            patch["lastSyncTime"] = status.now_iso()
        return patch

    @staticmethod
    def _cors_condition(
        report: preflight.PreflightReport, generation: int | None
    ) -> list[dict[str, Any]]:
        if report.cors_ok is None:
            return []
        if report.cors_ok:
            return [
                status.condition(
                    status.CORS,
                    True,
                    "CorsAllowsGroundTruth",
                    "the input bucket's CORS lets workers load images",
                    generation,
                )
            ]
        return [status.condition(status.CORS, False, "MissingCors", report.warnings[0], generation)]


def _deletion_policy(raw_spec: dict[str, Any]) -> DeletionPolicy:
    try:
        return DeletionPolicy(raw_spec.get("deletionPolicy", DeletionPolicy.STOP.value))
    except ValueError:
        return DeletionPolicy.STOP


def region_of(spec: LabelingJobSpec, defaults: Defaults) -> str:
    return region_for(spec, defaults)
