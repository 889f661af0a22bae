"""Keep moto's AWS state (S3, IAM, Cognito, ...) across restarts by journaling its writes.

moto holds everything in memory. With `--data-dir`, every request that changes state and
that moto answered with success is appended to `<data-dir>/moto-journal.jsonl`; at the next
start the journal is replayed into the fresh moto before the server accepts requests. That
is what lets a job survive a crash of the local Ground Truth with its images and outputs.

Limits, all documented in docs/local-ground-truth.md: identifiers moto draws at random
(IAM role ids, KMS key ids, Cognito client secrets) come back different; Cognito pool and
client ids are made deterministic (moto's HASH strategy) so references to them still hold.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from werkzeug.test import EnvironBuilder
from werkzeug.wsgi import get_input_stream

log = logging.getLogger("groundtruth_local.moto_journal")

JOURNAL_FILE_NAME = "moto-journal.jsonl"
WRITE_METHODS = frozenset({"PUT", "POST", "DELETE", "PATCH"})
READ_PREFIXES = ("Get", "List", "Describe", "AdminGet", "AdminList", "Lookup")
# Headers that do not change what moto does; dropping them keeps the journal small.
SKIPPED_HEADERS = frozenset({"connection", "keep-alive", "accept-encoding", "user-agent"})

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def deterministic_cognito_ids() -> None:
    """Make moto derive Cognito pool and client ids from their names, so a replayed pool has
    the id the workforce and Terraform state recorded. Must run before moto is imported."""
    os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY", "HASH")
    os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY", "HASH")


def _action(environ: dict[str, Any], body: bytes) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", errors="replace"))
        if "Action" in form:
            return form["Action"][0]
    return ""


def changes_state(environ: dict[str, Any], body: bytes) -> bool:
    """True for requests worth replaying: writes, minus reads that RPC protocols POST."""
    if environ.get("REQUEST_METHOD") not in WRITE_METHODS:
        return False
    return not _action(environ, body).startswith(READ_PREFIXES)


class MotoJournal:
    """Records moto's successful writes and replays them into a fresh moto."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / JOURNAL_FILE_NAME
        self._lock = threading.Lock()

    def replay(self, app: WSGIApp) -> int:
        """Feed every journaled request to `app`; returns how many were replayed."""
        if not self.path.exists():
            return 0
        count = 0
        failed = 0
        with self.path.open(encoding="utf-8") as journal:
            for line in journal:
                try:
                    entry = json.loads(line)
                except ValueError:
                    # A line cut short by a crash mid-write: everything before it is whole.
                    log.warning("ignoring a truncated journal line")
                    continue
                status = _call(app, entry)
                count += 1
                if status >= 300:
                    failed += 1
        log.info("replayed %d AWS requests into moto (%d not accepted)", count, failed)
        return count

    def wrap(self, app: WSGIApp) -> WSGIApp:
        """`app` with its successful state-changing requests appended to the journal."""

        def journaled(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if environ.get("REQUEST_METHOD") not in WRITE_METHODS:
                return app(environ, start_response)
            body = get_input_stream(environ).read()
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = False
            if not changes_state(environ, body):
                return app(environ, start_response)
            seen: list[int] = []

            def recording(status: str, headers: Any, exc_info: Any = None) -> Any:
                seen.append(int(status.split(" ", 1)[0]))
                return start_response(status, headers, exc_info)

            result = app(environ, recording)
            if seen and 200 <= seen[0] < 300:
                self._append(environ, body)
            return result

        return journaled

    def _append(self, environ: dict[str, Any], body: bytes) -> None:
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in SKIPPED_HEADERS
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        entry = {
            "method": environ["REQUEST_METHOD"],
            "path": environ.get("PATH_INFO", "/"),
            "query": environ.get("QUERY_STRING", ""),
            "headers": headers,
            "body": base64.b64encode(body).decode("ascii"),
        }
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as journal:
            journal.write(line)


def _call(app: WSGIApp, entry: dict[str, Any]) -> int:
    builder = EnvironBuilder(
        path=entry["path"],
        method=entry["method"],
        query_string=entry["query"],
        headers=entry["headers"],
        data=base64.b64decode(entry["body"]),
    )
    environ = builder.get_environ()
    seen: list[int] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Callable[..., Any]:
        seen.append(int(status.split(" ", 1)[0]))
        return lambda _data: None

    try:
        result = app(environ, start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    except Exception:  # one unreplayable request must not keep the server from starting
        log.exception("replaying %s %s failed", entry["method"], entry["path"])
        return 500
    return seen[0] if seen else 500
