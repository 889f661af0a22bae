"""Shared fixtures: a REAL `groundtruth local up` process for any test that needs AWS.

Fixtures (names are stable; other suites rely on them):

- `local_gt` (session scope): one running local Ground Truth on a free 127.0.0.1 port with a
  temporary `--data-dir`. Shared by every test of the session, so use unique resource names
  (`unique_name`) and never stop/restart it: ask `local_gt_factory` for a server of your own.
- `local_gt_factory(**options)` (function scope): starts a server of the test's own and
  stops it afterwards. Options: `region="us-east-1"`, `faults=("throttle=0.3", ...)`,
  `fault_seed=None`, `plugin=True` (False runs `--no-plugin`: jobs stay InProgress),
  `data_dir=None` (a fresh temporary directory), `extra_args=()`.
- `unique_name(prefix="t")`: a name valid for every SageMaker/S3 resource, unique per call.
- `gt_helpers`: the helpers below as attributes: `ensure_workteam(gt)` (Cognito pool, client
  and group, the region's workforce and a private workteam, created once per server),
  `make_labeling_job_request(gt, name, objects=3, labels=("cat", "dog"), workers=1)`
  (uploads images, manifest, label file and template; returns create_labeling_job kwargs),
  `wait_for_status(gt, name, ("InProgress",), timeout=180)`, `tiny_png(seed)`, `TEMPLATE`.

Both fixtures yield a `LocalGroundTruthProcess` with:
`.endpoint` (http://127.0.0.1:PORT), `.region`, `.data_dir`, `.port`,
`.env` (AWS_ENDPOINT_URL, test credentials and region, to merge into a subprocess's env),
`.client(service, **config)` (a boto3 client; `retries=0` disables botocore's retries),
`.set_faults(throttle=..., error5xx=..., latency="200ms", seed=...)`, `.stats()`,
`.stop(kill=False)`, `.start()`, `.restart(kill=False)` (same port and data dir; labeling
state survives, and so do S3/IAM/Cognito through the moto journal unless the server was
started with `extra_args=("--no-aws-journal",)`) and `.log_text()`.

Every server runs with a data dir, hence with the moto journal, hence with Cognito pool and
client ids derived from their names: two pools with the same name and settings in one
server get the same id, so give pools unique names.

When a test that used one of them fails, the tail of the server's log is attached to the
failure report.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from local_gt_support import (
    LOG_TAIL_LINES,
    TEMPLATE,
    LocalGroundTruthProcess,
    ensure_workteam,
    make_labeling_job_request,
    tiny_png,
    wait_for_status,
)

_names = itertools.count()
_run = uuid.uuid4().hex[:6]


@pytest.fixture
def unique_name() -> Callable[..., str]:
    def make(prefix: str = "t") -> str:
        return f"{prefix}-{_run}-{next(_names)}"

    return make


@pytest.fixture(scope="session")
def local_gt() -> Iterator[LocalGroundTruthProcess]:
    server = LocalGroundTruthProcess()
    try:
        yield server.start()
    finally:
        server.cleanup()


@pytest.fixture
def local_gt_factory() -> Iterator[Callable[..., LocalGroundTruthProcess]]:
    servers: list[LocalGroundTruthProcess] = []

    def make(**options: Any) -> LocalGroundTruthProcess:
        server = LocalGroundTruthProcess(**options)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.cleanup()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    servers: list[LocalGroundTruthProcess] = []
    if isinstance(funcargs.get("local_gt"), LocalGroundTruthProcess):
        servers.append(funcargs["local_gt"])
    factory = funcargs.get("local_gt_factory")
    if factory is not None:
        closure = getattr(factory, "__closure__", None) or ()
        for cell in closure:
            if isinstance(cell.cell_contents, list):
                servers += [s for s in cell.cell_contents if isinstance(s, LocalGroundTruthProcess)]
    for server in servers:
        tail = "\n".join(server.log_text().splitlines()[-LOG_TAIL_LINES:])
        report.sections.append((f"local Ground Truth log ({server.endpoint})", tail))


@pytest.fixture(scope="session")
def gt_helpers() -> SimpleNamespace:
    """The helpers above, for test modules (conftest modules are not importable by name)."""
    return SimpleNamespace(
        ensure_workteam=ensure_workteam,
        make_labeling_job_request=make_labeling_job_request,
        wait_for_status=wait_for_status,
        tiny_png=tiny_png,
        TEMPLATE=TEMPLATE,
    )
