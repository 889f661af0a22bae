"""The LabelingJob corpus through the operator's reconciler, against a real local Ground Truth.

Manifests the operator must refuse get `Ready=False` with the expected reason and a message
naming the field; manifests the API server's schema refuses are refused by the operator too
(defence in depth: a CRD installed without its schema must not let them through). Either way
no CreateLabelingJob reaches the server and nothing is uploaded. The API server half of the
corpus is in test_corpus_apiserver.py.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "operator"))
from corpus_files import LABELING_JOBS, Case, load, object_body
from operator_world import World, applied, make_world

CASES = load(LABELING_JOBS)
OPERATOR_CASES = [c for c in CASES if c.documents()[0]["expect"]["rejectedBy"] == "operator"]
# Cases whose spec is fine and only the resource's metadata is wrong: nothing for the
# operator to refuse (Kubernetes never lets such a resource exist).
SCHEMA_CASES = [
    c
    for c in CASES
    if c.documents()[0]["expect"]["rejectedBy"] == "apiserver"
    and c.documents()[0]["expect"].get("alsoRefusedByOperator", True)
]


def test_the_corpus_is_complete() -> None:
    assert len(CASES) >= 40
    assert len(OPERATOR_CASES) >= 15
    for case in CASES:
        expect, manifest = case.documents()
        assert case.why, f"{case.id}: first line must say what is wrong"
        assert expect["expect"]["rejectedBy"] in ("apiserver", "operator"), case.id
        assert expect["expect"]["messageContains"], case.id
        assert manifest["kind"] == "LabelingJob", case.id


@pytest.fixture(scope="module")
def world(local_gt: Any) -> Iterator[World]:
    # One world for the module: every case refuses before touching it, and the objects a
    # case uploads have keys of their own.
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield make_world(local_gt, monkeypatch, objects=2)


def _prepare(world: World, case: Case) -> tuple[dict[str, Any], dict[str, Any], World]:
    expect, manifest = case.documents(BUCKET=world.bucket, WORKTEAM_ARN=world.workteam_arn)
    expect = expect["expect"]
    s3 = world.gt.client("s3")
    for key, body in (expect.get("objects") or {}).items():
        s3.put_object(Bucket=world.bucket, Key=key, Body=object_body(body))
    if expect.get("defaults"):
        world = dataclasses.replace(
            world, defaults=dataclasses.replace(world.defaults, **expect["defaults"])
        )
    return expect, manifest, world


def _refused_without_trace(world: World, manifest: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    creates = world.calls("CreateLabelingJob")
    resource = world.resource(manifest.get("spec") or {}, name=manifest["metadata"]["name"])
    artifacts = f"groundtruth-operator/{resource.namespace}/{resource.name}/"
    outcome = world.reconciler.ensure(resource, world.defaults)
    status = applied(resource, outcome).status
    # Nothing half-created: no CreateLabelingJob reached the server, nothing was uploaded.
    assert world.calls("CreateLabelingJob") == creates
    listed = world.gt.client("s3").list_objects_v2(Bucket=world.bucket, Prefix=artifacts)
    assert listed.get("KeyCount", 0) == 0, json.dumps(listed.get("Contents", []), default=str)
    assert "labelingJobArn" not in status
    return status, outcome


@pytest.mark.parametrize("case", OPERATOR_CASES, ids=[c.id for c in OPERATOR_CASES])
def test_operator_refuses(world: World, case: Case) -> None:
    expect, manifest, world = _prepare(world, case)
    status, outcome = _refused_without_trace(world, manifest)
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    wanted = expect["condition"]
    assert (ready["type"], ready["status"], ready["reason"]) == (
        wanted["type"],
        wanted["status"],
        wanted["reason"],
    )
    assert status["phase"] == "Error"
    assert expect["messageContains"] in ready["message"], ready["message"]
    # The same words reach `kubectl describe` as a Warning Event.
    assert [(e.type, e.reason, e.message) for e in outcome.events] == [
        ("Warning", wanted["reason"], ready["message"])
    ]


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[c.id for c in SCHEMA_CASES])
def test_schema_rejects_are_refused_by_the_operator_too(world: World, case: Case) -> None:
    _, manifest, world = _prepare(world, case)
    status, _ = _refused_without_trace(world, manifest)
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("False", "InvalidSpec"), ready
    assert ready["message"].startswith("spec"), ready["message"]
