"""The portal refuses what it must, with a clear message, and changes nothing."""

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from portal_helpers import (
    ANSWER,
    PASSWORD,
    add_user,
    create_job,
    csrf,
    sign_in,
    start,
    submit,
    team_with_group,
)


@pytest.fixture(scope="module")
def world(local_gt, request):
    """Two teams, a job for each, a member of each and a user in no team."""
    helpers = request.getfixturevalue("gt_helpers")
    team_a = team_with_group(local_gt, helpers, "sec-team-a")
    team_b = team_with_group(local_gt, helpers, "sec-team-b")
    add_user(local_gt, team_a, "sec-alice")
    add_user(local_gt, team_a, "sec-anna")
    add_user(local_gt, team_b, "sec-bob")
    add_user(local_gt, None, "sec-nobody", pool=team_a["user_pool"])
    job_a = create_job(local_gt, helpers, "sec-job-a", team_a, objects=4)
    create_job(local_gt, helpers, "sec-job-b", team_b, objects=2)
    return {"endpoint": local_gt.endpoint, "job_a": job_a}


def test_sign_in_errors_are_clear(world) -> None:
    endpoint = world["endpoint"]
    wrong = sign_in(endpoint, "sec-alice", "not-the-password")
    assert wrong.last.status_code == 401
    assert "Incorrect user name or password." in wrong.last.text
    outsider = sign_in(endpoint, "sec-nobody")
    assert outsider.last.status_code == 401
    assert "not in any work team" in outsider.last.text
    # A sign-in POST without the form's token (a cross-site form) is refused.
    forged = requests.post(
        f"{endpoint}/portal/login",
        data={"username": "sec-alice", "password": PASSWORD},
        timeout=30,
    )
    assert forged.status_code == 403
    assert "gt_portal_session" not in forged.cookies


def test_unauthenticated_requests_get_nothing(world) -> None:
    endpoint = world["endpoint"]
    answer = requests.get(f"{endpoint}/portal/jobs", allow_redirects=False, timeout=30)
    assert answer.status_code == 303 and answer.headers["Location"] == "/portal/login"
    answer = requests.post(f"{endpoint}/portal/jobs/sec-job-a/start", data={}, timeout=30)
    assert answer.status_code == 401


def test_workers_see_and_take_only_their_teams_jobs(world) -> None:
    endpoint = world["endpoint"]
    alice, bob = sign_in(endpoint, "sec-alice"), sign_in(endpoint, "sec-bob")
    assert 'data-job="sec-job-a"' in alice.get(f"{endpoint}/portal/jobs").text
    jobs_of_bob = bob.get(f"{endpoint}/portal/jobs").text
    assert "sec-job-a" not in jobs_of_bob and 'data-job="sec-job-b"' in jobs_of_bob
    refused = start(bob, endpoint, "sec-job-a")
    assert refused.status_code == 404
    assert "No labeling job 'sec-job-a' for your work teams." in html.unescape(refused.text)
    # Alice's task is not Bob's: he can neither open nor answer it.
    task_url = start(alice, endpoint, "sec-job-a").url
    assert "/portal/tasks/" in task_url
    assert bob.get(task_url).status_code == 404
    answer = submit(bob, endpoint, task_url, ANSWER)
    assert answer.status_code == 404 and "This task is not assigned to you." in answer.text
    assert alice.get(task_url).status_code == 200  # still open for Alice


def test_bad_submissions_are_refused_and_change_nothing(world) -> None:
    endpoint = world["endpoint"]
    anna = sign_in(endpoint, "sec-anna")
    task_url = start(anna, endpoint, "sec-job-a").url
    outside = submit(anna, endpoint, task_url, {"crowd-image-classifier": {"label": "horse"}})
    assert outside.status_code == 400
    assert "Label 'horse' is not one of this job's categories" in html.unescape(outside.text)
    assert submit(anna, endpoint, task_url, "{not json").status_code == 400
    no_token = submit(anna, endpoint, task_url, ANSWER, token=False)
    assert no_token.status_code == 403 and "security token" in no_token.text
    bad_token = submit(anna, endpoint, task_url, ANSWER, token="forged")
    assert bad_token.status_code == 403
    assert anna.get(task_url).status_code == 200  # none of that touched the task
    accepted = submit(anna, endpoint, task_url, ANSWER)
    assert accepted.status_code == 200 and accepted.history[0].status_code == 303
    again = submit(anna, endpoint, task_url, ANSWER)
    assert again.status_code in (409, 410)
    assert "already submitted" in again.text or "no longer open" in again.text


def test_presigned_url_is_for_the_task_object_only_and_short_lived(world) -> None:
    endpoint = world["endpoint"]
    alice = sign_in(endpoint, "sec-alice")
    page = alice.get(start(alice, endpoint, "sec-job-a").url)
    src = re.search(r'<crowd-image-classifier[^>]*\ssrc="([^"]+)"', page.text).group(1)
    url = urlparse(src.replace("&amp;", "&"))
    assert url.path.startswith(f"/{world['job_a']['bucket']}/data/images/")
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert 60 <= int(query["X-Amz-Expires"][0]) <= 300  # no longer than the task time limit
    src = src.replace("&amp;", "&")
    assert requests.get(src, timeout=30).status_code == 200
    # The local S3 refuses the URL bent to another object or to a longer life.
    other = re.sub(r"/images/(\d+)\.png", lambda m: f"/images/{int(m[1]) + 1:05d}.png", src)
    assert other != src
    assert requests.get(other, timeout=30).status_code == 403
    longer = re.sub(r"X-Amz-Expires=\d+", "X-Amz-Expires=86400", src)
    assert requests.get(longer, timeout=30).status_code == 403
    assert "content-security-policy" in {k.lower() for k in page.headers}


def test_sign_out_ends_the_session(world) -> None:
    endpoint = world["endpoint"]
    alice = sign_in(endpoint, "sec-alice")
    old_cookie = alice.cookies.get("gt_portal_session", path="/portal")
    answer = alice.post(f"{endpoint}/portal/logout", data={"csrf_token": csrf(alice, endpoint)})
    assert answer.url.endswith("/portal/login?notice=signed-out")
    reuse = requests.get(
        f"{endpoint}/portal/jobs",
        cookies={"gt_portal_session": old_cookie},
        allow_redirects=False,
        timeout=30,
    )
    assert reuse.status_code == 303 and reuse.headers["Location"] == "/portal/login"


def test_no_request_path_reaches_files_or_other_data(world) -> None:
    endpoint = world["endpoint"]
    alice = sign_in(endpoint, "sec-alice")
    for path in (
        "/portal/static/../../store.py",
        "/portal/static/%2e%2e%2fstore.py",
        "/portal/static/..%2F..%2Fpyproject.toml",
        "/portal/static/portal.css%00.py",
        "/portal/tasks/..%2F..%2Fjobs",
        "/portal/tasks/' OR '1'='1",
    ):
        answer = alice.get(endpoint + path, allow_redirects=False)
        assert answer.status_code == 404, path
        assert "import" not in answer.text and "[project]" not in answer.text
    assert alice.get(f"{endpoint}/portal/static/crowd-html-elements.js").status_code == 200


def test_oversized_bodies_are_refused(world) -> None:
    endpoint = world["endpoint"]
    alice = sign_in(endpoint, "sec-alice")
    task_url = start(alice, endpoint, "sec-job-a").url
    huge = {"crowd-image-classifier": {"label": "circle", "workerComment": "x" * 200_000}}
    answer = submit(alice, endpoint, task_url, huge)
    assert answer.status_code == 413 and "too large" in answer.text
    assert alice.get(task_url).status_code == 200


def test_session_expires(local_gt_factory, gt_helpers, monkeypatch) -> None:
    monkeypatch.setenv("GROUNDTRUTH_PORTAL_SESSION_SECONDS", "1")
    gt = local_gt_factory()
    team = team_with_group(gt, gt_helpers, "short-sessions")
    add_user(gt, team, "carol")
    carol = sign_in(gt.endpoint, "carol")
    assert carol.last.url.endswith("/portal/jobs")
    import time  # noqa: PLC0415

    time.sleep(1.5)  # let the one-second session lapse
    answer = carol.get(f"{gt.endpoint}/portal/jobs", allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["Location"] == "/portal/login"


def test_expired_presigned_urls_are_refused(local_gt) -> None:
    import time  # noqa: PLC0415

    s3 = local_gt.client("s3", signature_version="s3v4")
    s3.create_bucket(Bucket="ptl-expiry")
    s3.put_object(Bucket="ptl-expiry", Key="a.png", Body=b"x")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "ptl-expiry", "Key": "a.png"}, ExpiresIn=1
    )
    fresh = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "ptl-expiry", "Key": "a.png"}, ExpiresIn=60
    )
    time.sleep(2.1)  # let the one-second URL lapse
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 403 and "Request has expired" in answer.text
    assert requests.get(fresh, timeout=30).content == b"x"


def test_decline_gives_the_task_back(world) -> None:
    endpoint = world["endpoint"]
    alice = sign_in(endpoint, "sec-alice")
    task_url = start(alice, endpoint, "sec-job-a").url
    declined = alice.post(f"{task_url}/decline", data={"csrf_token": csrf(alice, endpoint)})
    assert declined.url.endswith("/portal/jobs?notice=declined")
    assert "went back to the pool" in declined.text
    assert alice.get(task_url).status_code == 410  # no longer hers
    assert start(alice, endpoint, "sec-job-a").url != task_url
