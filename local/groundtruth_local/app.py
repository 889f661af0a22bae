"""The one WSGI endpoint: our SageMaker operations, admin routes, the plugin's portal, moto.

Routing, in order:
1. `X-Amz-Target: SageMaker.<one of ours>` (or a SageMaker-signed request we must reject)
   → our labeling API, behind fault injection;
2. `/_gt/health`, `/_gt/admin/faults`, `/_gt/admin/stats`, `/_gt/human-task-uis/...` → here;
3. other paths under `/portal` and `/_gt/` → the `JobPlugin` (404 when it passes or is absent);
4. everything else → moto's server application (S3 path-style, IAM, STS, Cognito, SNS, KMS).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from groundtruth_local.api import protocol
from groundtruth_local.api.call import Call, JobEvents
from groundtruth_local.api.errors import ApiError, validation
from groundtruth_local.api.operations import OPERATIONS
from groundtruth_local.api.shapes import describe_errors, input_errors
from groundtruth_local.context import LocalContext
from groundtruth_local.faults import FaultInjector, settings_from_json
from groundtruth_local.plugins import JobPlugin
from groundtruth_local.portal.presigned import refuse_bad_presigned
from groundtruth_local.stats import CallStats

log = logging.getLogger("groundtruth_local.access")
api_log = logging.getLogger("groundtruth_local.api")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
OUR_OPERATIONS = frozenset(OPERATIONS)


def _is_local_route(path: str) -> bool:
    # Whole path segments only: a path-style S3 bucket may well be named "portal-images".
    return any(path == root or path.startswith(f"{root}/") for root in ("/_gt", "/portal"))


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


class LocalGroundTruthApp:
    """Dispatches each request to the labeling API, the admin routes, the plugin or moto."""

    def __init__(
        self,
        context: LocalContext,
        *,
        jobs: JobEvents,
        moto_app: WSGIApp,
        plugin: JobPlugin | None = None,
        faults: FaultInjector | None = None,
        stats: CallStats | None = None,
    ) -> None:
        self.context = context
        self.jobs = jobs
        self.moto_app = moto_app
        self.plugin = plugin
        self.faults = faults or FaultInjector()
        self.stats = stats or CallStats()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.monotonic()
        request = Request(environ)
        status_seen: list[str] = []

        def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            status_seen.append(status)
            return start_response(status, headers, exc_info)

        label = "moto"
        try:
            if protocol.is_sagemaker_request(request, OUR_OPERATIONS):
                label = request.headers.get("X-Amz-Target", "SageMaker.?")
                response: Response | None = self._sagemaker(request)
            elif _is_local_route(request.path):
                label = "gt"
                response = self._local_route(request)
            else:
                # moto serves SigV4 presigned URLs without checking them; refuse expired or
                # altered ones so the portal's object-scoped, short-lived URLs mean something.
                response = refuse_bad_presigned(request, time.time())
            if response is not None:
                return response(environ, recording_start_response)
            return self.moto_app(environ, recording_start_response)
        finally:
            log.info(
                "%s %s %s %s %.1fms",
                request.method,
                request.full_path.rstrip("?"),
                label,
                status_seen[0].split(" ", 1)[0] if status_seen else "-",
                (time.monotonic() - started) * 1000.0,
            )

    # -- our SageMaker operations ----------------------------------------------------------

    def _sagemaker(self, request: Request) -> Response:
        operation = request.headers.get("X-Amz-Target", "")[len(protocol.TARGET_PREFIX) :]
        try:
            operation, params = protocol.parse(request, OUR_OPERATIONS)
            delay, fault = self.faults.decide()
            if delay:
                time.sleep(delay)
            if fault is not None:
                self.stats.record(operation, "fault")
                raise fault
            errors = input_errors(operation, params)
            if errors:
                raise validation(describe_errors(errors))
            region, _service = protocol.signing_scope(request)
            call = Call(context=self.context, region=region or self.context.region, jobs=self.jobs)
            body = OPERATIONS[operation](call, params)
        except ApiError as error:
            if error.code not in ("ThrottlingException", "InternalFailure"):
                self.stats.record(operation or "?", f"error:{error.code}")
            return protocol.error_answer(error)
        except Exception:  # a bug of ours must still answer in AWS's shape, not a stack trace
            api_log.exception("operation %s failed", operation)
            self.stats.record(operation, "error:InternalFailure")
            return protocol.error_answer(
                ApiError("InternalFailure", "The request processing has failed.", status=500)
            )
        self.stats.record(operation, "ok")
        return protocol.answer(body)

    # -- /_gt and /portal ------------------------------------------------------------------

    def _local_route(self, request: Request) -> Response:
        path = request.path
        if path == "/_gt/health":
            return _json({"status": "ok", "plugin": self.plugin is not None})
        if path == "/_gt/admin/faults":
            return self._faults_route(request)
        if path == "/_gt/admin/stats":
            if request.method == "DELETE":
                self.stats.reset()
            return _json(self.stats.snapshot())
        if path.startswith("/_gt/human-task-uis/"):
            return self._human_task_ui_template(path)
        if self.plugin is not None:
            answer = self.plugin.handle(request)
            if answer is not None:
                return answer
        return _json({"error": f"no route for {request.method} {path}"}, status=404)

    def _faults_route(self, request: Request) -> Response:
        if request.method in ("POST", "PUT"):
            try:
                settings = settings_from_json(json.loads(request.get_data() or b"{}"))
            except ValueError as error:
                return _json({"error": str(error)}, status=400)
            self.faults.configure(settings)
            api_log.info("faults set to %s", settings.to_json())
        elif request.method != "GET":
            return _json({"error": "use GET or POST"}, status=405)
        return _json(self.faults.settings.to_json())

    def _human_task_ui_template(self, path: str) -> Response:
        # /_gt/human-task-uis/<region>/<name>: what DescribeHumanTaskUi's UiTemplate.Url serves.
        parts = path.split("/")
        if len(parts) != 5:
            return _json({"error": "expected /_gt/human-task-uis/<region>/<name>"}, status=404)
        resource = self.context.store.get_resource("human-task-ui", parts[3], parts[4])
        if resource is None:
            return _json({"error": f"no human task UI {parts[4]} in {parts[3]}"}, status=404)
        return Response(resource.doc["UiTemplate"]["Content"], mimetype="text/html")
