"""20 concurrent clients creating, listing and describing jobs: nothing lost or mixed up."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

CLIENTS = 20
JOBS_PER_CLIENT = 3


@pytest.mark.slow
def test_twenty_concurrent_clients(local_gt_factory: Any, gt_helpers: Any) -> None:
    gt = local_gt_factory(plugin=False)
    request = gt_helpers.make_labeling_job_request(gt, "shared", objects=2)
    start = threading.Barrier(CLIENTS)

    def work(worker: int) -> list[str]:
        client = gt.client("sagemaker", retries=0)
        start.wait()
        created = []
        for index in range(JOBS_PER_CLIENT):
            name = f"c{worker:02d}-job{index}"
            arn = client.create_labeling_job(**{**request, "LabelingJobName": name})[
                "LabelingJobArn"
            ]
            assert arn.endswith(f"/{name}")
            client.list_labeling_jobs(MaxResults=100)
            described = client.describe_labeling_job(LabelingJobName=name)
            assert described["LabelingJobName"] == name
            assert described["LabelingJobArn"] == arn
            created.append(name)
        # Everyone also tries one name that all the others try: exactly one may win.
        try:
            client.create_labeling_job(**{**request, "LabelingJobName": "contested"})
            created.append("contested")
        except client.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "ResourceInUse"
        return created

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(work, range(CLIENTS)))
    created = [name for names in results for name in names]
    assert created.count("contested") == 1
    expected = {f"c{w:02d}-job{i}" for w in range(CLIENTS) for i in range(JOBS_PER_CLIENT)}
    assert set(created) == expected | {"contested"}

    client = gt.client("sagemaker")
    listed = [
        summary["LabelingJobName"]
        for page in client.get_paginator("list_labeling_jobs").paginate(
            PaginationConfig={"PageSize": 7}
        )
        for summary in page["LabelingJobSummaryList"]
    ]
    assert sorted(listed) == sorted(expected | {"contested"})
    for name in expected:
        job = gt_helpers.wait_for_status(gt, name, ("InProgress",))
        assert job["LabelCounters"]["Unlabeled"] == 2
        assert job["InputConfig"] == request["InputConfig"]
