"""All state of the labeling API in one SQLite database (`<data-dir>/groundtruth.sqlite3`).

Interface used by the task engine (the `JobPlugin`):

- `Store.connection()`: a context manager yielding the shared `sqlite3.Connection` inside a
  transaction (committed on success, rolled back on error) while holding the store's lock.
  The plugin may create and use its own tables through it (prefix them, e.g. `tasks_*`).
- Table `data_objects(job_name TEXT, object_id INTEGER, line TEXT, status TEXT,
  PRIMARY KEY(job_name, object_id))`: one row per input manifest line, `object_id` is the
  0-based line index, `line` the manifest line's JSON, `status` one of `pending`,
  `in_flight`, `labeled`, `failed`. The API writes rows as `pending`; the plugin moves them.
  DescribeLabelingJob derives LabelCounters from these rows every time.
- `Store.get_job(name)` / `Store.describe_job(name)` / `Store.list_jobs_in_status(*status)`.
- `Store.set_job_status(name, status, *, failure_reason=None, output_dataset_s3_uri=None)`:
  the only way a job changes status; refuses to leave a terminal status.

Everything is serialised on one connection and one re-entrant lock: the API's request load
is small, and one writer removes every "database is locked" retry path. WAL mode keeps a
committed answer safe if the process is killed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DB_FILE_NAME = "groundtruth.sqlite3"

JOB_STATUSES = ("Initializing", "InProgress", "Completed", "Failed", "Stopping", "Stopped")
TERMINAL_STATUSES = frozenset({"Completed", "Failed", "Stopped"})
# Where a job may go from each non-terminal status.
_TRANSITIONS: dict[str, frozenset[str]] = {
    "Initializing": frozenset({"InProgress", "Failed", "Stopping", "Stopped"}),
    "InProgress": frozenset({"Completed", "Failed", "Stopping", "Stopped"}),
    "Stopping": frozenset({"Stopped", "Completed", "Failed"}),
}
OBJECT_STATUSES = ("pending", "in_flight", "labeled", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS labeling_jobs (
    name TEXT PRIMARY KEY,
    name_key TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    arn TEXT NOT NULL,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    workteam_arn TEXT NOT NULL,
    job_reference_code TEXT NOT NULL,
    creation_time REAL NOT NULL,
    last_modified_time REAL NOT NULL,
    failure_reason TEXT,
    output_dataset_s3_uri TEXT
);
CREATE INDEX IF NOT EXISTS labeling_jobs_status ON labeling_jobs(status);
CREATE TABLE IF NOT EXISTS data_objects (
    job_name TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    line TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    PRIMARY KEY (job_name, object_id)
);
-- Per-status counts kept by triggers in the same transaction as every data object change
-- (whoever makes it), so LabelCounters cost one indexed read however large the job is.
CREATE TABLE IF NOT EXISTS data_object_counts (
    job_name TEXT NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (job_name, status)
);
CREATE TRIGGER IF NOT EXISTS data_objects_counted_insert AFTER INSERT ON data_objects
BEGIN
    INSERT INTO data_object_counts (job_name, status, n) VALUES (NEW.job_name, NEW.status, 1)
    ON CONFLICT (job_name, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS data_objects_counted_delete AFTER DELETE ON data_objects
BEGIN
    UPDATE data_object_counts SET n = n - 1
    WHERE job_name = OLD.job_name AND status = OLD.status;
END;
CREATE TRIGGER IF NOT EXISTS data_objects_counted_update
AFTER UPDATE OF job_name, status ON data_objects
BEGIN
    UPDATE data_object_counts SET n = n - 1
    WHERE job_name = OLD.job_name AND status = OLD.status;
    INSERT INTO data_object_counts (job_name, status, n) VALUES (NEW.job_name, NEW.status, 1)
    ON CONFLICT (job_name, status) DO UPDATE SET n = n + 1;
END;
CREATE TABLE IF NOT EXISTS resources (
    kind TEXT NOT NULL,
    region TEXT NOT NULL,
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL,
    creation_time REAL NOT NULL,
    PRIMARY KEY (kind, region, name_key)
);
CREATE TABLE IF NOT EXISTS tags (
    arn TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (arn, key)
);
"""


class InvalidTransitionError(ValueError):
    """A status change the job lifecycle does not allow (e.g. leaving Completed)."""


@dataclass(frozen=True)
class JobRecord:
    """One labeling job as stored: the original request plus what changed since."""

    name: str
    region: str
    arn: str
    status: str
    request: dict[str, Any]
    workteam_arn: str
    job_reference_code: str
    creation_time: float
    last_modified_time: float
    failure_reason: str | None
    output_dataset_s3_uri: str | None


@dataclass(frozen=True)
class Resource:
    """A workforce, workteam or human task UI: its describe document and identity."""

    kind: str
    region: str
    name: str
    arn: str
    doc: dict[str, Any]
    creation_time: float


def _job(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        name=row["name"],
        region=row["region"],
        arn=row["arn"],
        status=row["status"],
        request=json.loads(row["request"]),
        workteam_arn=row["workteam_arn"],
        job_reference_code=row["job_reference_code"],
        creation_time=row["creation_time"],
        last_modified_time=row["last_modified_time"],
        failure_reason=row["failure_reason"],
        output_dataset_s3_uri=row["output_dataset_s3_uri"],
    )


def _resource(row: sqlite3.Row) -> Resource:
    return Resource(
        kind=row["kind"],
        region=row["region"],
        name=row["name"],
        arn=row["arn"],
        doc=json.loads(row["doc"]),
        creation_time=row["creation_time"],
    )


class Store:
    """Thread-safe SQLite store of jobs, data objects, workforces, workteams, UIs and tags."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_FILE_NAME
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._depth = 0
        with self._lock:
            # executescript commits on its own, so it runs outside connection()'s transaction.
            self._conn.executescript(_SCHEMA)
        with self.connection() as conn:
            # Recount once at start: cheap, and exact even for a database from an older run.
            conn.execute("DELETE FROM data_object_counts")
            conn.execute(
                "INSERT INTO data_object_counts (job_name, status, n)"
                " SELECT job_name, status, COUNT(*) FROM data_objects GROUP BY job_name, status"
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The shared connection inside one transaction; nested uses join the outer one."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    # -- labeling jobs ---------------------------------------------------------------------

    def insert_job(self, record: JobRecord) -> bool:
        """Store a new job; False when the name (case-insensitively) was ever used."""
        with self.connection() as conn:
            try:
                conn.execute(
                    "INSERT INTO labeling_jobs (name, name_key, region, arn, status, request,"
                    " workteam_arn, job_reference_code, creation_time, last_modified_time,"
                    " failure_reason, output_dataset_s3_uri)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.name,
                        record.name.lower(),
                        record.region,
                        record.arn,
                        record.status,
                        json.dumps(record.request),
                        record.workteam_arn,
                        record.job_reference_code,
                        record.creation_time,
                        record.last_modified_time,
                        record.failure_reason,
                        record.output_dataset_s3_uri,
                    ),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def get_job(self, name: str) -> JobRecord | None:
        with self.connection() as conn:
            row = conn.execute("SELECT * FROM labeling_jobs WHERE name = ?", (name,)).fetchone()
        return _job(row) if row else None

    def get_job_by_arn(self, arn: str) -> JobRecord | None:
        with self.connection() as conn:
            row = conn.execute("SELECT * FROM labeling_jobs WHERE arn = ?", (arn,)).fetchone()
        return _job(row) if row else None

    def list_jobs(self, region: str | None = None) -> list[JobRecord]:
        with self.connection() as conn:
            if region is None:
                rows = conn.execute("SELECT * FROM labeling_jobs ORDER BY rowid").fetchall()
            else:
                rows = conn.execute(
                    "SELECT * FROM labeling_jobs WHERE region = ? ORDER BY rowid", (region,)
                ).fetchall()
        return [_job(row) for row in rows]

    def list_jobs_in_status(self, *statuses: str) -> list[JobRecord]:
        marks = ",".join("?" * len(statuses))
        with self.connection() as conn:
            rows = conn.execute(
                f"SELECT * FROM labeling_jobs WHERE status IN ({marks}) ORDER BY rowid",  # noqa: S608 - only placeholders are interpolated
                statuses,
            ).fetchall()
        return [_job(row) for row in rows]

    def set_job_status(
        self,
        name: str,
        status: str,
        *,
        failure_reason: str | None = None,
        output_dataset_s3_uri: str | None = None,
    ) -> JobRecord:
        """Move a job to `status`; raises `KeyError` (no such job) or `InvalidTransitionError`."""
        if status not in JOB_STATUSES:
            raise InvalidTransitionError(f"unknown labeling job status {status!r}")
        with self.connection() as conn:
            current = self.get_job(name)
            if current is None:
                raise KeyError(name)
            if status != current.status and status not in _TRANSITIONS.get(
                current.status, frozenset()
            ):
                raise InvalidTransitionError(
                    f"labeling job {name} cannot go from {current.status} to {status}"
                )
            conn.execute(
                "UPDATE labeling_jobs SET status = ?, last_modified_time = ?,"
                " failure_reason = COALESCE(?, failure_reason),"
                " output_dataset_s3_uri = COALESCE(?, output_dataset_s3_uri) WHERE name = ?",
                (status, time.time(), failure_reason, output_dataset_s3_uri, name),
            )
            updated = self.get_job(name)
        assert updated is not None
        return updated

    # -- data objects ----------------------------------------------------------------------

    def put_data_objects(self, job_name: str, lines: Iterable[str]) -> int:
        """Store one `pending` data object per manifest line (idempotent on re-runs)."""
        with self.connection() as conn:
            conn.execute("DELETE FROM data_objects WHERE job_name = ?", (job_name,))
            cursor = conn.executemany(
                "INSERT INTO data_objects (job_name, object_id, line, status)"
                " VALUES (?, ?, ?, 'pending')",
                ((job_name, index, line) for index, line in enumerate(lines)),
            )
            return cursor.rowcount

    def object_status_counts(self, job_name: str) -> dict[str, int]:
        counts = dict.fromkeys(OBJECT_STATUSES, 0)
        with self.connection() as conn:
            for row in conn.execute(
                "SELECT status, n FROM data_object_counts WHERE job_name = ?", (job_name,)
            ):
                counts[row["status"]] = row["n"]
        return counts

    def label_counters(self, job_name: str) -> dict[str, int]:
        """DescribeLabelingJob's LabelCounters, derived from the data objects right now."""
        counts = self.object_status_counts(job_name)
        return {
            "TotalLabeled": counts["labeled"],
            "HumanLabeled": counts["labeled"],
            "MachineLabeled": 0,
            "FailedNonRetryableError": counts["failed"],
            "Unlabeled": counts["pending"] + counts["in_flight"],
        }

    def describe_job(self, name: str) -> dict[str, Any] | None:
        """The job as DescribeLabelingJob shows it (timestamps as epoch seconds)."""
        with self.connection():
            record = self.get_job(name)
            if record is None:
                return None
            counters = self.label_counters(name)
            tags = self.list_tags(record.arn)
        request = record.request
        description: dict[str, Any] = {
            "LabelingJobStatus": record.status,
            "LabelCounters": counters,
            "CreationTime": record.creation_time,
            "LastModifiedTime": record.last_modified_time,
            "JobReferenceCode": record.job_reference_code,
            "LabelingJobName": record.name,
            "LabelingJobArn": record.arn,
        }
        for key in (
            "LabelAttributeName",
            "InputConfig",
            "OutputConfig",
            "RoleArn",
            "LabelCategoryConfigS3Uri",
            "StoppingConditions",
            "LabelingJobAlgorithmsConfig",
            "HumanTaskConfig",
        ):
            if key in request:
                description[key] = request[key]
        if tags:
            description["Tags"] = tags
        if record.failure_reason:
            description["FailureReason"] = record.failure_reason
        if record.output_dataset_s3_uri:
            description["LabelingJobOutput"] = {"OutputDatasetS3Uri": record.output_dataset_s3_uri}
        return description

    # -- workforces, workteams, human task UIs ---------------------------------------------

    def insert_resource(self, resource: Resource) -> bool:
        """Store a new resource; False when one of that kind and name exists in the region."""
        with self.connection() as conn:
            try:
                conn.execute(
                    "INSERT INTO resources (kind, region, name_key, name, arn, doc,"
                    " creation_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        resource.kind,
                        resource.region,
                        resource.name.lower(),
                        resource.name,
                        resource.arn,
                        json.dumps(resource.doc),
                        resource.creation_time,
                    ),
                )
            except sqlite3.IntegrityError:
                return False
        return True

    def get_resource(self, kind: str, region: str, name: str) -> Resource | None:
        with self.connection() as conn:
            row = conn.execute(
                "SELECT * FROM resources WHERE kind = ? AND region = ? AND name_key = ?",
                (kind, region, name.lower()),
            ).fetchone()
        return _resource(row) if row else None

    def get_resource_by_arn(self, arn: str) -> Resource | None:
        with self.connection() as conn:
            row = conn.execute("SELECT * FROM resources WHERE arn = ?", (arn,)).fetchone()
        return _resource(row) if row else None

    def update_resource(self, kind: str, region: str, name: str, doc: dict[str, Any]) -> None:
        with self.connection() as conn:
            conn.execute(
                "UPDATE resources SET doc = ? WHERE kind = ? AND region = ? AND name_key = ?",
                (json.dumps(doc), kind, region, name.lower()),
            )

    def delete_resource(self, kind: str, region: str, name: str) -> bool:
        with self.connection() as conn:
            resource = self.get_resource(kind, region, name)
            if resource is None:
                return False
            conn.execute("DELETE FROM resources WHERE arn = ?", (resource.arn,))
            conn.execute("DELETE FROM tags WHERE arn = ?", (resource.arn,))
        return True

    def list_resources(self, kind: str, region: str) -> list[Resource]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT * FROM resources WHERE kind = ? AND region = ? ORDER BY rowid",
                (kind, region),
            ).fetchall()
        return [_resource(row) for row in rows]

    # -- tags ------------------------------------------------------------------------------

    def add_tags(self, arn: str, tags: Iterable[dict[str, str]]) -> None:
        """Add or overwrite tags, keeping the order in which keys were first added."""
        with self.connection() as conn:
            row = conn.execute(
                "SELECT COALESCE(MAX(position), -1) AS top FROM tags WHERE arn = ?", (arn,)
            ).fetchone()
            position = row["top"] + 1
            for tag in tags:
                updated = conn.execute(
                    "UPDATE tags SET value = ? WHERE arn = ? AND key = ?",
                    (tag.get("Value", ""), arn, tag["Key"]),
                ).rowcount
                if not updated:
                    conn.execute(
                        "INSERT INTO tags (arn, key, value, position) VALUES (?, ?, ?, ?)",
                        (arn, tag["Key"], tag.get("Value", ""), position),
                    )
                    position += 1

    def list_tags(self, arn: str) -> list[dict[str, str]]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT key, value FROM tags WHERE arn = ? ORDER BY position", (arn,)
            ).fetchall()
        return [{"Key": row["key"], "Value": row["value"]} for row in rows]

    def delete_tags(self, arn: str, keys: Iterable[str]) -> None:
        with self.connection() as conn:
            conn.executemany(
                "DELETE FROM tags WHERE arn = ? AND key = ?", ((arn, key) for key in keys)
            )
