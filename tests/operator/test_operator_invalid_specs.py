"""A table of invalid LabelingJobs: each gets a specific condition naming the problem, and
none causes a CreateLabelingJob call or an upload (nothing half-created).

Run against a real local Ground Truth so "no AWS call" is what the server counted, not what
a mock was told.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from local_gt_support import LocalGroundTruthProcess
from operator_world import World, applied, make_world

WORKTEAM_ELSEWHERE = "arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/t"


def task(**changes: Any) -> Any:
    """A spec change to humanTaskConfig (None removes the field)."""
    return ("humanTaskConfig", changes)


# (id, spec changes, expected reason, expected message fragment)
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("no-input", {"inputConfig": None}, "InvalidSpec", "spec.inputConfig: is required"),
    (
        "no-title",
        {"t": task(taskTitle=None)},
        "InvalidSpec",
        "spec.humanTaskConfig.taskTitle: is required",
    ),
    (
        "unknown-field",
        {"labelz": ["a", "b"]},
        "InvalidSpec",
        "spec.labelz: is not a LabelingJob field",
    ),
    ("one-label", {"labels": ["cat"]}, "InvalidSpec", "at least 2 unique labels"),
    (
        "duplicate-labels",
        {"labels": ["cat", "dog", "cat"]},
        "InvalidSpec",
        "must not repeat a label",
    ),
    (
        "labels-and-file",
        {"labelCategoryConfigS3Uri": "s3://b/l.json"},
        "InvalidSpec",
        "exactly one of labels or labelCategoryConfigS3Uri",
    ),
    (
        "no-labels",
        {"labels": None},
        "InvalidSpec",
        "exactly one of labels or labelCategoryConfigS3Uri",
    ),
    (
        "ui-and-instructions",
        {"t": task(uiConfig={"uiTemplateS3Uri": "s3://b/t.html"})},
        "InvalidSpec",
        "exactly one of uiConfig or instructions",
    ),
    (
        "no-ui",
        {"t": task(instructions=None)},
        "InvalidSpec",
        "exactly one of uiConfig or instructions",
    ),
    (
        "ten-workers",
        {"t": task(numberOfHumanWorkersPerDataObject=10)},
        "InvalidSpec",
        "spec.humanTaskConfig.numberOfHumanWorkersPerDataObject: must be at most 9, not 10",
    ),
    (
        "zero-workers",
        {"t": task(numberOfHumanWorkersPerDataObject=0)},
        "InvalidSpec",
        "numberOfHumanWorkersPerDataObject: must be at least 1, not 0",
    ),
    (
        "workers-not-a-number",
        {"t": task(numberOfHumanWorkersPerDataObject="three")},
        "InvalidSpec",
        "spec.humanTaskConfig.numberOfHumanWorkersPerDataObject: Input should be",
    ),
    (
        "short-time-limit",
        {"t": task(taskTimeLimitInSeconds=10)},
        "InvalidSpec",
        "spec.humanTaskConfig.taskTimeLimitInSeconds: must be at least 30",
    ),
    (
        "short-lifetime",
        {"t": task(taskAvailabilityLifetimeInSeconds=30)},
        "InvalidSpec",
        "taskAvailabilityLifetimeInSeconds: must be at least 60",
    ),
    (
        "too-concurrent",
        {"t": task(maxConcurrentTaskCount=6000)},
        "InvalidSpec",
        "maxConcurrentTaskCount: must be at most 5000",
    ),
    (
        "six-keywords",
        {"t": task(taskKeywords=["a", "b", "c", "d", "e", "f"])},
        "InvalidSpec",
        "spec.humanTaskConfig.taskKeywords: allows at most 5 items",
    ),
    (
        "bad-keyword",
        {"t": task(taskKeywords=["images!"])},
        "InvalidSpec",
        "spec.humanTaskConfig.taskKeywords[0]: 'images!' does not match",
    ),
    (
        "long-title",
        {"t": task(taskTitle="x" * 129)},
        "InvalidSpec",
        "spec.humanTaskConfig.taskTitle: must be at most 128 characters",
    ),
    (
        "empty-description",
        {"t": task(taskDescription="")},
        "InvalidSpec",
        "spec.humanTaskConfig.taskDescription: must be at least 1 characters",
    ),
    (
        "bad-job-name",
        {"labelingJobName": "cats_v1"},
        "InvalidSpec",
        "spec.labelingJobName: 'cats_v1' is not a valid Ground Truth job name",
    ),
    ("long-job-name", {"labelingJobName": "j" * 64}, "InvalidSpec", "spec.labelingJobName"),
    (
        "bad-attribute",
        {"labelAttributeName": "-label"},
        "InvalidSpec",
        "spec.labelAttributeName: '-label' does not match",
    ),
    (
        "unknown-region",
        {"region": "mars-north-1"},
        "InvalidSpec",
        "spec.region: Ground Truth image classification is not available in 'mars-north-1'",
    ),
    (
        "bad-role",
        {"roleArn": "arn:aws:iam::12345:role/gt-execution"},
        "InvalidSpec",
        "spec.roleArn: 'arn:aws:iam::12345:role/gt-execution' does not match",
    ),
    (
        "short-role",
        {"roleArn": "gt-execution-role"},
        "InvalidSpec",
        "spec.roleArn: must be at least 20 characters long",
    ),
    (
        "ftp-manifest",
        {"inputConfig": {"dataSource": {"s3DataSource": {"manifestS3Uri": "ftp://x/m"}}}},
        "InvalidSpec",
        "spec.inputConfig.dataSource.s3DataSource.manifestS3Uri: 'ftp://x/m'",
    ),
    (
        "two-sources",
        {
            "inputConfig": {
                "dataSource": {
                    "s3DataSource": {"manifestS3Uri": "s3://x/m"},
                    "snsDataSource": {"snsTopicArn": "arn:aws:sns:us-east-1:123456789012:t"},
                }
            }
        },
        "InvalidSpec",
        "exactly one of s3DataSource or snsDataSource",
    ),
    (
        "workteam-elsewhere",
        {"t": task(workteamArn=WORKTEAM_ELSEWHERE)},
        "InvalidSpec",
        "the workteam is in eu-west-1 but the job runs in us-east-1",
    ),
    (
        "deletion-policy",
        {"deletionPolicy": "Delete"},
        "InvalidSpec",
        "spec.deletionPolicy: Input should be 'Stop' or 'Orphan'",
    ),
    (
        "percentage",
        {"stoppingConditions": {"maxPercentageOfInputDatasetLabeled": 101}},
        "InvalidSpec",
        "spec.stoppingConditions.maxPercentageOfInputDatasetLabeled: must be at most 100",
    ),
    (
        "classifier",
        {
            "inputConfig": {
                "dataSource": {"s3DataSource": {"manifestS3Uri": "s3://x/m"}},
                "dataAttributes": {"contentClassifiers": ["FreeOfCats"]},
            }
        },
        "InvalidSpec",
        "contentClassifiers[0]: must be one of FreeOfPersonallyIdentifiable",
    ),
    (
        "reserved-tag",
        {"tags": [{"key": "labeling.groundtruth.dev/uid", "value": "x"}]},
        "InvalidSpec",
        "spec.tags[0].key: 'labeling.groundtruth.dev/uid' uses the prefix",
    ),
    (
        "no-role-anywhere",
        {"_defaults": {"role_arn": None}},
        "InvalidSpec",
        "spec.roleArn: is required: set it in the LabelingJob or set `roleArn`",
    ),
    (
        "no-output-anywhere",
        {"_defaults": {"output_path": None}},
        "InvalidSpec",
        "spec.outputConfig.s3OutputPath: is required",
    ),
    # Pre-flight: things the model cannot know, found before anything is created.
    (
        "missing-manifest",
        {"_manifest": "s3://{bucket}/nope.manifest"},
        "PreflightFailed",
        "nope.manifest does not exist",
    ),
    (
        "no-source-ref",
        {"_manifest_body": '{"image": "s3://b/1.png"}'},
        "PreflightFailed",
        'line 1 of s3://{bucket}/bad.manifest has no "source-ref"',
    ),
    (
        "unknown-workteam",
        {
            "t": task(
                workteamArn="arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/nobody"
            )
        },
        "PreflightFailed",
        "workteam/private-crowd/nobody does not exist",
    ),
    (
        "label-file-without-version",
        {
            "labels": None,
            "labelCategoryConfigS3Uri": "s3://{bucket}/labels.json",
            "_labels_body": '{"labels": [{"label": "a"}, {"label": "b"}]}',
        },
        "PreflightFailed",
        'has no "document-version"',
    ),
]


def _apply(world: World, changes: dict[str, Any]) -> tuple[dict[str, Any], World]:
    spec = world.spec()
    s3 = world.gt.client("s3")
    for key, value in changes.items():
        if key == "t":
            field, updates = value
            merged = dict(spec[field])
            for name, item in updates.items():
                if item is None:
                    merged.pop(name, None)
                else:
                    merged[name] = item
            spec[field] = merged
        elif key == "_defaults":
            world = dataclasses.replace(
                world, defaults=dataclasses.replace(world.defaults, **value)
            )
        elif key == "_manifest":
            spec["inputConfig"] = {
                "dataSource": {"s3DataSource": {"manifestS3Uri": value.format(bucket=world.bucket)}}
            }
        elif key == "_manifest_body":
            s3.put_object(Bucket=world.bucket, Key="bad.manifest", Body=value.encode())
            spec["inputConfig"] = {
                "dataSource": {
                    "s3DataSource": {"manifestS3Uri": f"s3://{world.bucket}/bad.manifest"}
                }
            }
        elif key == "_labels_body":
            s3.put_object(Bucket=world.bucket, Key="labels.json", Body=value.encode())
        elif value is None:
            spec.pop(key, None)
        elif isinstance(value, str):
            spec[key] = value.format(bucket=world.bucket)
        else:
            spec[key] = value
    return spec, world


@pytest.fixture(scope="module")
def shared(local_gt: LocalGroundTruthProcess) -> dict[str, Any]:
    return {"created_before": None}


@pytest.fixture
def world(local_gt: LocalGroundTruthProcess, monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world(local_gt, monkeypatch, objects=2)


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 20
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("changes", "reason", "fragment"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_invalid_spec_gets_a_clear_condition_and_no_job(
    world: World, changes: dict[str, Any], reason: str, fragment: str
) -> None:
    spec, world = _apply(world, changes)
    creates = world.calls("CreateLabelingJob")
    resource = world.resource(spec)
    outcome = world.reconciler.ensure(resource, world.defaults)
    status = applied(resource, outcome).status
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"], status["phase"]) == ("False", reason, "Error")
    assert fragment.format(bucket=world.bucket) in ready["message"], ready["message"]
    assert [(e.type, e.reason) for e in outcome.events] == [("Warning", reason)]
    assert outcome.events[0].message == ready["message"]
    # Nothing was created: no CreateLabelingJob reached the server and nothing was uploaded.
    assert world.calls("CreateLabelingJob") == creates
    listed = world.gt.client("s3").list_objects_v2(
        Bucket=world.bucket, Prefix="groundtruth-operator/"
    )
    assert listed.get("KeyCount", 0) == 0, json.dumps(listed.get("Contents", []), default=str)
    assert "labelingJobArn" not in status
    # Pre-flight problems may be fixed outside the spec (upload the manifest): retried later.
    assert (outcome.retry_after is not None) == (reason == "PreflightFailed")
