"""The `JobPlugin` the local Ground Truth server loads: task engine, finisher and portal."""

from __future__ import annotations

import logging
import os
from typing import Any

from werkzeug.wrappers import Request, Response

from groundtruth_local.context import LocalContext
from groundtruth_local.portal.auth import DEFAULT_SESSION_SECONDS, CognitoSignIn, Sessions
from groundtruth_local.portal.finishing import JobFinisher
from groundtruth_local.portal.web import PortalApp
from groundtruth_local.tasks import TaskEngine

log = logging.getLogger(__name__)

# Sessions last a work day by default; tests shorten it to watch one expire.
SESSION_SECONDS_ENV = "GROUNDTRUTH_PORTAL_SESSION_SECONDS"


class PortalPlugin:
    def __init__(self, context: LocalContext, session_seconds: float) -> None:
        self.context = context
        self.engine = TaskEngine(context.store)
        self.finisher = JobFinisher(context, self.engine, self._put)
        self.portal = PortalApp(
            context, self.engine, Sessions(context.store, session_seconds), CognitoSignIn(context)
        )

    def _put(self, bucket: str, key: str, body: bytes) -> None:
        content_type = "application/json" if key.endswith(".json") else "application/x-ndjson"
        self.context.client("s3").put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type
        )

    def on_in_progress(self, job: dict[str, Any]) -> None:
        self.finisher.adopt(job)

    def on_tick(self, now: float) -> None:
        self.finisher.tick(now)

    def on_stopping(self, job: dict[str, Any]) -> None:
        self.finisher.stop(job["LabelingJobName"])

    def handle(self, request: Request) -> Response | None:
        return self.portal.handle(request)


def create_plugin(context: LocalContext) -> PortalPlugin:
    seconds = float(os.environ.get(SESSION_SECONDS_ENV, DEFAULT_SESSION_SECONDS))
    return PortalPlugin(context, seconds)
