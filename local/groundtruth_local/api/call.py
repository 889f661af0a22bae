"""What an operation handler gets besides its parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from groundtruth_local.context import LocalContext


class JobEvents(Protocol):
    """The lifecycle side of the API: what Create and Stop hand over to background work."""

    def initialize(self, name: str) -> None: ...

    def stop(self, name: str, previous_status: str) -> None: ...


@dataclass(frozen=True)
class Call:
    context: LocalContext
    region: str
    jobs: JobEvents

    def arn(self, resource: str) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.context.account_id}:{resource}"


Handler = Callable[[Call, dict[str, Any]], dict[str, Any]]
