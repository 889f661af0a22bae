"""The seam between the labeling API (job lifecycle) and the task engine (portal, consolidation).

The API owns jobs from CreateLabelingJob until they are InProgress with their data objects
stored; a `JobPlugin` owns them from there: it hands out tasks, consolidates answers, writes
output files and moves the job to Completed. Stopping goes through the plugin so a stopped
job writes what it has. Keeping this a small Protocol lets either side be tested alone.
"""

from __future__ import annotations

from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

JobDescription = dict[str, Any]


class JobPlugin(Protocol):
    def on_in_progress(self, job: JobDescription) -> None:
        """The job's data objects are stored and it is InProgress: start handing out tasks."""

    def on_tick(self, now: float) -> None:
        """Called about every half second: expire overdue tasks, finish completed jobs."""

    def on_stopping(self, job: JobDescription) -> None:
        """StopLabelingJob was accepted: write what exists, then mark the job Stopped."""

    def handle(self, request: Request) -> Response | None:
        """Serve an HTTP request of the plugin's own (the worker portal), or None to pass."""
