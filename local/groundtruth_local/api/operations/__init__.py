"""Every SageMaker operation this project answers, by name."""

from __future__ import annotations

from groundtruth_local.api.call import Handler
from groundtruth_local.api.operations import (
    human_task_uis,
    labeling_jobs,
    tags,
    workforces,
    workteams,
)

OPERATIONS: dict[str, Handler] = {
    **labeling_jobs.OPERATIONS,
    **workforces.OPERATIONS,
    **workteams.OPERATIONS,
    **human_task_uis.OPERATIONS,
    **tags.OPERATIONS,
}
