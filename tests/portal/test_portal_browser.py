"""A worker in real headless Chromium: sign in, see the image, label by keyboard, submit."""

import json
import shutil
import time

import pytest
from portal_helpers import PASSWORD, add_user, create_job, team_with_group

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def _worker_responses(s3, bucket: str, job: str) -> list[str]:
    prefix = f"output/{job}/annotations/worker-response/iteration-1/"
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


@pytest.mark.browser
def test_worker_labels_an_image_by_keyboard(local_gt, gt_helpers, unique_name, browser) -> None:
    team = team_with_group(local_gt, gt_helpers, unique_name("webteam"))
    username = unique_name("alice")
    sub = add_user(local_gt, team, username)
    name = unique_name("web")
    job = create_job(local_gt, gt_helpers, name, team, objects=1)

    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{local_gt.endpoint}/portal")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/jobs")
    page.click(f"button.gt-start[data-job='{name}']")
    page.wait_for_url("**/portal/tasks/**")

    # The image really rendered, through the presigned URL of the local S3.
    page.wait_for_function(
        "() => { const img = document.querySelector('#gt-image');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    assert page.locator("#gt-submit").is_disabled()  # nothing chosen yet
    assert page.locator("#gt-countdown").inner_text().startswith("Time left")
    page.keyboard.press("i")  # full instructions open from the keyboard
    assert page.locator("#gt-full-instructions").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("2")
    assert page.locator(".gt-category.gt-selected").get_attribute("data-label") == job["labels"][1]
    assert page.locator("#gt-submit").is_enabled()
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/jobs?notice=submitted")

    s3 = local_gt.client("s3")
    deadline = time.monotonic() + 30
    keys = _worker_responses(s3, job["bucket"], name)
    while not keys and time.monotonic() < deadline:
        time.sleep(0.2)
        keys = _worker_responses(s3, job["bucket"], name)
    assert len(keys) == 1
    assert keys[0].split("/")[-2] == "0"  # the datasetObjectId folder
    document = json.loads(s3.get_object(Bucket=job["bucket"], Key=keys[0])["Body"].read())
    (answer,) = document["answers"]
    assert answer["answerContent"] == {"crowd-image-classifier": {"label": job["labels"][1]}}
    assert answer["workerId"].startswith("private.us-east-1.")
    identity = answer["workerMetadata"]["identityData"]
    assert identity["sub"] == sub
    assert identity["issuer"].endswith(team["user_pool"])
    # AWS's crowd-html-elements.js was served locally: nothing left 127.0.0.1.
    assert requested and all(url.startswith(local_gt.endpoint) for url in requested)


COMMENT_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier name="animal" src="{{ task.input.taskObject | grant_read_access }}"
    header="{{ 'Shape <b>?</b>' }}" categories="{{ task.input.labels | to_json | escape }}">
    <short-instructions>Pick one.</short-instructions>
    <full-instructions header="More">Really, pick one.</full-instructions>
    <worker-comment header="Why?" placeholder="Explain"></worker-comment>
  </crowd-image-classifier>
</crowd-form>
"""


@pytest.mark.browser
def test_worker_comment_and_custom_element_name(local_gt, gt_helpers, unique_name, browser) -> None:
    team = team_with_group(local_gt, gt_helpers, unique_name("webteam"))
    username = unique_name("ben")
    add_user(local_gt, team, username)
    name = unique_name("webc")
    job = create_job(local_gt, gt_helpers, name, team, objects=1, template=COMMENT_TEMPLATE)

    page = browser.new_page()
    page.goto(f"{local_gt.endpoint}/portal/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click(f"button.gt-start[data-job='{name}']")
    page.wait_for_url("**/portal/tasks/**")
    # Autoescape: the header's markup is shown as text, not interpreted.
    assert page.locator(".gt-header").inner_text() == "Shape <b>?</b>"
    page.keyboard.press("3")
    page.fill("#gt-worker-comment", "pointy 1 2")  # digits typed here must not relabel
    assert page.locator(".gt-category.gt-selected").get_attribute("data-label") == job["labels"][2]
    page.click("#gt-submit")
    page.wait_for_url("**/portal/jobs?notice=submitted")

    s3 = local_gt.client("s3")
    deadline = time.monotonic() + 30
    while not (keys := _worker_responses(s3, job["bucket"], name)):
        assert time.monotonic() < deadline, "no worker response written"
        time.sleep(0.2)
    document = json.loads(s3.get_object(Bucket=job["bucket"], Key=keys[0])["Body"].read())
    assert document["answers"][0]["answerContent"] == {
        "animal": {"label": job["labels"][2], "workerComment": "pointy 1 2"}
    }
