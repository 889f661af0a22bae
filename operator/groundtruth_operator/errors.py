"""The operator's exceptions: the type decides the retry policy.

kopf retries a `TemporaryError` after its delay and gives up on a `PermanentError`; every
permanent error here also carries the condition reason and message the user sees.
"""

from __future__ import annotations

import kopf


class AwsThrottledError(kopf.TemporaryError):
    """Throttling, a 5xx or a network failure: try again later, never fatal."""

    def __init__(self, operation: str, code: str, message: str, delay: float) -> None:
        super().__init__(f"{operation}: {code}: {message}", delay=delay)
        self.operation = operation
        self.code = code


class ConditionError(kopf.PermanentError):
    """A failure the user must fix; `reason` and `message` go into the Ready condition."""

    reason = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidSpecError(ConditionError):
    """The spec cannot become a valid CreateLabelingJob request. No AWS call was made."""

    reason = "InvalidSpec"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PreflightError(ConditionError):
    """A pre-flight check found a problem Ground Truth would only report much later."""

    reason = "PreflightFailed"


class NameInUseError(ConditionError):
    """The job name belongs to a Ground Truth job this resource did not create."""

    reason = "NameInUse"


class AwsRejectedError(ConditionError):
    """AWS refused the request (ValidationException, AccessDenied, ResourceLimitExceeded)."""

    reason = "CreateFailed"

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation}: {code}: {message}")
        self.operation = operation
        self.code = code
