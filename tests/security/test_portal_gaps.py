"""Portal refusals not covered in tests/portal/test_portal_security.py (which covers teams,
task ownership across teams, CSRF, labels, a second submit, presigned key/expiry tampering,
expired presigned URLs, oversized answers, paths, sign-out, session expiry).

Here: a forged session cookie, a submission replayed by a teammate and after sign-out, a
presigned URL with an altered signature or used to write, and oversized bodies on the
sign-in form and on the labeling API, after which the server still answers.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))
from portal_helpers import (
    add_user,
    create_job,
    csrf,
    sign_in,
    start,
    submit,
    team_with_group,
)

ANSWER = {"crowd-image-classifier": {"label": "circle"}}


@pytest.fixture(scope="module")
def world(local_gt: Any, gt_helpers: Any) -> dict[str, Any]:
    team = team_with_group(local_gt, gt_helpers, "gap-team")
    for name in ("gap-ann", "gap-ben"):
        add_user(local_gt, team, name)
    job = create_job(local_gt, gt_helpers, "gap-job", team, objects=3, workers=2)
    return {"endpoint": local_gt.endpoint, "job": job, "gt": local_gt}


def test_forged_session_cookie_gets_nothing(world: dict[str, Any]) -> None:
    endpoint = world["endpoint"]
    ann = sign_in(endpoint, "gap-ann")
    real = ann.cookies.get("gt_portal_session", path="/portal")
    for forged in ("0" * 43, real[:-2] + ("AA" if not real.endswith("AA") else "BB"), ""):
        answer = requests.get(
            f"{endpoint}/portal/jobs",
            cookies={"gt_portal_session": forged},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 303 and answer.headers["Location"] == "/portal/login"


def test_replayed_submissions_are_refused(world: dict[str, Any]) -> None:
    endpoint = world["endpoint"]
    ann, ben = sign_in(endpoint, "gap-ann"), sign_in(endpoint, "gap-ben")
    task_url = start(ann, endpoint, "gap-job").url
    token = csrf(ann, endpoint)
    assert submit(ann, endpoint, task_url, ANSWER, token=token).status_code == 200
    # A teammate replays Ann's request with his own session: not his task.
    replay = submit(ben, endpoint, task_url, ANSWER)
    assert replay.status_code == 404 and "This task is not assigned to you." in replay.text
    # Ann's own request again, word for word, after she signed out: no session, no answer.
    ann.post(f"{endpoint}/portal/logout", data={"csrf_token": csrf(ann, endpoint)})
    again = ann.post(
        f"{task_url}/submit",
        data={"answer": json.dumps(ANSWER), "csrf_token": token},
        allow_redirects=False,
    )
    assert again.status_code in (303, 401, 403), again.status_code
    # The task stays closed: Ann's one answer is the only one it took.
    ann = sign_in(endpoint, "gap-ann")
    reopened = ann.get(task_url)
    assert reopened.status_code in (404, 409, 410)


def test_presigned_url_with_altered_signature_or_method_is_refused(world: dict[str, Any]) -> None:
    endpoint = world["endpoint"]
    ben = sign_in(endpoint, "gap-ben")
    page = ben.get(start(ben, endpoint, "gap-job").url)
    src = html.unescape(re.search(r'<crowd-image-classifier[^>]*\ssrc="([^"]+)"', page.text)[1])
    assert requests.get(src, timeout=30).status_code == 200
    signature = re.search(r"X-Amz-Signature=([0-9a-f]+)", src)[1]
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    altered = src.replace(signature, flipped)
    answer = requests.get(altered, timeout=30)
    assert answer.status_code == 403 and "AccessDenied" in answer.text
    # A URL signed for reading cannot write the image.
    overwrite = requests.put(src, data=b"not an image", timeout=30)
    assert overwrite.status_code == 403
    assert requests.get(src, timeout=30).content.startswith(b"\x89PNG")


def test_oversized_bodies_elsewhere_are_refused_and_the_server_carries_on(
    world: dict[str, Any],
) -> None:
    endpoint = world["endpoint"]
    big = "x" * (12 * 1024 * 1024)
    login = requests.post(
        f"{endpoint}/portal/login", data={"username": big, "password": "p"}, timeout=60
    )
    assert login.status_code in (400, 403, 413), login.status_code
    api = requests.post(
        endpoint,
        data=json.dumps({"LabelingJobName": big}),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "SageMaker.DescribeLabelingJob",
        },
        timeout=60,
    )
    assert api.status_code in (400, 413), api.status_code
    # Still serving.
    sagemaker = world["gt"].client("sagemaker")
    assert sagemaker.describe_labeling_job(LabelingJobName="gap-job")["LabelingJobName"]
