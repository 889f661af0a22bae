"""A killed server restarted on the same --data-dir keeps sessions, tasks and answers."""

import pytest
from portal_helpers import ANSWER, add_user, create_job, sign_in, start, submit, team_with_group


@pytest.mark.slow
def test_kill_and_restart_keeps_portal_state(local_gt_factory, gt_helpers) -> None:
    gt = local_gt_factory()
    team = team_with_group(gt, gt_helpers, "restart-team")
    add_user(gt, team, "rita")
    create_job(gt, gt_helpers, "restart-job", team, objects=3)
    rita = sign_in(gt.endpoint, "rita")
    first = start(rita, gt.endpoint, "restart-job").url
    submit(rita, gt.endpoint, first, ANSWER)
    second = start(rita, gt.endpoint, "restart-job").url
    assert second != first

    gt.restart(kill=True)  # SIGKILL: only what SQLite committed survives

    # The session cookie still works and the open task is resumed, not handed out anew.
    assert start(rita, gt.endpoint, "restart-job").url == second
    again = submit(rita, gt.endpoint, first, ANSWER)
    assert again.status_code in (409, 410)  # the answer from before the crash is kept
    assert (
        gt.client("sagemaker").describe_labeling_job(LabelingJobName="restart-job")[
            "LabelingJobStatus"
        ]
        == "InProgress"
    )
