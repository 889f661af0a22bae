"""What every part of the local Ground Truth shares: settings, the store and AWS clients.

The task engine's plugin factory receives a `LocalContext`; the clients it hands out point
at this very server, so S3 reads and writes go through moto's real HTTP S3 exactly as an
AWS client would, and nothing reaches into moto's in-process state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from groundtruth_local.store import Store

# moto's default account: ARNs of ours must agree with the ones moto puts on IAM roles.
DEFAULT_ACCOUNT_ID = "123456789012"
TEST_ACCESS_KEY_ID = "test"
TEST_SECRET_ACCESS_KEY = "test"  # noqa: S105 - moto's fixed fake credential, not a secret


@dataclass
class LocalContext:
    """Settings and shared services of one running `groundtruth local up`."""

    region: str
    endpoint_url: str
    store: Store
    data_dir: Path
    account_id: str = DEFAULT_ACCOUNT_ID
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _clients_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def portal_url(self) -> str:
        return f"{self.endpoint_url}/portal"

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client for `service` against this server (cached: clients are thread-safe)."""
        key = (service, region or self.region)
        with self._clients_lock:
            if key not in self._clients:
                self._clients[key] = boto3.session.Session().client(
                    service,
                    endpoint_url=self.endpoint_url,
                    region_name=key[1],
                    aws_access_key_id=TEST_ACCESS_KEY_ID,
                    aws_secret_access_key=TEST_SECRET_ACCESS_KEY,
                    config=Config(
                        s3={"addressing_style": "path"},
                        retries={"max_attempts": 3, "mode": "standard"},
                        connect_timeout=5,
                        read_timeout=30,
                    ),
                )
            return self._clients[key]

    def env(self) -> dict[str, str]:
        """Environment variables that point AWS SDKs and CLIs at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": TEST_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }
