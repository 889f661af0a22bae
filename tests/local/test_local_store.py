"""The store's contract with the task engine: data objects, counters, status transitions."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from groundtruth_local.store import InvalidTransitionError, JobRecord, Store


def _job(name: str, status: str = "Initializing") -> JobRecord:
    return JobRecord(
        name=name,
        region="us-east-1",
        arn=f"arn:aws:sagemaker:us-east-1:1:labeling-job/{name}",
        status=status,
        request={"HumanTaskConfig": {}},
        workteam_arn="team",
        job_reference_code="ref",
        creation_time=1.0,
        last_modified_time=1.0,
        failure_reason=None,
        output_dataset_s3_uri=None,
    )


def _true_counts(store: Store, job: str) -> dict[str, int]:
    with store.connection() as conn:
        rows = conn.execute(
            "SELECT status, COUNT(*) FROM data_objects WHERE job_name = ? GROUP BY status", (job,)
        ).fetchall()
    return dict(rows)


def test_counters_follow_any_sql_the_task_engine_runs(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_data_objects("j", [f'{{"source-ref": "s3://b/{i}"}}' for i in range(500)])
    store.put_data_objects("other", ['{"source-ref": "s3://b/x"}'] * 3)
    rng = random.Random(5)
    with store.connection() as conn:
        for index in rng.sample(range(500), 200):
            status = rng.choice(["pending", "in_flight", "labeled", "failed"])
            conn.execute(
                "UPDATE data_objects SET status = ? WHERE job_name = 'j' AND object_id = ?",
                (status, index),
            )
        conn.execute("UPDATE data_objects SET status = 'labeled' WHERE object_id % 7 = 0")
        conn.execute("DELETE FROM data_objects WHERE job_name = 'j' AND object_id < 5")
    counts = {k: v for k, v in store.object_status_counts("j").items() if v}
    assert counts == _true_counts(store, "j")
    counters = store.label_counters("j")
    truth = _true_counts(store, "j")
    assert counters["TotalLabeled"] == counters["HumanLabeled"] == truth.get("labeled", 0)
    assert counters["FailedNonRetryableError"] == truth.get("failed", 0)
    assert counters["Unlabeled"] == truth.get("pending", 0) + truth.get("in_flight", 0)
    assert counters["MachineLabeled"] == 0
    store.close()
    reopened = Store(tmp_path)
    assert {k: v for k, v in reopened.object_status_counts("j").items() if v} == truth


def test_a_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_data_objects("j", ['{"source-ref": "s3://b/1"}'] * 4)
    with pytest.raises(RuntimeError), store.connection() as conn:
        conn.execute("UPDATE data_objects SET status = 'labeled'")
        raise RuntimeError("crash mid-way")
    assert store.label_counters("j")["Unlabeled"] == 4


def test_status_transitions(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert store.insert_job(_job("Job"))
    assert not store.insert_job(_job("JOB"))  # names are unique case-insensitively
    store.set_job_status("Job", "InProgress")
    store.set_job_status("Job", "Completed", output_dataset_s3_uri="s3://b/out/output.manifest")
    description = store.describe_job("Job")
    assert description is not None
    assert description["LabelingJobOutput"] == {"OutputDatasetS3Uri": "s3://b/out/output.manifest"}
    with pytest.raises(InvalidTransitionError):
        store.set_job_status("Job", "InProgress")
    with pytest.raises(InvalidTransitionError):
        store.set_job_status("Job", "Running")
    with pytest.raises(KeyError):
        store.set_job_status("nobody", "Stopped")
    assert [job.name for job in store.list_jobs_in_status("Completed")] == ["Job"]
