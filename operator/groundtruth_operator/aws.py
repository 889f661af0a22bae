"""Every SageMaker and S3 call the operator makes, and how their failures are classified.

Not-found comes back as `None`. Throttling, 5xx and network trouble raise
`AwsThrottledError` (a kopf TemporaryError, with a delay that grows while the region keeps
throttling). Refusals the user must fix raise `AwsRejectedError` (a PermanentError whose
message is AWS's verbatim). ResourceInUse on create raises `JobNameTaken` so the caller can
decide whether the existing job is its own.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from groundtruth_operator import metrics, sessions
from groundtruth_operator.errors import AwsRejectedError, AwsThrottledError
from groundtruth_operator.s3uri import S3Uri

logger = logging.getLogger(__name__)

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "RequestThrottled",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalServerError",
    }
)
NOT_FOUND_CODES = frozenset({"ResourceNotFound", "NoSuchKey", "404", "NoSuchBucket"})
MAX_DELAY = 120.0
T = TypeVar("T")


class JobNameTaken(Exception):  # noqa: N818 (a signal, not a failure)
    """CreateLabelingJob answered ResourceInUse: a job with this name already exists."""


@dataclass
class _Backoff:
    """Consecutive throttles per region: the retry delay doubles while they keep coming."""

    streak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self) -> float:
        with self.lock:
            self.streak += 1
            base = min(MAX_DELAY, 2.0 ** min(self.streak, 7))
        return base * random.uniform(0.75, 1.25)

    def succeeded(self) -> None:
        self.streak = 0


def _client_config() -> Config:
    # One quick retry inside botocore; longer backoff belongs to kopf so a handler never
    # blocks a worker for minutes.
    return Config(
        connect_timeout=5,
        read_timeout=30,
        retries={"mode": "standard", "total_max_attempts": 2},
        max_pool_connections=20,
    )


class GroundTruth:
    """SageMaker and S3 clients for one region, created once at operator startup."""

    def __init__(
        self,
        region: str,
        endpoint_url: str | None = None,
        session: boto3.session.Session | None = None,
    ) -> None:
        session = session or sessions.shared_boto3()
        self.region = region
        config = _client_config()
        # A local endpoint (an IP and port) has no bucket subdomains: use path-style URLs.
        s3_config = (
            config.merge(Config(s3={"addressing_style": "path"})) if endpoint_url else config
        )
        with sessions.LOCK:
            self.sagemaker = session.client(
                "sagemaker", region_name=region, endpoint_url=endpoint_url, config=config
            )
            self.s3 = session.client(
                "s3", region_name=region, endpoint_url=endpoint_url, config=s3_config
            )
        self._backoff = _Backoff()

    def _call(self, operation: str, function: Callable[[], T]) -> T:
        try:
            result = function()
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "Unknown")
            message = error.response.get("Error", {}).get("Message", str(error))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in THROTTLING_CODES or status >= 500:
                metrics.aws_call(operation, "throttled")
                delay = self._backoff.failed()
                logger.warning(
                    "AWS call throttled",
                    extra={"operation": operation, "code": code, "retry_in": round(delay, 1)},
                )
                raise AwsThrottledError(operation, code, message, delay) from None
            metrics.aws_call(operation, code)
            raise
        except (EndpointConnectionError, BotoConnectionError, ReadTimeoutError) as error:
            metrics.aws_call(operation, "unreachable")
            delay = self._backoff.failed()
            raise AwsThrottledError(operation, "Unreachable", str(error), delay) from None
        except BotoCoreError:
            metrics.aws_call(operation, "error")
            raise
        metrics.aws_call(operation, "ok")
        self._backoff.succeeded()
        return result

    # --- SageMaker -------------------------------------------------------------------

    def describe_job(self, name: str) -> dict[str, Any] | None:
        try:
            return self._call(
                "DescribeLabelingJob",
                lambda: self.sagemaker.describe_labeling_job(LabelingJobName=name),
            )
        except ClientError as error:
            # AWS answers an unknown labeling job with ValidationException, not 404.
            if _code(error) in NOT_FOUND_CODES | {"ValidationException"}:
                return None
            raise _rejected("DescribeLabelingJob", error) from None

    def create_job(self, request: dict[str, Any]) -> str:
        try:
            response = self._call(
                "CreateLabelingJob", lambda: self.sagemaker.create_labeling_job(**request)
            )
        except ClientError as error:
            if _code(error) == "ResourceInUse":
                raise JobNameTaken(_message(error)) from None
            raise _rejected("CreateLabelingJob", error) from None
        return str(response["LabelingJobArn"])

    def stop_job(self, name: str) -> None:
        try:
            self._call(
                "StopLabelingJob", lambda: self.sagemaker.stop_labeling_job(LabelingJobName=name)
            )
        except ClientError as error:
            if _code(error) in NOT_FOUND_CODES | {"ValidationException"}:
                # Already finished or never existed: nothing left to stop.
                logger.info("stop skipped", extra={"job": name, "reason": _message(error)})
                return
            raise _rejected("StopLabelingJob", error) from None

    def list_jobs_page(self, **params: Any) -> tuple[list[dict[str, Any]], str | None]:
        """One ListLabelingJobs page (at most 100 summaries) and the next token."""
        params.setdefault("MaxResults", 100)
        try:
            response = self._call(
                "ListLabelingJobs", lambda: self.sagemaker.list_labeling_jobs(**params)
            )
        except ClientError as error:
            raise _rejected("ListLabelingJobs", error) from None
        return response.get("LabelingJobSummaryList", []), response.get("NextToken")

    def describe_workteam(self, arn: str) -> dict[str, Any] | None:
        name = arn.rsplit("/", 1)[-1]
        try:
            response = self._call(
                "DescribeWorkteam", lambda: self.sagemaker.describe_workteam(WorkteamName=name)
            )
        except ClientError as error:
            if _code(error) in NOT_FOUND_CODES | {"ValidationException"}:
                return None
            raise _rejected("DescribeWorkteam", error) from None
        workteam: dict[str, Any] = response["Workteam"]
        return workteam

    # --- S3 ----------------------------------------------------------------------------

    def put_object(self, uri: str, body: bytes, content_type: str) -> None:
        target = S3Uri.parse(uri)
        try:
            self._call(
                "PutObject",
                lambda: self.s3.put_object(
                    Bucket=target.bucket, Key=target.key, Body=body, ContentType=content_type
                ),
            )
        except ClientError as error:
            raise _rejected("PutObject", error, uri) from None

    def read_lines(self, uri: str, limit: int | None = None) -> Iterator[bytes] | None:
        """The object's lines (the first `limit` of them), or None when it does not exist."""
        target = S3Uri.parse(uri)
        try:
            response = self._call(
                "GetObject", lambda: self.s3.get_object(Bucket=target.bucket, Key=target.key)
            )
        except ClientError as error:
            if _code(error) in NOT_FOUND_CODES:
                return None
            raise _rejected("GetObject", error, uri) from None
        lines = response["Body"].iter_lines()
        if limit is None:
            return lines
        return (line for index, line in enumerate(lines) if index < limit)

    def bucket_cors(self, bucket: str) -> list[dict[str, Any]] | None:
        """The bucket's CORS rules, [] when it has none, None when the bucket is unknown."""
        try:
            response = self._call("GetBucketCors", lambda: self.s3.get_bucket_cors(Bucket=bucket))
        except ClientError as error:
            code = _code(error)
            if code == "NoSuchCORSConfiguration":
                return []
            if code in NOT_FOUND_CODES:
                return None
            raise _rejected("GetBucketCors", error, bucket) from None
        rules: list[dict[str, Any]] = response.get("CORSRules", [])
        return rules


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", error))


def _rejected(operation: str, error: ClientError, subject: str | None = None) -> AwsRejectedError:
    message = _message(error)
    if subject:
        message = f"{subject}: {message}"
    return AwsRejectedError(operation, _code(error), message)


def epoch(value: datetime | float | None) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, datetime) else float(value)


class Regions:
    """GroundTruth clients by region, created on first use and then reused."""

    def __init__(self, endpoint_url: str | None = None) -> None:
        self.endpoint_url = endpoint_url
        self._clients: dict[str, GroundTruth] = {}
        self._lock = threading.Lock()
        self.created_at = time.monotonic()

    def get(self, region: str) -> GroundTruth:
        with self._lock:
            client = self._clients.get(region)
            if client is None:
                client = GroundTruth(region, self.endpoint_url)
                self._clients[region] = client
            return client
