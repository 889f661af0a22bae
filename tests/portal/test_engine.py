"""Task semantics and output files, against a real store and the real local S3.

The clock is explicit: tests pass `now` instead of sleeping through time limits.
"""

import json
import time

import pytest
from groundtruth_local.tasks import TaskEngine, TaskRefusedError
from portal_helpers import LABELS, EngineEnv, worker

ANSWER = {"crowd-image-classifier": {"label": "dog"}}


def _start(env: EngineEnv, name: str, objects: int, **task: int):
    description = env.make_job(name, objects, **task)
    env.finisher.adopt(description)
    config = env.engine.config(name)
    assert config is not None
    return config, description["HumanTaskConfig"]["WorkteamArn"]


def test_each_object_gets_distinct_workers_and_never_twice(engine_env: EngineEnv) -> None:
    _, team = _start(engine_env, "distinct", 2, workers=2)
    w1, w2 = worker(1, team), worker(2, team)
    now = time.time()
    first = engine_env.engine.claim("distinct", w1, now)
    assert first is not None and first.object_id == 0
    # Claiming again resumes the open task instead of handing out a second one.
    assert engine_env.engine.claim("distinct", w1, now).task_id == first.task_id
    engine_env.engine.submit(first.task_id, w1, ANSWER, now)
    second = engine_env.engine.claim("distinct", w1, now)
    assert second.object_id == 1  # not object 0 again
    engine_env.engine.submit(second.task_id, w1, ANSWER, now)
    assert engine_env.engine.claim("distinct", w1, now) is None
    for object_id in (0, 1):
        task = engine_env.engine.claim("distinct", w2, now)
        assert task.object_id == object_id
        engine_env.engine.submit(task.task_id, w2, ANSWER, now)
    assert engine_env.engine.claim("distinct", w2, now) is None
    engine_env.finisher.tick(now + 1)
    job = engine_env.context.store.describe_job("distinct")
    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"]["HumanLabeled"] == 2


def test_timed_out_task_goes_back_to_the_pool(engine_env: EngineEnv) -> None:
    config, team = _start(engine_env, "timeout", 1, time_limit=30)
    w1, w2 = worker(1, team), worker(2, team)
    now = time.time()
    task = engine_env.engine.claim("timeout", w1, now)
    assert engine_env.engine.claim("timeout", w2, now) is None  # the only slot is taken
    engine_env.engine.expire(config, now + 31)
    with pytest.raises(TaskRefusedError, match="expired"):
        engine_env.engine.submit(task.task_id, w1, ANSWER, now + 32)
    again = engine_env.engine.claim("timeout", w2, now + 32)
    assert again is not None and again.object_id == task.object_id


def test_submission_after_the_time_limit_is_refused_even_before_a_tick(
    engine_env: EngineEnv,
) -> None:
    _, team = _start(engine_env, "late", 1, time_limit=30)
    w1 = worker(1, team)
    now = time.time()
    task = engine_env.engine.claim("late", w1, now)
    with pytest.raises(TaskRefusedError, match="expired"):
        engine_env.engine.submit(task.task_id, w1, ANSWER, now + 31)
    assert engine_env.engine.assignment_for(task.task_id, w1).state == "active"


def test_object_past_its_lifetime_fails_and_the_job_still_completes(
    engine_env: EngineEnv,
) -> None:
    _, team = _start(engine_env, "lifetime", 2, lifetime=60)
    w1 = worker(1, team)
    now = time.time()
    task = engine_env.engine.claim("lifetime", w1, now)
    engine_env.engine.submit(task.task_id, w1, ANSWER, now + 1)
    engine_env.finisher.tick(now + 61)
    job = engine_env.context.store.describe_job("lifetime")
    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"]["FailedNonRetryableError"] == 1
    assert job["LabelCounters"]["HumanLabeled"] == 1
    manifest = engine_env.read("out/lifetime/manifests/output/output.manifest").splitlines()
    assert [json.loads(line)["source-ref"].rsplit("/", 1)[1] for line in manifest] == ["0.png"]


def test_max_concurrent_task_count_bounds_objects_in_flight(engine_env: EngineEnv) -> None:
    _, team = _start(engine_env, "concurrent", 5, max_concurrent=2)
    store = engine_env.context.store
    now = time.time()
    tasks = [engine_env.engine.claim("concurrent", worker(n, team), now) for n in range(3)]
    assert [t.object_id for t in tasks[:2]] == [0, 1]
    assert tasks[2] is None  # both in-flight objects are taken; the rest must wait
    assert store.object_status_counts("concurrent")["in_flight"] == 2
    engine_env.engine.submit(tasks[0].task_id, worker(0, team), ANSWER, now)
    engine_env.finisher.tick(now + 1)
    assert store.object_status_counts("concurrent") == {
        "pending": 2,
        "in_flight": 2,
        "labeled": 1,
        "failed": 0,
    }


def test_stopping_condition_stops_the_job_with_its_labels(engine_env: EngineEnv) -> None:
    _, team = _start(engine_env, "stopcond", 5, max_labeled=2)
    w1 = worker(1, team)
    now = time.time()
    for _ in range(2):
        task = engine_env.engine.claim("stopcond", w1, now)
        engine_env.engine.submit(task.task_id, w1, ANSWER, now)
    assert engine_env.engine.claim("stopcond", w1, now) is None  # no more than the limit
    engine_env.finisher.tick(now + 1)
    job = engine_env.context.store.describe_job("stopcond")
    assert job["LabelingJobStatus"] == "Stopped"
    assert job["LabelCounters"]["HumanLabeled"] == 2
    uri = job["LabelingJobOutput"]["OutputDatasetS3Uri"]
    assert uri == "s3://gt-engine/out/stopcond/manifests/output/output.manifest"
    assert len(engine_env.read(uri.split("/", 3)[3]).splitlines()) == 2


def test_percentage_stopping_condition(engine_env: EngineEnv) -> None:
    _, team = _start(engine_env, "percent", 10, max_percent=30)
    w1 = worker(1, team)
    now = time.time()
    labeled = 0
    while (task := engine_env.engine.claim("percent", w1, now)) is not None:
        engine_env.engine.submit(task.task_id, w1, ANSWER, now)
        labeled += 1
    assert labeled == 3  # 30% of 10 objects
    engine_env.finisher.tick(now + 1)
    job = engine_env.context.store.describe_job("percent")
    assert job["LabelingJobStatus"] == "Stopped"
    assert job["LabelCounters"]["HumanLabeled"] == 3
    assert job["LabelCounters"]["Unlabeled"] == 7


def test_decline_returns_the_task_to_others_only(engine_env: EngineEnv) -> None:
    _, team = _start(engine_env, "decline", 2)
    w1, w2 = worker(1, team), worker(2, team)
    now = time.time()
    task = engine_env.engine.claim("decline", w1, now)
    engine_env.engine.decline(task.task_id, w1, now)
    assert engine_env.engine.claim("decline", w1, now).object_id == 1
    assert engine_env.engine.claim("decline", w2, now).object_id == 0
    with pytest.raises(TaskRefusedError, match="declined"):
        engine_env.engine.submit(task.task_id, w1, ANSWER, now)


def test_bad_submissions_are_refused_and_change_nothing(engine_env: EngineEnv) -> None:
    _, team = _start(engine_env, "refuse", 1)
    w1, w2 = worker(1, team), worker(2, team)
    outsider = worker(3, "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/x")
    now = time.time()
    task = engine_env.engine.claim("refuse", w1, now)
    with pytest.raises(TaskRefusedError, match="not assigned to you"):
        engine_env.engine.submit(task.task_id, w2, ANSWER, now)
    with pytest.raises(TaskRefusedError, match="not one of this job's categories"):
        engine_env.engine.submit(
            task.task_id, w1, {"crowd-image-classifier": {"label": "horse"}}, now
        )
    with pytest.raises(TaskRefusedError, match="exactly one key"):
        engine_env.engine.submit(task.task_id, w1, {"other": {"label": "dog"}}, now)
    with pytest.raises(TaskRefusedError, match="No labeling job"):
        engine_env.engine.claim("refuse", outsider, now)
    assert engine_env.engine.assignment_for(task.task_id, w1).state == "active"
    engine_env.engine.submit(task.task_id, w1, ANSWER, now)
    with pytest.raises(TaskRefusedError, match="already submitted"):
        engine_env.engine.submit(task.task_id, w1, ANSWER, now)
    assert len(engine_env.engine.submitted_answers("refuse")) == 1


def test_stop_writes_what_exists(engine_env: EngineEnv) -> None:
    _, team = _start(engine_env, "stopped", 3)
    w1, w2 = worker(1, team), worker(2, team)
    now = time.time()
    task = engine_env.engine.claim("stopped", w1, now)
    engine_env.engine.submit(task.task_id, w1, ANSWER, now)
    open_task = engine_env.engine.claim("stopped", w2, now)
    engine_env.context.store.set_job_status("stopped", "Stopping")
    engine_env.finisher.stop("stopped")
    job = engine_env.context.store.describe_job("stopped")
    assert job["LabelingJobStatus"] == "Stopped"
    assert job["LabelCounters"] == {
        "TotalLabeled": 1,
        "HumanLabeled": 1,
        "MachineLabeled": 0,
        "FailedNonRetryableError": 0,
        "Unlabeled": 2,
    }
    lines = engine_env.read("out/stopped/manifests/output/output.manifest").splitlines()
    assert len(lines) == 1
    with pytest.raises(TaskRefusedError):
        engine_env.engine.submit(open_task.task_id, w2, ANSWER, now)


def test_output_files_have_ground_truth_layout_and_field_order(engine_env: EngineEnv) -> None:
    _, team = _start(engine_env, "Format-Job", 2, workers=2)
    workers = [worker(1, team), worker(2, team)]
    now = time.time()
    for w in workers:
        for _ in range(2):
            task = engine_env.engine.claim("Format-Job", w, now)
            comment = {"workerComment": "looks like a dog"} if w is workers[0] else {}
            answer = {"crowd-image-classifier": {"label": "dog", **comment}}
            engine_env.engine.submit(task.task_id, w, answer, now + 2.5)
    engine_env.finisher.tick(now + 3)
    prefix = "out/Format-Job/"
    keys = engine_env.keys(prefix)
    worker_files = [k for k in keys if "/annotations/worker-response/iteration-1/" in k]
    assert len(worker_files) == 2
    document = json.loads(engine_env.read(worker_files[0]))
    answer = document["answers"][0]
    assert list(answer) == [
        "workerId",
        "answerContent",
        "acceptanceTime",
        "submissionTime",
        "timeSpentInSeconds",
        "workerMetadata",
    ]
    assert answer["timeSpentInSeconds"] == 2.5
    assert answer["acceptanceTime"].endswith("Z") and len(answer["acceptanceTime"]) == 24
    assert answer["workerMetadata"]["identityData"]["identityProviderType"] == "Cognito"
    assert {a["workerId"] for a in document["answers"]} == {w.worker_id for w in workers}
    requests = [k for k in keys if "/consolidation-request/iteration-1/" in k]
    responses = [k for k in keys if "/consolidation-response/iteration-1/" in k]
    assert len(requests) == len(responses) == 1
    request = json.loads(engine_env.read(requests[0]))
    assert list(request[0]) == ["datasetObjectId", "dataObject", "annotations"]
    content = json.loads(request[0]["annotations"][0]["annotationData"]["content"])
    assert content["crowd-image-classifier"]["label"] == "dog"
    response = json.loads(engine_env.read(responses[0]))
    assert response[0]["datasetObjectId"] == "0"
    assert list(response[0]["consolidatedAnnotation"]["content"]) == ["animal", "animal-metadata"]
    final = engine_env.read(prefix + "manifests/output/output.manifest")
    assert final == engine_env.read(prefix + "manifests/intermediate/1/output.manifest")
    for line in final.splitlines():
        row = json.loads(line)
        assert list(row) == ["source-ref", "truth", "animal", "animal-metadata"]
        metadata = row["animal-metadata"]
        assert list(metadata) == [
            "confidence",
            "job-name",
            "class-name",
            "human-annotated",
            "creation-date",
            "type",
        ]
        assert row["animal"] == LABELS.index("dog") and metadata["class-name"] == "dog"
        assert metadata["job-name"] == "labeling-job/format-job"
        assert metadata["type"] == "groundtruth/image-classification"
        assert 0 <= metadata["confidence"] <= 1
        assert ',"' in line and ", " not in line  # compact, as Ground Truth writes it


def test_state_survives_a_new_engine_over_the_same_store(engine_env: EngineEnv) -> None:
    _, team = _start(engine_env, "restart", 2)
    w1 = worker(1, team)
    now = time.time()
    task = engine_env.engine.claim("restart", w1, now)
    fresh = TaskEngine(engine_env.context.store)
    assert fresh.claim("restart", w1, now).task_id == task.task_id
    fresh.submit(task.task_id, w1, ANSWER, now)
    with pytest.raises(TaskRefusedError, match="already submitted"):
        engine_env.engine.submit(task.task_id, w1, ANSWER, now)


def test_a_failed_write_is_redone_on_the_next_tick(engine_env: EngineEnv) -> None:
    """A batch is committed before its files: an S3 failure mid-way loses nothing."""
    _, team = _start(engine_env, "rewrite", 2)
    w1 = worker(1, team)
    now = time.time()
    for _ in range(2):
        task = engine_env.engine.claim("rewrite", w1, now)
        engine_env.engine.submit(task.task_id, w1, ANSWER, now)
    real_put, calls = engine_env.finisher.put, []

    def failing_put(bucket: str, key: str, body: bytes) -> None:
        calls.append(key)
        if len(calls) == 2:  # the first file landed, the second one fails
            raise ConnectionError("injected: S3 went away")
        real_put(bucket, key, body)

    engine_env.finisher.put = failing_put
    with pytest.raises(ConnectionError):
        engine_env.finisher.tick(now + 1)
    store = engine_env.context.store
    assert store.object_status_counts("rewrite")["labeled"] == 0  # not marked before written
    engine_env.finisher.put = real_put
    engine_env.finisher.tick(now + 2)
    job = store.describe_job("rewrite")
    assert job["LabelingJobStatus"] == "Completed"
    assert job["LabelCounters"]["HumanLabeled"] == 2
    lines = engine_env.read("out/rewrite/manifests/output/output.manifest").splitlines()
    assert len(lines) == 2
    prefix = "out/rewrite/annotations/consolidated-annotation/consolidation-response/"
    assert len(engine_env.keys(prefix)) == 1  # the same batch, written once more, not twice
