"""Scenario (c): the local Ground Truth (with --data-dir) SIGKILLed mid-job and restarted.

Three workers label a 12-object job (3 answers per object) through the portal's HTTP routes
while the server is SIGKILLed at fixed points: right after an answer was accepted, right
after a task was handed out and before it was answered, and between requests. After each
restart (same port, same data dir) the workers sign in again if their session is gone and
carry on. In the end: every accepted answer is in the job's worker-response files exactly
once, no worker was given an object it had already answered, the job completes and its
output manifest has every object.
"""

from __future__ import annotations

import html
import json
import random
from collections import Counter
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from fault_support import report
from groundtruth_local.workers.simulate import Requester, SimulatedWorker, Stats, parse_page

pytestmark = [pytest.mark.faults, pytest.mark.slow]
OBJECTS, WORKERS, PASSWORD = 12, 3, "Fault-Worker-1!"
# Steps (answers given so far) after which the server is killed, and where in the step.
KILLS = {3: "after-submit", 8: "after-handout", 15: "after-submit", 22: "after-handout",
         29: "between"}  # fmt: skip


class Worker:
    def __init__(self, gt: Any, name: str, requester: Requester) -> None:
        self.name = name
        self._sim = SimulatedWorker(
            gt.endpoint, name, PASSWORD, 1.0, random.Random(name), requester, "truth", Stats()
        )
        self.http = self._sim.http
        self.endpoint = gt.endpoint
        self.answered: set[str] = set()
        self.handed: list[tuple[str, str]] = []  # (task id, source-ref)

    def sign_in(self) -> None:
        self._sim.sign_in()

    def next_task(self) -> tuple[str, Any] | None:
        """Start a job and return (task URL, page), or None when nothing is left."""
        response = self.http.get(f"{self.endpoint}/portal/jobs", timeout=30)
        if urlparse(response.url).path.endswith("/portal/login"):
            self.sign_in()  # the session did not survive the restart: sign in again
            response = self.http.get(f"{self.endpoint}/portal/jobs", timeout=30)
        page = parse_page(response.text)
        starts = [f for f in page.forms if f["action"].endswith("/start")]
        if not page.classifier and not starts:
            return None
        if not page.classifier:
            form = starts[0]
            response = self.http.post(
                f"{self.endpoint}{form['action']}", data=form["fields"], timeout=30
            )
            page = parse_page(response.text)
        if not page.classifier:
            return None
        src = html.unescape(page.classifier.get("src", ""))
        source_ref = unquote("s3://" + urlparse(src).path.lstrip("/"))
        self.handed.append((response.url.split("?")[0], source_ref))
        return response.url.split("?")[0], page

    def answer(self, task: tuple[str, Any], label: str) -> bool:
        _, page = task
        submit = page.form("/submit")
        fields = {
            **submit["fields"],
            "answer": json.dumps({"crowd-image-classifier": {"label": label}}),
        }
        answer = self.http.post(f"{self.endpoint}{submit['action']}", data=fields, timeout=30)
        return answer.status_code < 400


def test_server_sigkilled_mid_job_loses_nothing(local_gt_factory: Any, gt_helpers: Any) -> None:
    gt = local_gt_factory()
    name = "server-kills"
    request = gt_helpers.make_labeling_job_request(gt, name, objects=OBJECTS, workers=WORKERS)
    team = gt_helpers.ensure_workteam(gt)
    requester = Requester(gt.endpoint, gt.region)
    member = {"UserPool": team["user_pool"], "UserGroup": team["user_group"]}
    names = [f"fault-worker-{i}" for i in range(WORKERS)]
    requester.ensure_users(member, names, PASSWORD)
    gt.client("sagemaker").create_labeling_job(**request)
    gt_helpers.wait_for_status(gt, name, ("InProgress",))
    workers = [Worker(gt, n, requester) for n in names]
    for worker in workers:
        worker.sign_in()

    accepted: list[tuple[str, str, str]] = []  # (worker, source-ref, label)
    chance, step, kills, idle = random.Random(7), 0, 0, 0
    pending = dict(KILLS)
    while idle < WORKERS:
        worker = workers[step % WORKERS]
        step += 1
        task = worker.next_task()
        if task is None:
            idle += 1
            continue
        idle = 0
        source_ref = worker.handed[-1][1]
        assert source_ref not in worker.answered, f"{worker.name} got {source_ref} again"
        where = pending.get(len(accepted))
        if where == "after-handout":
            pending.pop(len(accepted))
            gt.restart(kill=True)
            kills += 1
            continue  # the worker comes back to the jobs page, as after a lost connection
        label = chance.choice(["cat", "dog"])
        if worker.answer(task, label):
            accepted.append((worker.name, source_ref, label))
            worker.answered.add(source_ref)
        if pending.get(len(accepted)) in ("after-submit", "between"):
            pending.pop(len(accepted))
            gt.restart(kill=True)
            kills += 1

    assert kills == len(KILLS), pending
    job = gt_helpers.wait_for_status(gt, name, ("Completed",), timeout=120)
    assert len(accepted) == OBJECTS * WORKERS
    s3 = gt.client("s3")
    output = job["LabelingJobOutput"]["OutputDatasetS3Uri"]
    bucket, _, key = output.removeprefix("s3://").partition("/")
    lines = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
    assert len(lines) == OBJECTS
    assert all("label" in json.loads(line) for line in lines)
    # Every accepted answer is in the worker-response files, once; no worker twice per object.
    manifest = request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"]
    in_bucket, _, in_key = manifest.removeprefix("s3://").partition("/")
    rows = s3.get_object(Bucket=in_bucket, Key=in_key)["Body"].read().decode().splitlines()
    object_ids = {json.loads(row)["source-ref"]: index for index, row in enumerate(rows)}
    prefix = key.split("manifests/")[0] + "annotations/worker-response/"
    recorded: Counter[tuple[int, str]] = Counter()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            object_id = int(item["Key"][len(prefix) :].split("/")[1])
            document = json.loads(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
            workers_here = [a["workerId"] for a in document["answers"]]
            assert len(workers_here) == len(set(workers_here)), item["Key"]
            for answer in document["answers"]:
                label = answer["answerContent"]["crowd-image-classifier"]["label"]
                recorded[(object_id, label)] += 1
    expected = Counter((object_ids[source], label) for _, source, label in accepted)
    assert recorded == expected
    resumed = sum(len(w.handed) - len(set(w.handed)) for w in workers)
    report(
        "server-sigkill",
        {
            "objects": OBJECTS,
            "answers": len(accepted),
            "kills": kills,
            "tasks_resumed_after_restart": resumed,
            "lost": sum((expected - recorded).values()),
            "duplicated": sum((recorded - expected).values()),
        },
    )
