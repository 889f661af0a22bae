"""The reconciler against a real local Ground Truth (`groundtruth local up`), no Kubernetes.

Each test drives the same calls the kopf handlers make (ensure, sync, delete) and checks
what Ground Truth itself then reports, through boto3 against the same server.
"""

from __future__ import annotations

import pytest
from groundtruth_operator.reconciler import ADOPT_ANNOTATION, Resource
from groundtruth_operator.request import TAG_UID
from local_gt_support import LocalGroundTruthProcess, make_labeling_job_request
from operator_world import World, applied, make_world, sync_until


@pytest.fixture
def world(local_gt: LocalGroundTruthProcess, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(local_gt, monkeypatch)


def _ready(resource: Resource) -> dict[str, str]:
    return next(c for c in resource.status["conditions"] if c["type"] == "Ready")


def test_create_goes_initializing_then_in_progress(world: World) -> None:
    resource = world.resource(world.spec())
    outcome = world.reconciler.ensure(resource, world.defaults)
    resource = applied(resource, outcome)
    assert resource.status["phase"] == "Initializing"
    assert resource.status["labelingJobName"].startswith(resource.name + "-")
    assert [event.reason for event in outcome.events] == ["Created"]
    cors = next(c for c in resource.status["conditions"] if c["type"] == "InputBucketCors")
    assert cors["status"] == "True"

    job = world.sagemaker().describe_labeling_job(
        LabelingJobName=resource.status["labelingJobName"]
    )
    assert job["LabelingJobArn"] == resource.status["labelingJobArn"]
    tags = {tag["Key"]: tag["Value"] for tag in job["Tags"]}
    assert tags[TAG_UID] == resource.uid
    # The rendered template and label file were uploaded where the request points.
    s3 = world.gt.client("s3")
    template_uri = job["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"]
    bucket, _, key = template_uri.removeprefix("s3://").partition("/")
    assert b"<p>Cat or dog?</p>" in s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    resource = sync_until(world, resource, lambda r: r.status["phase"] == "InProgress")
    assert _ready(resource)["status"] == "True"
    assert resource.status["totalObjects"] == 4
    assert resource.status["labelCounters"]["unlabeled"] == 4


def test_ensure_again_with_status_written_creates_nothing(world: World) -> None:
    resource = applied(
        r := world.resource(world.spec()), world.reconciler.ensure(r, world.defaults)
    )
    before = world.calls("CreateLabelingJob")
    again = world.reconciler.ensure(resource, world.defaults)
    assert world.calls("CreateLabelingJob") == before
    assert again.events == [] or all(e.reason != "Created" for e in again.events)


def test_crash_between_create_and_status_write_adopts_own_job(world: World) -> None:
    resource = world.resource(world.spec())
    first = world.reconciler.ensure(resource, world.defaults)
    # The status write never happened: the operator restarts and sees the bare resource.
    second = world.reconciler.ensure(resource, world.defaults)
    assert second.status["labelingJobArn"] == first.status["labelingJobArn"]
    assert [event.reason for event in second.events][:1] == ["Recovered"]
    jobs = world.sagemaker().list_labeling_jobs(NameContains=first.status["labelingJobName"])
    assert len(jobs["LabelingJobSummaryList"]) == 1


def test_foreign_job_with_the_name_is_never_touched(world: World, unique_name) -> None:
    name = unique_name("foreign")
    world.sagemaker().create_labeling_job(**make_labeling_job_request(world.gt, name))
    resource = world.resource(world.spec(labelingJobName=name))
    outcome = world.reconciler.ensure(resource, world.defaults)
    resource = applied(resource, outcome)
    ready = _ready(resource)
    assert (ready["status"], ready["reason"]) == ("False", "NameInUse")
    assert name in ready["message"] and ADOPT_ANNOTATION in ready["message"]
    assert "labelingJobArn" not in resource.status
    # Deleting the refused resource must not stop the other job.
    done = world.reconciler.delete(resource)
    assert done.done
    job = world.sagemaker().describe_labeling_job(LabelingJobName=name)
    assert job["LabelingJobStatus"] in ("Initializing", "InProgress")


def test_adopt_annotation_takes_over_an_existing_job(world: World, unique_name) -> None:
    name = unique_name("adopt")
    arn = world.sagemaker().create_labeling_job(**make_labeling_job_request(world.gt, name))[
        "LabelingJobArn"
    ]
    resource = world.resource(
        world.spec(labelingJobName=name), annotations={ADOPT_ANNOTATION: "true"}
    )
    before = world.calls("CreateLabelingJob")
    resource = applied(resource, world.reconciler.ensure(resource, world.defaults))
    assert resource.status["labelingJobArn"] == arn
    assert _ready(resource)["reason"] != "NameInUse"
    assert world.calls("CreateLabelingJob") == before


def test_delete_stops_a_running_job_and_holds_until_stopped(world: World) -> None:
    resource = applied(
        r := world.resource(world.spec()), world.reconciler.ensure(r, world.defaults)
    )
    resource = sync_until(world, resource, lambda r: r.status["phase"] == "InProgress")
    name = resource.status["labelingJobName"]
    first = world.reconciler.delete(resource)
    assert first.retry_after is not None and not first.done  # finalizer held
    assert [event.reason for event in first.events] == ["Stopping"]
    outcome = first
    for _ in range(300):
        if outcome.done:
            break
        import time  # noqa: PLC0415

        time.sleep(0.1)
        outcome = world.reconciler.delete(resource)
    assert outcome.done
    job = world.sagemaker().describe_labeling_job(LabelingJobName=name)
    assert job["LabelingJobStatus"] == "Stopped"


def test_orphan_policy_leaves_the_job_running(world: World) -> None:
    resource = world.resource(world.spec(deletionPolicy="Orphan"))
    resource = applied(resource, world.reconciler.ensure(resource, world.defaults))
    resource = sync_until(world, resource, lambda r: r.status["phase"] == "InProgress")
    stops = world.calls("StopLabelingJob")
    outcome = world.reconciler.delete(resource)
    assert outcome.done and [event.reason for event in outcome.events] == ["Orphaned"]
    assert world.calls("StopLabelingJob") == stops
    job = world.sagemaker().describe_labeling_job(
        LabelingJobName=resource.status["labelingJobName"]
    )
    assert job["LabelingJobStatus"] == "InProgress"


def test_aws_refusal_is_shown_verbatim(world: World) -> None:
    # The model allows this name; Ground Truth refuses attribute names ending in -metadata.
    resource = world.resource(world.spec(labelAttributeName="label-metadata"))
    before = world.calls("CreateLabelingJob")
    resource = applied(resource, world.reconciler.ensure(resource, world.defaults))
    ready = _ready(resource)
    assert (ready["status"], ready["reason"]) == ("False", "CreateFailed")
    assert ready["message"].startswith("CreateLabelingJob: ValidationException: ")
    assert "metadata" in ready["message"]
    assert world.calls("CreateLabelingJob") == before + 1
    assert "labelingJobArn" not in resource.status


def test_missing_cors_is_a_warning_not_a_failure(
    local_gt: LocalGroundTruthProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(local_gt, monkeypatch, cors=False)
    resource = world.resource(world.spec())
    outcome = world.reconciler.ensure(resource, world.defaults)
    resource = applied(resource, outcome)
    assert resource.status["phase"] == "Initializing"
    cors = next(c for c in resource.status["conditions"] if c["type"] == "InputBucketCors")
    assert (cors["status"], cors["reason"]) == ("False", "MissingCors")
    warnings = [event for event in outcome.events if event.type == "Warning"]
    assert warnings and world.bucket in warnings[0].message


@pytest.mark.faults
def test_throttling_is_retried_with_backoff_never_fatal(
    local_gt_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    gt = local_gt_factory()
    world = make_world(gt, monkeypatch)
    resource = world.resource(world.spec())
    gt.set_faults(throttle=1.0)
    outcome = world.reconciler.ensure(resource, world.defaults)
    throttled = applied(resource, outcome)
    synced = next(c for c in throttled.status["conditions"] if c["type"] == "Synced")
    assert (synced["status"], synced["reason"]) == ("False", "Throttled")
    assert outcome.retry_after is not None and outcome.retry_after > 0
    assert "labelingJobArn" not in throttled.status
    # A second throttle backs off further.
    again = world.reconciler.ensure(resource, world.defaults)
    assert again.retry_after is not None and again.retry_after > outcome.retry_after * 0.6
    gt.set_faults()
    created = applied(resource, world.reconciler.ensure(throttled, world.defaults))
    assert created.status["phase"] == "Initializing"
    synced = next(c for c in created.status["conditions"] if c["type"] == "Synced")
    assert synced["status"] == "True"
    assert len(gt.client("sagemaker").list_labeling_jobs()["LabelingJobSummaryList"]) == 1


@pytest.mark.faults
def test_throttled_sync_keeps_status_and_recovers(
    local_gt_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    gt = local_gt_factory()
    world = make_world(gt, monkeypatch)
    resource = applied(
        r := world.resource(world.spec()), world.reconciler.ensure(r, world.defaults)
    )
    resource = sync_until(world, resource, lambda r: r.status["phase"] == "InProgress")
    gt.set_faults(throttle=1.0)
    world.syncer.invalidate(gt.region)
    outcome = world.reconciler.sync(resource)
    assert outcome.retry_after is not None
    throttled = applied(resource, outcome)
    assert throttled.status["phase"] == "InProgress"  # what we knew is kept, not erased
    synced = next(c for c in throttled.status["conditions"] if c["type"] == "Synced")
    assert (synced["status"], synced["reason"]) == ("False", "Throttled")
    assert "ThrottlingException" in synced["message"]
    gt.set_faults()
    world.syncer.invalidate(gt.region)
    recovered = applied(throttled, world.reconciler.sync(throttled))
    synced = next(c for c in recovered.status["conditions"] if c["type"] == "Synced")
    assert synced["status"] == "True"
