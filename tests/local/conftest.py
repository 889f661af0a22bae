"""Fixtures of the labeling API suite: a SageMaker client that checks every answer's shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from groundtruth_local.api.shapes import output_errors

Checked = list[tuple[str, dict[str, Any]]]


def checking_client(gt: Any, seen: Checked | None = None, **config: Any) -> Any:
    """A boto3 SageMaker client that fails the call when a successful answer's raw JSON
    breaks botocore's output shape (unknown members, wrong types, missing required)."""
    client = gt.client("sagemaker", **config)

    def check(operation_model: Any, response_dict: dict[str, Any], **_kwargs: Any) -> None:
        if response_dict["status_code"] != 200:
            return
        body = json.loads(response_dict["body"] or b"{}")
        errors = output_errors(operation_model.name, body)
        assert not errors, f"{operation_model.name} answer breaks the model: {errors}"
        if seen is not None:
            seen.append((operation_model.name, body))

    client.meta.events.register("before-parse.sagemaker.*", check)
    return client


@pytest.fixture
def checked_client() -> Callable[..., Any]:
    """`checked_client(gt, **config)`: `checking_client` for a server of the test's own."""
    return checking_client


@pytest.fixture
def sagemaker(local_gt: Any) -> Any:
    return checking_client(local_gt)


@pytest.fixture
def raw_sagemaker(local_gt: Any) -> Callable[..., Any]:
    """A client without botocore's client-side validation or retries, so invalid requests
    reach the server as written."""

    def make(gt: Any = local_gt) -> Any:
        return checking_client(gt, parameter_validation=False, retries=0)

    return make
