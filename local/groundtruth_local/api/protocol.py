"""The JSON 1.1 wire protocol SageMaker speaks: which requests are ours, parse, answer."""

from __future__ import annotations

import json
import uuid
from typing import Any

from werkzeug.wrappers import Request, Response

from groundtruth_local.api.errors import ApiError
from groundtruth_local.api.shapes import sagemaker_model

TARGET_PREFIX = "SageMaker."
JSON_CONTENT_TYPES = ("application/x-amz-json-1.1", "application/json")


def signing_scope(request: Request) -> tuple[str | None, str | None]:
    """(region, service) from a SigV4 Authorization header, or (None, None) when unsigned."""
    auth = request.headers.get("Authorization", "")
    if "Credential=" not in auth:
        return None, None
    try:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0]
        _key, _date, region, service, _terminator = scope.split("/")
    except ValueError:
        return None, None
    return region, service


def is_sagemaker_request(request: Request, operations: set[str] | frozenset[str]) -> bool:
    """True for requests this project answers rather than moto.

    Ours: a target naming one of our operations, a `SageMaker.` target naming nothing in the
    service model (moto would answer that with a 500), and requests signed for `sagemaker`
    at `/` without a target (so the client gets AWS's UnknownOperationException).
    """
    target = request.headers.get("X-Amz-Target", "")
    if target.startswith(TARGET_PREFIX):
        name = target[len(TARGET_PREFIX) :]
        return name in operations or name not in sagemaker_model().operation_names
    _region, service = signing_scope(request)
    return service == "sagemaker" and request.path == "/" and not target


def parse(request: Request, operations: set[str] | frozenset[str]) -> tuple[str, dict[str, Any]]:
    """(operation name, parameters) of a request of ours, or the AWS error to answer."""
    target = request.headers.get("X-Amz-Target", "")
    if not target.startswith(TARGET_PREFIX):
        raise ApiError("UnknownOperationException", "Missing or malformed X-Amz-Target header.")
    operation = target[len(TARGET_PREFIX) :]
    if operation not in operations:
        raise ApiError("UnknownOperationException", f"Unknown operation {operation}.")
    if request.method != "POST":
        raise ApiError("UnknownOperationException", f"{operation} must be called with POST.")
    content_type = request.mimetype
    if content_type not in JSON_CONTENT_TYPES:
        raise ApiError(
            "UnknownOperationException",
            f"Unsupported Content-Type {content_type or '(none)'!r}: expected "
            "application/x-amz-json-1.1.",
        )
    raw = request.get_data(cache=True)
    if not raw.strip():
        return operation, {}
    try:
        params = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError("SerializationException", f"Malformed JSON body: {error}.") from error
    if not isinstance(params, dict):
        raise ApiError("SerializationException", "The request body must be a JSON object.")
    return operation, params


def _headers(request_id: str) -> dict[str, str]:
    return {"x-amzn-RequestId": request_id, "Content-Type": "application/x-amz-json-1.1"}


def answer(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=200, headers=_headers(str(uuid.uuid4())))


def error_answer(error: ApiError) -> Response:
    body = {"__type": error.code, "message": error.message}
    headers = _headers(str(uuid.uuid4()))
    headers["x-amzn-ErrorType"] = error.code
    return Response(json.dumps(body), status=error.status, headers=headers)
