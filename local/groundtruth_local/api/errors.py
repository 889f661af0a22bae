"""AWS-shaped API errors: what a handler raises becomes `{"__type", "message"}` on the wire."""

from __future__ import annotations


class ApiError(Exception):
    """An error answer in AWS's JSON 1.1 shape; botocore turns `code` into ClientError's code."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def validation(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def not_found(message: str) -> ApiError:
    return ApiError("ResourceNotFound", message)


def in_use(message: str) -> ApiError:
    return ApiError("ResourceInUse", message)


def limit_exceeded(message: str) -> ApiError:
    return ApiError("ResourceLimitExceeded", message)


def throttled() -> ApiError:
    return ApiError("ThrottlingException", "Rate exceeded")


def internal_failure() -> ApiError:
    return ApiError(
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
        status=500,
    )
