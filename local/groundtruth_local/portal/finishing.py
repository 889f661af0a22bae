"""From answers to files: consolidation batches, output files in S3, job completion.

Crash safety comes from doing it in two steps: a batch (its consolidated labels and the
exact documents to write) is first committed to SQLite, then its files are written and the
batch marked written in a second transaction. A crash in between rewrites the same files
with the same content on the next tick, so nothing is lost and nothing is labeled twice.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from groundtruth_local import output_files as of
from groundtruth_local.consolidation import consolidate_keyed
from groundtruth_local.context import LocalContext
from groundtruth_local.inputs import (
    InputError,
    load_ui_template,
    parse_label_categories,
    read_s3_text,
)
from groundtruth_local.store import InvalidTransitionError
from groundtruth_local.tasks import DEFAULT_MAX_CONCURRENT, JobConfig, TaskEngine

log = logging.getLogger(__name__)

Put = Callable[[str, str, bytes], None]


class _ClassifierName(HTMLParser):
    """Finds the `name` of the template's <crowd-image-classifier> (the answer's key)."""

    def __init__(self) -> None:
        super().__init__()
        self.name: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "crowd-image-classifier" and self.name is None:
            self.name = dict(attrs).get("name") or "crowd-image-classifier"


def classifier_name(template: str) -> str:
    parser = _ClassifierName()
    parser.feed(template)
    return parser.name or "crowd-image-classifier"


def job_config(context: LocalContext, job: dict[str, Any], total_objects: int) -> JobConfig:
    """Snapshot what the engine needs; raises InputError when an input is unusable."""
    task = job["HumanTaskConfig"]
    label_uri = job["LabelCategoryConfigS3Uri"]
    labels = parse_label_categories(
        read_s3_text(context, label_uri, "label category file"), label_uri
    )
    template = load_ui_template(context, job)
    stopping = job.get("StoppingConditions") or {}
    limits = []
    if stopping.get("MaxHumanLabeledObjectCount") is not None:
        limits.append(int(stopping["MaxHumanLabeledObjectCount"]))
    if stopping.get("MaxPercentageOfInputDatasetLabeled") is not None:
        percent = int(stopping["MaxPercentageOfInputDatasetLabeled"])
        limits.append(max(1, -(-total_objects * percent // 100)))
    return JobConfig(
        job_name=job["LabelingJobName"],
        workteam_arn=task["WorkteamArn"],
        attribute=job["LabelAttributeName"],
        labels=labels,
        template=template,
        classifier_name=classifier_name(template),
        workers_per_object=int(task["NumberOfHumanWorkersPerDataObject"]),
        time_limit=int(task["TaskTimeLimitInSeconds"]),
        lifetime=int(task.get("TaskAvailabilityLifetimeInSeconds") or 864000),
        max_concurrent=int(task.get("MaxConcurrentTaskCount") or DEFAULT_MAX_CONCURRENT),
        max_labeled=min(limits) if limits else None,
        total_objects=total_objects,
        output_path=job["OutputConfig"]["S3OutputPath"],
        title=task.get("TaskTitle", job["LabelingJobName"]),
        description=task.get("TaskDescription", ""),
    )


class JobFinisher:
    """Turns the engine's state into output files and final job statuses."""

    def __init__(self, context: LocalContext, engine: TaskEngine, put: Put) -> None:
        self.context = context
        self.engine = engine
        self.put = put
        # One finisher pass at a time: the ticker and a StopLabelingJob must not interleave.
        self.lock = threading.RLock()

    # -- entry points ----------------------------------------------------------------------

    def adopt(self, job: dict[str, Any]) -> None:
        name = job["LabelingJobName"]
        if name in self.engine.known_jobs():
            return
        total = sum(self.context.store.object_status_counts(name).values())
        try:
            config = job_config(self.context, job, total)
        except (InputError, KeyError, ValueError) as error:
            log.warning("labeling job %s cannot start: %s", name, error)
            self._set_status(name, "Failed", failure_reason=f"ClientError: {error}")
            return
        self.engine.start_job(config)
        self.engine.admit(config, time.time())

    def tick(self, now: float) -> None:
        with self.lock:
            for record in self.context.store.list_jobs_in_status("InProgress"):
                if record.name not in self.engine.known_jobs():
                    description = self.context.store.describe_job(record.name)
                    if description is not None:
                        self.adopt(description)
            for config in self.engine.running_jobs():
                self._advance(config, now)

    def stop(self, job_name: str) -> None:
        """StopLabelingJob: consolidate every object with an answer, write, mark Stopped."""
        with self.lock:
            config = self.engine.config(job_name)
            if config is None or self.engine.job_state(job_name) == "done":
                self._set_status(job_name, "Stopped")
                return
            self.engine.close_assignments(job_name)
            self._finish(config, "Stopped")

    # -- internals -------------------------------------------------------------------------

    def _advance(self, config: JobConfig, now: float) -> None:
        record = self.context.store.get_job(config.job_name)
        if record is None or record.status not in ("InProgress", "Stopping"):
            self.engine.set_job_state(config.job_name, "done")
            return
        if record.status == "Stopping":
            return  # the lifecycle's stop event calls stop()
        self.engine.expire(config, now)
        self._consolidate(config, now, partial=False)
        self._write_batches(config)
        self.engine.admit(config, now)  # labeled objects freed room in the window
        counts = self.context.store.object_status_counts(config.job_name)
        if config.max_labeled is not None and counts["labeled"] >= config.max_labeled:
            log.info("labeling job %s reached its stopping condition", config.job_name)
            self.engine.close_assignments(config.job_name)
            self._finish(config, "Stopped")
        elif counts["pending"] == 0 and counts["in_flight"] == 0:
            self._finish(config, "Completed")

    def _finish(self, config: JobConfig, status: str) -> None:
        self._consolidate(config, time.time(), partial=True, wait_for_stamp=True)
        self._write_batches(config)
        layout = of.OutputLayout.for_job(config.output_path, config.job_name)
        lines = self._labeled_lines(config)
        self.put(layout.bucket, layout.output_manifest, of.manifest(lines))
        uri = layout.uri(layout.output_manifest)
        if status == "Completed" and not lines:
            self._set_status(
                config.job_name,
                "Failed",
                failure_reason="ClientError: no data object was labeled: every task expired"
                " or was declined before a worker answered it",
                output=uri,
            )
        else:
            self._set_status(config.job_name, status, output=uri)
        self.engine.set_job_state(config.job_name, "done")
        log.info("labeling job %s %s with %d labeled objects", config.job_name, status, len(lines))

    def _consolidate(
        self, config: JobConfig, now: float, *, partial: bool, wait_for_stamp: bool = False
    ) -> None:
        ready = self.engine.ready_objects(config, partial=partial)
        if not ready:
            return
        store = self.context.store
        with store.connection() as conn:
            last = conn.execute(
                "SELECT last_batch_stamp FROM tasks_jobs WHERE job_name = ?", (config.job_name,)
            ).fetchone()[0]
        if of.file_stamp(now) == last:
            # Batch files are named by the second; wait for a fresh one rather than overwrite.
            if not wait_for_stamp:
                return
            time.sleep(1.0 - now % 1.0 + 0.01)
            now = time.time()
        answers = self.engine.submitted_answers(config.job_name)
        results = consolidate_keyed(
            [(row["object_id"], row["worker_sub"], row["label_index"]) for row in answers],
            len(config.labels),
        )
        by_object: dict[int, list[of.WorkerAnswer]] = {}
        for row in answers:
            by_object.setdefault(row["object_id"], []).append(
                of.WorkerAnswer(
                    worker_id=row["worker_id"],
                    answer_content=json.loads(row["answer"]),
                    acceptance_time=row["accepted_at"],
                    submission_time=row["submitted_at"],
                    issuer=row["issuer"],
                    sub=row["worker_sub"],
                )
            )
        with store.connection() as conn:
            lines = dict(
                conn.execute(
                    "SELECT object_id, line FROM data_objects WHERE job_name = ?",
                    (config.job_name,),
                ).fetchall()
            )
            request, response, worker_files = [], [], []
            for object_id in ready:
                class_index, confidence = results[object_id]
                content = of.label_content(
                    config.attribute,
                    class_index,
                    of.label_metadata(
                        confidence=confidence,
                        job_name=config.job_name,
                        class_name=config.labels[class_index],
                        created=now,
                    ),
                )
                source_ref = str(json.loads(lines[object_id]).get("source-ref", ""))
                request.append(
                    of.consolidation_request_entry(object_id, source_ref, by_object[object_id])
                )
                response.append(of.consolidation_response_entry(object_id, content))
                worker_files.append([object_id, of.worker_response_document(by_object[object_id])])
                conn.execute(
                    "UPDATE tasks_objects SET result = ? WHERE job_name = ? AND object_id = ?",
                    (of.output_line(lines[object_id], content), config.job_name, object_id),
                )
            payload = {"request": request, "response": response, "workers": worker_files}
            cursor = conn.execute(
                "INSERT INTO tasks_batches (job_name, created_at, payload) VALUES (?, ?, ?)",
                (config.job_name, now, json.dumps(payload)),
            )
            conn.executemany(
                "UPDATE tasks_objects SET batch_id = ? WHERE job_name = ? AND object_id = ?",
                [(cursor.lastrowid, config.job_name, object_id) for object_id in ready],
            )
            conn.execute(
                "UPDATE tasks_jobs SET last_batch_stamp = ? WHERE job_name = ?",
                (of.file_stamp(now), config.job_name),
            )

    def _write_batches(self, config: JobConfig) -> None:
        store = self.context.store
        with store.connection() as conn:
            batches = conn.execute(
                "SELECT batch_id, created_at, payload FROM tasks_batches"
                " WHERE job_name = ? AND written = 0 ORDER BY batch_id",
                (config.job_name,),
            ).fetchall()
        if not batches:
            return
        layout = of.OutputLayout.for_job(config.output_path, config.job_name)
        for batch_id, created_at, payload_text in batches:
            payload = json.loads(payload_text)
            for object_id, document in payload["workers"]:
                self.put(
                    layout.bucket,
                    layout.worker_response(object_id, created_at),
                    of.dumps(document).encode(),
                )
            self.put(
                layout.bucket,
                layout.consolidation_request(created_at),
                of.dumps(payload["request"]).encode(),
            )
            self.put(
                layout.bucket,
                layout.consolidation_response(created_at),
                of.dumps(payload["response"]).encode(),
            )
            self.put(
                layout.bucket,
                layout.intermediate_manifest,
                of.manifest(self._labeled_lines(config, include_batch=batch_id)),
            )
            with store.connection() as conn:
                conn.execute("UPDATE tasks_batches SET written = 1 WHERE batch_id = ?", (batch_id,))
                conn.execute(
                    "UPDATE data_objects SET status = 'labeled' WHERE job_name = ? AND object_id"
                    " IN (SELECT object_id FROM tasks_objects WHERE job_name = ? AND batch_id = ?)",
                    (config.job_name, config.job_name, batch_id),
                )

    def _labeled_lines(self, config: JobConfig, include_batch: int | None = None) -> list[str]:
        with self.context.store.connection() as conn:
            rows = conn.execute(
                "SELECT o.result FROM tasks_objects o JOIN data_objects d"
                " ON d.job_name = o.job_name AND d.object_id = o.object_id"
                " WHERE o.job_name = ? AND o.result IS NOT NULL"
                " AND (d.status = 'labeled' OR o.batch_id = ?) ORDER BY o.object_id",
                (config.job_name, include_batch if include_batch is not None else -1),
            ).fetchall()
        return [row[0] for row in rows]

    def _set_status(
        self,
        name: str,
        status: str,
        *,
        failure_reason: str | None = None,
        output: str | None = None,
    ) -> None:
        try:
            self.context.store.set_job_status(
                name, status, failure_reason=failure_reason, output_dataset_s3_uri=output
            )
        except (KeyError, InvalidTransitionError) as error:
            log.warning("labeling job %s not moved to %s: %s", name, status, error)
