"""The worker portal's HTTP routes (werkzeug), all under `/portal`.

Browsers and `groundtruth workers simulate` use exactly these routes. Every state-changing
route is a POST carrying the session's CSRF token; every refusal is an HTML page with a
clear message and a 4xx status, and changes nothing. Request paths only ever select rows by
id or one of two packaged static files: nothing in a request names a file or an S3 key.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import quote, urlparse

import boto3
from botocore.config import Config
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from groundtruth_local.context import (
    TEST_ACCESS_KEY_ID,
    TEST_SECRET_ACCESS_KEY,
    LocalContext,
)
from groundtruth_local.portal.auth import CognitoSignIn, NewPasswordRequired, Sessions, SignInError
from groundtruth_local.portal.render import TemplateError, render_page, render_task_template
from groundtruth_local.tasks import TaskEngine, TaskRefusedError, Worker

log = logging.getLogger(__name__)

SESSION_COOKIE = "gt_portal_session"
LOGIN_COOKIE = "gt_portal_login"
MAX_BODY_BYTES = 64 * 1024
MAX_PRESIGN_SECONDS = 3600
STATIC_FILES = {
    "crowd-html-elements.js": "application/javascript",
    "portal.css": "text/css",
}
NOTICES = {
    "submitted": "Thanks: your answer was recorded.",
    "declined": "Task declined: it went back to the pool.",
    "no-more": "There are no more tasks for you in that job.",
    "signed-out": "You are signed out.",
}

_ROUTES = Map(
    [
        Rule("/portal", endpoint="home"),
        Rule("/portal/", endpoint="home"),
        Rule("/portal/login", endpoint="login"),
        Rule("/portal/logout", endpoint="logout", methods=["POST"]),
        Rule("/portal/jobs", endpoint="jobs"),
        Rule("/portal/jobs/<job_name>/start", endpoint="start", methods=["POST"]),
        Rule("/portal/tasks/<task_id>", endpoint="task"),
        Rule("/portal/tasks/<task_id>/submit", endpoint="submit", methods=["POST"]),
        Rule("/portal/tasks/<task_id>/decline", endpoint="decline", methods=["POST"]),
        Rule("/portal/static/<name>", endpoint="static"),
    ],
    strict_slashes=False,
)


class PortalApp:
    """Dispatches `/portal` requests; `clock` is injectable so tests need not sleep."""

    def __init__(
        self,
        context: LocalContext,
        engine: TaskEngine,
        sessions: Sessions,
        sign_in: CognitoSignIn,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.context = context
        self.engine = engine
        self.sessions = sessions
        self.sign_in = sign_in
        self.clock = clock
        endpoint = urlparse(context.endpoint_url)
        self._image_origin = f"{endpoint.scheme}://{endpoint.netloc}"
        # SigV4 query signing (X-Amz-Expires), as Ground Truth's grant_read_access produces.
        self._presigner = boto3.session.Session().client(
            "s3",
            endpoint_url=context.endpoint_url,
            region_name=context.region,
            aws_access_key_id=TEST_ACCESS_KEY_ID,
            aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def handle(self, request: Request) -> Response | None:
        if not (request.path == "/portal" or request.path.startswith("/portal/")):
            return None
        request.max_content_length = MAX_BODY_BYTES
        request.max_form_memory_size = MAX_BODY_BYTES
        try:
            if (request.content_length or 0) > MAX_BODY_BYTES:
                raise RequestEntityTooLarge()
            endpoint, args = _ROUTES.bind_to_environ(request.environ).match()
            response: Response = getattr(self, f"_{endpoint}")(request, **args)
        except _Redirect as redirect:
            response = redirect.get_response()
        except RequestEntityTooLarge:
            response = self._page(
                request, "message", status=413, error="The request is too large.", title="Error"
            )
        except TaskRefusedError as refusal:
            response = self._page(
                request, "message", status=refusal.status, error=refusal.message, title="Refused"
            )
        except HTTPException as error:
            response = self._page(
                request,
                "message",
                status=error.code or 400,
                error=error.description or "Bad request.",
                title="Error",
            )
        return self._harden(response)

    # -- helpers ---------------------------------------------------------------------------

    def _harden(self, response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            f" img-src 'self' data: {self._image_origin}; form-action 'self';"
            " connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _session(self, request: Request) -> tuple[str | None, Any]:
        session_id = request.cookies.get(SESSION_COOKIE)
        return session_id, self.sessions.get(session_id, self.clock())

    def _require(self, request: Request) -> Any:
        """The session, or a redirect/401 answer raised as an HTTPException."""
        _, session = self._session(request)
        if session is None:
            if request.method == "GET":
                raise _Redirect("/portal/login")
            raise _Unauthorized()
        if request.method == "POST":
            token = request.form.get("csrf_token", "")
            if not hmac.compare_digest(token.encode(), session.csrf.encode()):
                raise TaskRefusedError(
                    "The form's security token is missing or wrong: reload the page.", 403
                )
        return session

    def _page(self, request: Request, name: str, *, status: int = 200, **values: Any) -> Response:
        _, session = self._session(request)
        if session is not None:
            values.setdefault("csrf", session.csrf)
            values.setdefault("worker_name", session.worker.username)
            values["signed_in"] = True
        values.setdefault("message", values.get("error") or values.get("notice") or "")
        return Response(render_page(name, **values), status=status, mimetype="text/html")

    # -- routes ----------------------------------------------------------------------------

    def _home(self, request: Request) -> Response:
        _, session = self._session(request)
        return _redirect("/portal/jobs" if session else "/portal/login")

    def _static(self, request: Request, name: str) -> Response:
        if name not in STATIC_FILES:  # a fixed allow-list: the path never reaches the disk
            return self._page(request, "message", status=404, error="Not found.", title="Error")
        body = (resources.files("groundtruth_local") / "static" / name).read_bytes()
        response = Response(body, mimetype=STATIC_FILES[name])
        response.headers["Cache-Control"] = "no-cache"
        return response

    def _login(self, request: Request) -> Response:  # noqa: PLR0911 - one answer per outcome
        if request.method == "GET":
            token = secrets.token_urlsafe(24)
            notice = NOTICES.get(request.args.get("notice", ""))
            response = self._page(
                request, "login", csrf=token, title="Sign in", username="", notice=notice
            )
            _set_cookie(response, LOGIN_COOKIE, token, max_age=3600)
            return response
        if request.method != "POST":
            return self._page(request, "message", status=405, error="Use GET or POST.")
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        token = request.form.get("csrf_token", "")
        if not cookie or not hmac.compare_digest(cookie.encode(), token.encode()):
            return self._page(
                request,
                "message",
                status=403,
                error="The sign-in form expired or was not sent by this site: reload it.",
            )
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        if not username or not password:
            return self._login_again(request, token, username, "Enter a user name and password.")
        try:
            outcome = self.sign_in.sign_in(
                username,
                password,
                new_password=request.form.get("new_password") or None,
            )
        except SignInError as error:
            return self._login_again(request, token, username, str(error))
        if isinstance(outcome, NewPasswordRequired):
            response = self._page(
                request,
                "login",
                csrf=token,
                username=username,
                challenge="required",
                notice="Your account has a temporary password: choose a new one.",
                title="Sign in",
            )
            return response
        session_id, _ = self.sessions.create(outcome, self.clock())
        log.info("worker signed in", extra={"worker": outcome.worker_id})
        response = _redirect("/portal/jobs")
        _set_cookie(response, SESSION_COOKIE, session_id, max_age=int(self.sessions.lifetime))
        response.delete_cookie(LOGIN_COOKIE, path="/portal")
        return response

    def _login_again(self, request: Request, token: str, username: str, error: str) -> Response:
        return self._page(request, "login", status=401, csrf=token, username=username, error=error)

    def _logout(self, request: Request) -> Response:
        self._require(request)
        self.sessions.delete(request.cookies.get(SESSION_COOKIE))
        response = _redirect("/portal/login?notice=signed-out")
        response.delete_cookie(SESSION_COOKIE, path="/portal")
        return response

    def _jobs(self, request: Request) -> Response:
        session = self._require(request)
        jobs = [
            {
                "name": job.job_name,
                "title": job.title,
                "description": job.description,
                "available": job.available,
                "active": job.active_task,
            }
            for job in self.engine.jobs_for(session.worker, self.clock())
        ]
        notice = NOTICES.get(request.args.get("notice", ""))
        return self._page(request, "jobs", jobs=jobs, notice=notice, title="Jobs")

    def _start(self, request: Request, job_name: str) -> Response:
        session = self._require(request)
        assignment = self.engine.claim(job_name, session.worker, self.clock())
        if assignment is None:
            return _redirect("/portal/jobs?notice=no-more")
        return _redirect(f"/portal/tasks/{assignment.task_id}")

    def _task(self, request: Request, task_id: str) -> Response:
        session = self._require(request)
        worker: Worker = session.worker
        assignment = self.engine.assignment_for(task_id, worker)
        now = self.clock()
        if assignment.state != "active" or now > assignment.deadline:
            raise TaskRefusedError(
                "This task is no longer open: it was answered or has expired.", 410
            )
        config = self.engine.config(assignment.job_name)
        assert config is not None
        expires = int(min(MAX_PRESIGN_SECONDS, max(60, assignment.deadline - now)))
        try:
            rendered = render_task_template(
                config.template,
                assignment.source_ref,
                config.labels,
                lambda uri: self._presign(uri, expires),
            )
        except TemplateError as error:
            return self._page(request, "message", status=500, error=str(error))
        return self._page(
            request,
            "task",
            rendered=rendered,
            task_id=assignment.task_id,
            job_name=assignment.job_name,
            deadline_ms=int(assignment.deadline * 1000),
            title=config.title,
            countdown=True,
            notice=NOTICES.get(request.args.get("notice", "")),
        )

    def _submit(self, request: Request, task_id: str) -> Response:
        session = self._require(request)
        try:
            answer = json.loads(request.form.get("answer", ""))
        except json.JSONDecodeError as error:
            raise TaskRefusedError("The answer is not valid JSON.", 400) from error
        assignment = self.engine.submit(task_id, session.worker, answer, self.clock())
        return self._next(session.worker, assignment.job_name, "submitted")

    def _decline(self, request: Request, task_id: str) -> Response:
        session = self._require(request)
        self.engine.decline(task_id, session.worker, self.clock())
        return _redirect("/portal/jobs?notice=declined")

    def _next(self, worker: Worker, job_name: str, notice: str) -> Response:
        try:
            following = self.engine.claim(job_name, worker, self.clock())
        except TaskRefusedError:
            following = None
        if following is None:
            return _redirect(f"/portal/jobs?notice={notice}")
        return _redirect(f"/portal/tasks/{following.task_id}?notice={notice}")

    def _presign(self, uri: str, expires: int) -> str:
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        url: str = self._presigner.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires
        )
        return url


class _Redirect(HTTPException):
    code = 303

    def __init__(self, location: str) -> None:
        super().__init__()
        self.location = location

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:
        return _redirect(self.location)


class _Unauthorized(HTTPException):
    code = 401
    description = "Your session has expired or you are not signed in: sign in again."


def _redirect(location: str) -> Response:
    return Response("", status=303, headers={"Location": quote(location, safe="/?=&-_.")})


def _set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/portal", httponly=True, samesite="Strict"
    )
