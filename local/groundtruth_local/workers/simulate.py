"""Simulated workers: they sign in and label through the portal's own HTTP routes.

No back door: a simulated worker GETs the sign-in form, POSTs it with its CSRF token, lists
its jobs, starts one, reads the task page (the rendered template, the presigned image URL
and the categories), loads the image, and POSTs the same answer JSON the browser's
`<crowd-form>` sends. It answers from a ground-truth key in the manifest lines (read from
S3 as the job's requester could), right with its own accuracy, otherwise a random other
category.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlparse

import boto3
import requests
from botocore.config import Config

log = logging.getLogger(__name__)

TERMINAL = ("Completed", "Failed", "Stopped")
HTTP_TIMEOUT = 30


class SimulationError(Exception):
    """Something stops the simulation; the message says what and how to fix it."""


class _Page(HTMLParser):
    """The bits of a portal page a worker acts on: forms, their hidden fields, the task."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.classifier: dict[str, str] = {}
        self.task: dict[str, str] = {}
        self.error = ""
        self._in_error = False
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._current = {"action": values.get("action", ""), "fields": {}}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and values.get("name"):
            self._current["fields"][values["name"]] = values.get("value", "")
        elif tag == "div" and values.get("id") == "gt-task":
            self.task = values
        elif tag == "crowd-image-classifier":
            self.classifier = values
        elif tag == "p" and "gt-error" in values.get("class", ""):
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "p":
            self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.error += data

    def form(self, action_part: str) -> dict[str, Any] | None:
        return next((f for f in self.forms if action_part in f["action"]), None)


def parse_page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


@dataclass
class Stats:
    answers: int = 0
    refused: int = 0
    # (job, source-ref) -> labels given by the simulated workers
    given: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, job: str, source_ref: str, label: str) -> None:
        with self.lock:
            self.answers += 1
            self.given.setdefault((job, source_ref), []).append(label)


class Requester:
    """The AWS side the simulator needs: the team's Cognito pool, the jobs' manifests."""

    def __init__(self, endpoint: str, region: str) -> None:
        config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 5})
        session = boto3.session.Session()
        found = session.get_credentials()
        # The local endpoint accepts any key; default to the local test credentials.
        credentials = {
            "aws_access_key_id": found.access_key if found else "test",
            "aws_secret_access_key": found.secret_key if found else "test",
        }

        def client(service: str) -> Any:
            return session.client(
                service, endpoint_url=endpoint, region_name=region, config=config, **credentials
            )

        self.sagemaker = client("sagemaker")
        self.s3 = client("s3")
        self.cognito = client("cognito-idp")
        self._truth: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def team(self, name: str) -> tuple[str, dict[str, str]]:
        try:
            team = self.sagemaker.describe_workteam(WorkteamName=name)["Workteam"]
        except self.sagemaker.exceptions.ClientError as error:
            raise SimulationError(f"Work team {name!r} not found: {error}") from error
        members = [
            m["CognitoMemberDefinition"]
            for m in team.get("MemberDefinitions", [])
            if "CognitoMemberDefinition" in m
        ]
        if not members:
            raise SimulationError(f"Work team {name!r} has no Cognito member definition.")
        return team["WorkteamArn"], members[0]

    def ensure_users(self, member: dict[str, str], usernames: list[str], password: str) -> None:
        """Create (or reuse) the users with a permanent password, in the team's group."""
        pool = member["UserPool"]
        for username in usernames:
            with contextlib.suppress(self.cognito.exceptions.UsernameExistsException):
                self.cognito.admin_create_user(
                    UserPoolId=pool, Username=username, MessageAction="SUPPRESS"
                )
            self.cognito.admin_set_user_password(
                UserPoolId=pool, Username=username, Password=password, Permanent=True
            )
            self.cognito.admin_add_user_to_group(
                UserPoolId=pool, Username=username, GroupName=member["UserGroup"]
            )

    def team_jobs(self, team_arn: str, known: list[str]) -> dict[str, str]:
        """Name -> status of the team's jobs, adding newly listed ones to `known`.

        ListLabelingJobsForWorkteam only lists jobs with work, so finished jobs are kept
        in `known` and described by name.
        """
        paginator = self.sagemaker.get_paginator("list_labeling_jobs_for_workteam")
        for page in paginator.paginate(WorkteamArn=team_arn):
            for job in page["LabelingJobSummaryList"]:
                if job["LabelingJobName"] not in known:
                    known.append(job["LabelingJobName"])
        return {
            name: self.sagemaker.describe_labeling_job(LabelingJobName=name)["LabelingJobStatus"]
            for name in known
        }

    def truth(self, job_name: str, truth_key: str) -> dict[str, Any]:
        """source-ref -> the truth value of each manifest line of the job."""
        with self._lock:
            if job_name not in self._truth:
                job = self.sagemaker.describe_labeling_job(LabelingJobName=job_name)
                uri = job["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"]
                bucket, _, key = uri.removeprefix("s3://").partition("/")
                text = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
                rows = [json.loads(line) for line in text.splitlines() if line.strip()]
                self._truth[job_name] = {row["source-ref"]: row.get(truth_key) for row in rows}
            return self._truth[job_name]

    def read_manifest(self, uri: str) -> list[dict[str, Any]]:
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        try:
            text = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        except self.s3.exceptions.NoSuchKey:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]


class SimulatedWorker:
    def __init__(  # noqa: PLR0917 - plain wiring of one worker's parts
        self,
        endpoint: str,
        username: str,
        password: str,
        accuracy: float,
        rng: random.Random,
        requester: Requester,
        truth_key: str,
        stats: Stats,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.username = username
        self.password = password
        self.accuracy = accuracy
        self.rng = rng
        self.requester = requester
        self.truth_key = truth_key
        self.stats = stats
        self.http = requests.Session()

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.endpoint}{path}"

    def sign_in(self) -> None:
        page = parse_page(self.http.get(self._url("/portal/login"), timeout=HTTP_TIMEOUT).text)
        form = page.form("/portal/login")
        if form is None:
            raise SimulationError("The portal's sign-in page has no sign-in form.")
        fields = {**form["fields"], "username": self.username, "password": self.password}
        answer = self.http.post(self._url(form["action"]), data=fields, timeout=HTTP_TIMEOUT)
        if not urlparse(answer.url).path.endswith("/portal/jobs"):
            error = parse_page(answer.text).error.strip() or f"HTTP {answer.status_code}"
            raise SimulationError(f"{self.username} could not sign in: {error}")

    def work(self, stop: threading.Event) -> int:
        """Label until no job has work for this worker; returns the answers given."""
        given = 0
        response = self.http.get(self._url("/portal/jobs"), timeout=HTTP_TIMEOUT)
        while not stop.is_set():
            page = parse_page(response.text)
            if page.classifier:
                response = self._answer(response)
                given += 1
                continue
            starts = [f for f in page.forms if f["action"].endswith("/start")]
            if not starts:
                break
            form = starts[0]
            response = self.http.post(
                self._url(form["action"]), data=form["fields"], timeout=HTTP_TIMEOUT
            )
            if not parse_page(response.text).classifier and "/portal/tasks/" not in response.url:
                break  # listed, but nothing left for us there
        return given

    def _answer(self, response: requests.Response) -> requests.Response:
        page = parse_page(response.text)
        src = html.unescape(page.classifier.get("src", ""))
        categories = json.loads(html.unescape(page.classifier.get("categories", "[]")))
        name = page.classifier.get("name", "crowd-image-classifier")
        # Load the image as the browser would; it also proves the presigned URL works.
        image = self.http.get(src, timeout=HTTP_TIMEOUT)
        image.raise_for_status()
        source_ref = "s3://" + urlparse(src).path.lstrip("/")
        submit = page.form("/submit")
        if submit is None:
            raise SimulationError(f"The task page {response.url} has no submit form.")
        job_name = page.task.get("data-job", "")
        truth = self.requester.truth(job_name, self.truth_key).get(unquote(source_ref))
        label: str
        if truth in categories and self.rng.random() < self.accuracy:
            label = str(truth)
        else:
            wrong = [c for c in categories if c != truth] or categories
            label = self.rng.choice(wrong)
        fields = {**submit["fields"], "answer": json.dumps({name: {"label": label}})}
        answer = self.http.post(self._url(submit["action"]), data=fields, timeout=HTTP_TIMEOUT)
        if answer.status_code >= 400:
            with self.stats.lock:
                self.stats.refused += 1
            log.warning("answer refused: %s", parse_page(answer.text).error.strip())
        else:
            self.stats.record(job_name, unquote(source_ref), label)
        return answer


@dataclass
class Summary:
    answers: int
    refused: int
    agreement: float | None
    accuracy: float | None
    labeled: int
    statuses: dict[str, str]


def run_simulation(
    *,
    endpoint: str,
    region: str,
    workteam: str,
    workers: int,
    accuracy: float,
    spread: float,
    seed: int | None,
    until_done: bool,
    password: str,
    prefix: str,
    truth_key: str,
    timeout: float,
    progress: Callable[[str], None],
) -> Summary:
    requester = Requester(endpoint, region)
    team_arn, member = requester.team(workteam)
    usernames = [f"{prefix}-{i + 1}" for i in range(workers)]
    requester.ensure_users(member, usernames, password)
    jobs: list[str] = []
    requester.team_jobs(team_arn, jobs)
    rng = random.Random(seed)
    stats = Stats()
    simulated = [
        SimulatedWorker(
            endpoint,
            username,
            password,
            min(1.0, max(0.0, rng.uniform(accuracy - spread, accuracy + spread))),
            random.Random(rng.random()),
            requester,
            truth_key,
            stats,
        )
        for username in usernames
    ]
    for worker in simulated:
        worker.sign_in()
    progress(f"{workers} workers signed in to {workteam}; {len(jobs)} job(s) on the team")
    stop = threading.Event()
    deadline = time.monotonic() + timeout

    def loop(worker: SimulatedWorker) -> None:
        while not stop.is_set():
            worker.work(stop)
            if not until_done or time.monotonic() > deadline:
                return
            time.sleep(0.5)  # wait for timed-out tasks or newly admitted objects

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in simulated]
    for thread in threads:
        thread.start()
    last = -1
    while any(t.is_alive() for t in threads):
        time.sleep(1.0)
        statuses = requester.team_jobs(team_arn, jobs)
        if stats.answers != last:
            progress(f"answers: {stats.answers}  jobs: {statuses}")
            last = stats.answers
        if until_done and statuses and all(s in TERMINAL for s in statuses.values()):
            stop.set()
        if time.monotonic() > deadline:
            progress("timeout reached: stopping the simulated workers")
            stop.set()
    for thread in threads:
        thread.join()
    return _summary(requester, jobs, stats, truth_key)


def _summary(requester: Requester, jobs: list[str], stats: Stats, truth_key: str) -> Summary:
    agree = total = right = labeled = 0
    statuses = {}
    for name in jobs:
        job = requester.sagemaker.describe_labeling_job(LabelingJobName=name)
        statuses[name] = job["LabelingJobStatus"]
        uri = job.get("LabelingJobOutput", {}).get("OutputDatasetS3Uri")
        if not uri:
            output = job["OutputConfig"]["S3OutputPath"].rstrip("/")
            uri = f"{output}/{name}/manifests/intermediate/1/output.manifest"
        attribute = job["LabelAttributeName"]
        for row in requester.read_manifest(uri):
            metadata = row.get(f"{attribute}-metadata", {})
            if "class-name" not in metadata:
                continue
            labeled += 1
            consolidated = metadata["class-name"]
            right += consolidated == row.get(truth_key)
            for label in stats.given.get((name, row["source-ref"]), []):
                total += 1
                agree += label == consolidated
    return Summary(
        answers=stats.answers,
        refused=stats.refused,
        agreement=agree / total if total else None,
        accuracy=right / labeled if labeled else None,
        labeled=labeled,
        statuses=statuses,
    )
