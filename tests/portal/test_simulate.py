"""A 200-image job, 3 workers per object, labeled to Completed by `groundtruth workers
simulate` through the portal's HTTP routes, with every output line checked."""

import json
import os
import subprocess
import sys

import pytest

LABELS = ["circle", "square", "triangle"]


def _cli(gt, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from groundtruth_operator.cli import main; main()", *args],
        env={**os.environ, **gt.env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_simulated_crowd_completes_a_200_image_job(local_gt_factory, gt_helpers) -> None:
    gt = local_gt_factory()
    team = gt_helpers.ensure_workteam(gt, "sim-team")
    made = _cli(
        gt,
        "sample-data",
        "--bucket",
        "sim-data",
        "--count",
        "200",
        "--labels",
        ",".join(LABELS),
        "--seed",
        "3",
    )
    assert made.returncode == 0, made.stderr
    request = gt_helpers.make_labeling_job_request(gt, "sim-job", workers=3)
    request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = (
        "s3://sim-data/sample/input.manifest"
    )
    request["LabelCategoryConfigS3Uri"] = "s3://sim-data/sample/labels.json"
    request["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"] = (
        "s3://sim-data/sample/template.liquid"
    )
    request["OutputConfig"]["S3OutputPath"] = "s3://sim-data/output"
    request["HumanTaskConfig"]["WorkteamArn"] = team["workteam_arn"]
    sagemaker = gt.client("sagemaker")
    sagemaker.create_labeling_job(**request)
    gt_helpers.wait_for_status(gt, "sim-job", ("InProgress",))

    run = _cli(
        gt,
        "workers",
        "simulate",
        "--endpoint",
        gt.endpoint,
        "--workteam",
        "sim-team",
        "--workers",
        "4",
        "--accuracy",
        "0.85",
        "--seed",
        "1",
        "--until-done",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "answers given:      600 (0 refused)" in run.stdout
    assert "job sim-job: Completed" in run.stdout

    job = sagemaker.describe_labeling_job(LabelingJobName="sim-job")
    assert job["LabelingJobStatus"] == "Completed"
    uri = job["LabelingJobOutput"]["OutputDatasetS3Uri"]
    assert uri == "s3://sim-data/output/sim-job/manifests/output/output.manifest"
    s3 = gt.client("s3")
    lines = s3.get_object(Bucket="sim-data", Key=uri.split("/", 3)[3])["Body"].read()
    rows = [json.loads(line) for line in lines.decode().splitlines()]
    assert job["LabelCounters"] == {
        "TotalLabeled": len(rows),
        "HumanLabeled": len(rows),
        "MachineLabeled": 0,
        "FailedNonRetryableError": 0,
        "Unlabeled": 0,
    }
    assert len(rows) == 200
    assert len({row["source-ref"] for row in rows}) == 200
    right = 0
    for row in rows:
        assert list(row) == ["source-ref", "truth", "label", "label-metadata"]
        metadata = row["label-metadata"]
        assert LABELS[row["label"]] == metadata["class-name"]
        assert metadata["job-name"] == "labeling-job/sim-job"
        assert metadata["type"] == "groundtruth/image-classification"
        assert metadata["human-annotated"] == "yes"
        assert len(metadata["creation-date"]) == 26 and metadata["creation-date"][10] == "T"
        assert 0.0 <= metadata["confidence"] <= 1.0
        right += metadata["class-name"] == row["truth"]
    assert right / len(rows) > 0.85  # 3 workers at ~85% each: consolidation must do better

    responses = s3.get_paginator("list_objects_v2").paginate(
        Bucket="sim-data", Prefix="output/sim-job/annotations/worker-response/iteration-1/"
    )
    keys = [item["Key"] for page in responses for item in page.get("Contents", [])]
    assert len(keys) == 200
    document = json.loads(s3.get_object(Bucket="sim-data", Key=keys[0])["Body"].read())
    assert len({answer["workerId"] for answer in document["answers"]}) == 3
