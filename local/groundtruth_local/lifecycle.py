"""Background job lifecycle: Initializing → InProgress (or Failed), Stopping, and the ticker.

One worker thread takes events in order (initialize a job, stop a job), so a Stop that
arrives while a job is still being read from S3 waits for that read and never races it.
A second thread calls `plugin.on_tick(now)` about every half second. On start, jobs left
mid-way by a previous run (with `--data-dir`) are picked up again: Initializing ones are
re-read, InProgress ones handed to the plugin again, Stopping ones stopped again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from groundtruth_local.context import LocalContext
from groundtruth_local.inputs import InputError, load_job_inputs
from groundtruth_local.plugins import JobPlugin
from groundtruth_local.store import InvalidTransitionError

log = logging.getLogger("groundtruth_local.lifecycle")

TICK_SECONDS = 0.5
_STOP = ("shutdown", "", "")


class JobRunner:
    """Runs the background half of the job lifecycle; implements the API's `JobEvents`."""

    def __init__(self, context: LocalContext, plugin: JobPlugin | None) -> None:
        self.context = context
        self.plugin = plugin
        self._events: queue.Queue[tuple[str, str, str]] = queue.Queue()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- JobEvents -------------------------------------------------------------------------

    def initialize(self, name: str) -> None:
        self._events.put(("initialize", name, ""))

    def stop(self, name: str, previous_status: str) -> None:
        self._events.put(("stop", name, previous_status))

    # -- running ---------------------------------------------------------------------------

    def start(self) -> None:
        self._resume()
        for target, name in ((self._work, "gt-lifecycle"), (self._tick, "gt-ticker")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def shutdown(self, timeout: float = 10.0) -> None:
        self._stopped.set()
        self._events.put(_STOP)
        for thread in self._threads:
            thread.join(timeout)

    def _resume(self) -> None:
        store = self.context.store
        for job in store.list_jobs_in_status("Initializing"):
            log.info("resuming initialization of %s", job.name)
            self.initialize(job.name)
        for job in store.list_jobs_in_status("InProgress"):
            log.info("handing %s to the task engine again", job.name)
            self._notify_in_progress(job.name)
        for job in store.list_jobs_in_status("Stopping"):
            log.info("resuming stop of %s", job.name)
            self.stop(job.name, "InProgress")

    def _work(self) -> None:
        while True:
            event = self._events.get()
            try:
                if event == _STOP:
                    return
                kind, name, previous = event
                if kind == "initialize":
                    self._initialize(name)
                else:
                    self._stop(name, previous)
            except Exception:  # one bad job must not end the lifecycle of every other
                log.exception("lifecycle event %s failed", event)
            finally:
                self._events.task_done()

    def _tick(self) -> None:
        while not self._stopped.wait(TICK_SECONDS):
            if self.plugin is None:
                continue
            try:
                self.plugin.on_tick(time.time())
            except Exception:
                log.exception("plugin on_tick failed")

    # -- the transitions -------------------------------------------------------------------

    def _initialize(self, name: str) -> None:
        store = self.context.store
        job = store.get_job(name)
        if job is None or job.status != "Initializing":
            return
        try:
            inputs = load_job_inputs(self.context, job)
        except InputError as error:
            log.info("labeling job %s failed: %s", name, error)
            self._set(name, "Failed", failure_reason=f"ClientError: {error}")
            return
        with store.connection():
            current = store.get_job(name)
            if current is None or current.status != "Initializing":
                return  # stopped while its inputs were read: leave it to the stop event
            store.put_data_objects(name, inputs.manifest_lines)
            store.set_job_status(name, "InProgress")
        log.info("labeling job %s is InProgress with %d objects", name, len(inputs.manifest_lines))
        self._notify_in_progress(name)

    def _notify_in_progress(self, name: str) -> None:
        if self.plugin is None:
            return
        description = self.context.store.describe_job(name)
        if description is None:
            return
        try:
            self.plugin.on_in_progress(description)
        except Exception:
            log.exception("plugin on_in_progress failed for %s", name)

    def _stop(self, name: str, previous_status: str) -> None:
        store = self.context.store
        job = store.get_job(name)
        if job is None or job.status != "Stopping":
            return
        if self.plugin is None or previous_status == "Initializing":
            # Nothing was handed out, so there is nothing to write.
            self._set(name, "Stopped")
            return
        description: dict[str, Any] | None = store.describe_job(name)
        if description is None:
            return
        try:
            self.plugin.on_stopping(description)
        except Exception:
            log.exception("plugin on_stopping failed for %s", name)

    def _set(self, name: str, status: str, failure_reason: str | None = None) -> None:
        try:
            self.context.store.set_job_status(name, status, failure_reason=failure_reason)
        except (KeyError, InvalidTransitionError) as error:
            log.warning("labeling job %s not moved to %s: %s", name, status, error)
