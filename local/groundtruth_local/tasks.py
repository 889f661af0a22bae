"""The task engine: who labels which data object when, kept entirely in SQLite.

Every decision lives in the store's database (tables prefixed `tasks_`) and every change is
one transaction, so a killed server restarts where it stopped and a submit is either fully
recorded or not at all. Rules (Ground Truth's, see GROUND_TRUTH.md):

- an object is admitted ("in flight") while fewer than MaxConcurrentTaskCount are, and its
  TaskAvailabilityLifetimeInSeconds clock starts then;
- it needs NumberOfHumanWorkersPerDataObject answers from distinct workers, and a worker is
  never offered the same object twice (a UNIQUE constraint, not a convention);
- a task not submitted within TaskTimeLimitInSeconds goes back to the pool, as does a
  declined one;
- an object whose lifetime ends with no answer fails (FailedNonRetryableError); with some
  answers it is consolidated with what it has.

The engine knows nothing about HTTP; `portal/finishing.py` turns finished objects into
output files.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from groundtruth_local.store import Store

log = logging.getLogger(__name__)

DEFAULT_MAX_CONCURRENT = 1000
MAX_COMMENT_CHARS = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks_jobs (
    job_name TEXT PRIMARY KEY,
    workteam_arn TEXT NOT NULL,
    config TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'running',
    last_batch_stamp TEXT
);
CREATE TABLE IF NOT EXISTS tasks_objects (
    job_name TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    available_at REAL NOT NULL,
    batch_id INTEGER,
    result TEXT,
    PRIMARY KEY (job_name, object_id)
);
CREATE TABLE IF NOT EXISTS tasks_assignments (
    task_id TEXT PRIMARY KEY,
    job_name TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    worker_sub TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    issuer TEXT NOT NULL,
    state TEXT NOT NULL,
    accepted_at REAL NOT NULL,
    deadline REAL NOT NULL,
    submitted_at REAL,
    answer TEXT,
    label_index INTEGER,
    UNIQUE (job_name, object_id, worker_sub)
);
CREATE INDEX IF NOT EXISTS tasks_assignments_object
    ON tasks_assignments(job_name, object_id, state);
CREATE INDEX IF NOT EXISTS tasks_assignments_worker
    ON tasks_assignments(job_name, worker_sub, state);
CREATE TABLE IF NOT EXISTS tasks_batches (
    batch_id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_name TEXT NOT NULL,
    created_at REAL NOT NULL,
    written INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL
);
"""


class TaskRefusedError(Exception):
    """A worker action the rules forbid; `message` is shown to the worker as is."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Worker:
    """A signed-in worker: Cognito identity plus the workteams they belong to."""

    sub: str
    worker_id: str
    issuer: str
    username: str
    teams: frozenset[str]


@dataclass(frozen=True)
class JobConfig:
    """What the engine needs of a job, snapshotted when it starts (the job can't change)."""

    job_name: str
    workteam_arn: str
    attribute: str
    labels: list[str]
    template: str
    classifier_name: str
    workers_per_object: int
    time_limit: int
    lifetime: int
    max_concurrent: int
    max_labeled: int | None
    total_objects: int
    output_path: str
    title: str
    description: str

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> JobConfig:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class Assignment:
    task_id: str
    job_name: str
    object_id: int
    state: str
    accepted_at: float
    deadline: float
    source_ref: str
    line: str


@dataclass(frozen=True)
class JobSummary:
    job_name: str
    title: str
    description: str
    available: int
    active_task: str | None


class TaskEngine:
    """Assignments and answers over the shared store; all methods take `now` explicitly."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.connection() as conn:
            _create_schema(conn)

    # -- jobs ------------------------------------------------------------------------------

    def start_job(self, config: JobConfig) -> None:
        with self.store.connection() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO tasks_jobs (job_name, workteam_arn, config)"
                " VALUES (?, ?, ?)",
                (config.job_name, config.workteam_arn, config.to_json()),
            )
        log.info("task engine started job", extra={"job": config.job_name})

    def known_jobs(self) -> set[str]:
        with self.store.connection() as conn:
            return {row[0] for row in conn.execute("SELECT job_name FROM tasks_jobs")}

    def running_jobs(self) -> list[JobConfig]:
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT config FROM tasks_jobs WHERE state = 'running' ORDER BY rowid"
            ).fetchall()
        return [JobConfig.from_json(row[0]) for row in rows]

    def config(self, job_name: str) -> JobConfig | None:
        with self.store.connection() as conn:
            row = conn.execute(
                "SELECT config FROM tasks_jobs WHERE job_name = ?", (job_name,)
            ).fetchone()
        return JobConfig.from_json(row[0]) if row else None

    def job_state(self, job_name: str) -> str | None:
        with self.store.connection() as conn:
            row = conn.execute(
                "SELECT state FROM tasks_jobs WHERE job_name = ?", (job_name,)
            ).fetchone()
        return row[0] if row else None

    def set_job_state(self, job_name: str, state: str) -> None:
        with self.store.connection() as conn:
            conn.execute("UPDATE tasks_jobs SET state = ? WHERE job_name = ?", (state, job_name))

    # -- worker-facing ---------------------------------------------------------------------

    def jobs_for(self, worker: Worker, now: float) -> list[JobSummary]:
        """Running jobs of the worker's teams, with how much work is there for them."""
        summaries = []
        for config in self.running_jobs():
            if config.workteam_arn not in worker.teams:
                continue
            with self.store.connection() as conn:
                self._admit(conn, config, now)
                active = self._active_task(conn, config.job_name, worker.sub)
                available = len(self._open_objects(conn, config, worker.sub, limit=None))
            if available or active:
                summaries.append(
                    JobSummary(config.job_name, config.title, config.description, available, active)
                )
        return summaries

    def claim(self, job_name: str, worker: Worker, now: float) -> Assignment | None:
        """The worker's current task in the job, or a new one; None when nothing is left."""
        config = self._running_config_for(job_name, worker)
        with self.store.connection() as conn:
            active = self._active_task(conn, job_name, worker.sub)
            if active is None:
                self._admit(conn, config, now)
                candidates = self._open_objects(conn, config, worker.sub, limit=1)
                if not candidates:
                    return None
                active = secrets.token_urlsafe(16)
                conn.execute(
                    "INSERT INTO tasks_assignments (task_id, job_name, object_id, worker_sub,"
                    " worker_id, issuer, state, accepted_at, deadline)"
                    " VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)",
                    (
                        active,
                        job_name,
                        candidates[0],
                        worker.sub,
                        worker.worker_id,
                        worker.issuer,
                        now,
                        now + config.time_limit,
                    ),
                )
            assignment = self._assignment(conn, active)
        assert assignment is not None
        return assignment

    def assignment_for(self, task_id: str, worker: Worker) -> Assignment:
        """A task of this worker's (any state); refuses other workers' and unknown tasks."""
        with self.store.connection() as conn:
            assignment = self._owned(conn, task_id, worker)
        return assignment

    def submit(
        self, task_id: str, worker: Worker, answer: Mapping[str, Any], now: float
    ) -> Assignment:
        """Record an answer in one transaction, or refuse it changing nothing."""
        with self.store.connection() as conn:
            assignment = self._owned(conn, task_id, worker)
            self._check_open(conn, assignment, now)
            config = self.config(assignment.job_name)
            assert config is not None
            label_index = validate_answer(config, answer)
            conn.execute(
                "UPDATE tasks_assignments SET state = 'submitted', submitted_at = ?,"
                " answer = ?, label_index = ? WHERE task_id = ? AND state = 'active'",
                (now, json.dumps(answer), label_index, task_id),
            )
            log.info(
                "answer recorded",
                extra={"job": assignment.job_name, "object": assignment.object_id},
            )
            return assignment

    def decline(self, task_id: str, worker: Worker, now: float) -> Assignment:
        """Give the task back to the pool; this worker will not be offered the object again."""
        with self.store.connection() as conn:
            assignment = self._owned(conn, task_id, worker)
            self._check_open(conn, assignment, now)
            conn.execute(
                "UPDATE tasks_assignments SET state = 'declined', submitted_at = ?"
                " WHERE task_id = ?",
                (now, task_id),
            )
        return assignment

    # -- ticking ---------------------------------------------------------------------------

    def expire(self, config: JobConfig, now: float) -> list[int]:
        """Time out overdue tasks and end objects whose lifetime is over.

        Returns the objects that failed (no answer at all when their lifetime ended).
        """
        failed: list[int] = []
        with self.store.connection() as conn:
            conn.execute(
                "UPDATE tasks_assignments SET state = 'timed_out'"
                " WHERE job_name = ? AND state = 'active' AND deadline < ?",
                (config.job_name, now),
            )
            overdue = conn.execute(
                "SELECT o.object_id FROM tasks_objects o JOIN data_objects d"
                " ON d.job_name = o.job_name AND d.object_id = o.object_id"
                " WHERE o.job_name = ? AND d.status = 'in_flight' AND o.batch_id IS NULL"
                " AND o.available_at + ? < ?",
                (config.job_name, config.lifetime, now),
            ).fetchall()
            for (object_id,) in overdue:
                submitted = self._count(conn, config.job_name, object_id, "submitted")
                if submitted >= config.workers_per_object:
                    continue  # complete, waiting for consolidation
                conn.execute(
                    "UPDATE tasks_assignments SET state = 'expired'"
                    " WHERE job_name = ? AND object_id = ? AND state = 'active'",
                    (config.job_name, object_id),
                )
                if submitted == 0:
                    conn.execute(
                        "UPDATE data_objects SET status = 'failed'"
                        " WHERE job_name = ? AND object_id = ?",
                        (config.job_name, object_id),
                    )
                    failed.append(object_id)
                else:
                    # Marking it complete lets the next batch consolidate what it has.
                    conn.execute(
                        "UPDATE tasks_objects SET available_at = -1"
                        " WHERE job_name = ? AND object_id = ?",
                        (config.job_name, object_id),
                    )
        if failed:
            log.info("objects expired", extra={"job": config.job_name, "count": len(failed)})
        return failed

    def close_assignments(self, job_name: str) -> None:
        """A stopping job: no active task may be submitted any more."""
        with self.store.connection() as conn:
            conn.execute(
                "UPDATE tasks_assignments SET state = 'expired'"
                " WHERE job_name = ? AND state = 'active'",
                (job_name,),
            )

    def ready_objects(self, config: JobConfig, *, partial: bool) -> list[int]:
        """Unconsolidated objects with all their answers (or, if `partial`, any answer)."""
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT o.object_id, o.available_at,"
                " (SELECT COUNT(*) FROM tasks_assignments a WHERE a.job_name = o.job_name"
                "  AND a.object_id = o.object_id AND a.state = 'submitted') AS n"
                " FROM tasks_objects o JOIN data_objects d"
                " ON d.job_name = o.job_name AND d.object_id = o.object_id"
                " WHERE o.job_name = ? AND d.status = 'in_flight' AND o.batch_id IS NULL"
                " ORDER BY o.object_id",
                (config.job_name,),
            ).fetchall()
        return [
            row[0]
            for row in rows
            if row[2] >= config.workers_per_object or (row[2] > 0 and (partial or row[1] == -1))
        ]

    def submitted_answers(self, job_name: str) -> list[sqlite3.Row]:
        with self.store.connection() as conn:
            return conn.execute(
                "SELECT object_id, worker_sub, worker_id, issuer, accepted_at, submitted_at,"
                " answer, label_index FROM tasks_assignments"
                " WHERE job_name = ? AND state = 'submitted' ORDER BY object_id, submitted_at",
                (job_name,),
            ).fetchall()

    # -- internals -------------------------------------------------------------------------

    def _running_config_for(self, job_name: str, worker: Worker) -> JobConfig:
        config = self.config(job_name)
        if config is None or config.workteam_arn not in worker.teams:
            # Same answer for "no such job" and "not your team": don't reveal other teams' jobs.
            raise TaskRefusedError(f"No labeling job {job_name!r} for your work teams.", 404)
        if self.job_state(job_name) != "running":
            raise TaskRefusedError(f"Labeling job {job_name!r} no longer accepts answers.", 410)
        return config

    def _owned(self, conn: sqlite3.Connection, task_id: str, worker: Worker) -> Assignment:
        row = conn.execute(
            "SELECT worker_sub FROM tasks_assignments WHERE task_id = ?", (task_id,)
        ).fetchone()
        if row is None or row[0] != worker.sub:
            raise TaskRefusedError("This task is not assigned to you.", 404)
        assignment = self._assignment(conn, task_id)
        assert assignment is not None
        return assignment

    def _check_open(self, conn: sqlite3.Connection, assignment: Assignment, now: float) -> None:
        if assignment.state == "submitted":
            raise TaskRefusedError("This task was already submitted.")
        if assignment.state == "declined":
            raise TaskRefusedError("You declined this task.")
        if assignment.state in ("timed_out", "expired") or now > assignment.deadline:
            raise TaskRefusedError(
                "This task has expired: its time limit or availability ended.", 410
            )
        state = conn.execute(
            "SELECT state FROM tasks_jobs WHERE job_name = ?", (assignment.job_name,)
        ).fetchone()
        if state is None or state[0] != "running":
            raise TaskRefusedError("This labeling job no longer accepts answers.", 410)

    def _assignment(self, conn: sqlite3.Connection, task_id: str) -> Assignment | None:
        row = conn.execute(
            "SELECT a.task_id, a.job_name, a.object_id, a.state, a.accepted_at, a.deadline,"
            " d.line FROM tasks_assignments a JOIN data_objects d"
            " ON d.job_name = a.job_name AND d.object_id = a.object_id WHERE a.task_id = ?",
            (task_id,),
        ).fetchone()
        if row is None:
            return None
        line = row[6]
        return Assignment(
            task_id=row[0],
            job_name=row[1],
            object_id=row[2],
            state=row[3],
            accepted_at=row[4],
            deadline=row[5],
            source_ref=str(json.loads(line).get("source-ref", "")),
            line=line,
        )

    def _active_task(self, conn: sqlite3.Connection, job_name: str, sub: str) -> str | None:
        row = conn.execute(
            "SELECT task_id FROM tasks_assignments"
            " WHERE job_name = ? AND worker_sub = ? AND state = 'active'",
            (job_name, sub),
        ).fetchone()
        return row[0] if row else None

    def _count(self, conn: sqlite3.Connection, job_name: str, object_id: int, state: str) -> int:
        row = conn.execute(
            "SELECT COUNT(*) FROM tasks_assignments WHERE job_name = ? AND object_id = ?"
            " AND state = ?",
            (job_name, object_id, state),
        ).fetchone()
        return int(row[0])

    def _open_objects(
        self, conn: sqlite3.Connection, config: JobConfig, sub: str, limit: int | None
    ) -> list[int]:
        rows = conn.execute(
            "SELECT o.object_id FROM tasks_objects o JOIN data_objects d"
            " ON d.job_name = o.job_name AND d.object_id = o.object_id"
            " WHERE o.job_name = ? AND d.status = 'in_flight' AND o.batch_id IS NULL"
            " AND o.available_at >= 0"
            " AND (SELECT COUNT(*) FROM tasks_assignments a WHERE a.job_name = o.job_name"
            "      AND a.object_id = o.object_id AND a.state IN ('active', 'submitted')) < ?"
            " AND NOT EXISTS (SELECT 1 FROM tasks_assignments a WHERE a.job_name = o.job_name"
            "      AND a.object_id = o.object_id AND a.worker_sub = ?)"
            " ORDER BY o.object_id LIMIT ?",
            (config.job_name, config.workers_per_object, sub, -1 if limit is None else limit),
        ).fetchall()
        return [row[0] for row in rows]

    def _admit(self, conn: sqlite3.Connection, config: JobConfig, now: float) -> None:
        """Move pending objects in flight up to MaxConcurrentTaskCount and the stop limit."""
        counts = dict(
            conn.execute(
                "SELECT status, COUNT(*) FROM data_objects WHERE job_name = ? GROUP BY status",
                (config.job_name,),
            ).fetchall()
        )
        in_flight = counts.get("in_flight", 0)
        room = config.max_concurrent - in_flight
        if config.max_labeled is not None:
            room = min(room, config.max_labeled - in_flight - counts.get("labeled", 0))
        if room <= 0 or not counts.get("pending"):
            return
        pending = conn.execute(
            "SELECT object_id FROM data_objects WHERE job_name = ? AND status = 'pending'"
            " ORDER BY object_id LIMIT ?",
            (config.job_name, room),
        ).fetchall()
        for (object_id,) in pending:
            conn.execute(
                "UPDATE data_objects SET status = 'in_flight' WHERE job_name = ? AND object_id = ?",
                (config.job_name, object_id),
            )
            conn.execute(
                "INSERT OR REPLACE INTO tasks_objects (job_name, object_id, available_at)"
                " VALUES (?, ?, ?)",
                (config.job_name, object_id, now),
            )

    def admit(self, config: JobConfig, now: float) -> None:
        with self.store.connection() as conn:
            self._admit(conn, config, now)


def _create_schema(conn: sqlite3.Connection) -> None:
    # executescript would COMMIT the store's open transaction; run statements one by one.
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def validate_answer(config: JobConfig, answer: Mapping[str, Any]) -> int:
    """The class index of a submitted answer, or TaskRefusedError saying what is wrong."""
    if not isinstance(answer, Mapping) or set(answer) != {config.classifier_name}:
        raise TaskRefusedError(
            f"The answer must be a JSON object with exactly one key, {config.classifier_name!r}.",
            400,
        )
    content = answer[config.classifier_name]
    if not isinstance(content, Mapping) or not set(content) <= {"label", "workerComment"}:
        raise TaskRefusedError(
            f"{config.classifier_name!r} must be an object with 'label'"
            " (and optionally 'workerComment').",
            400,
        )
    label = content.get("label")
    if label not in config.labels:
        raise TaskRefusedError(
            f"Label {label!r} is not one of this job's categories: {', '.join(config.labels)}.",
            400,
        )
    comment = content.get("workerComment", "")
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT_CHARS:
        raise TaskRefusedError(
            f"workerComment must be text of at most {MAX_COMMENT_CHARS} chars.", 400
        )
    return config.labels.index(label)
