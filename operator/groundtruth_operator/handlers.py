"""kopf handlers: translate Kubernetes events into reconciler calls and write the results.

Nothing here decides anything; see reconciler.py. Blocking boto3 work runs in kopf's thread
pool (sync handlers), sized at startup.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import kopf

from groundtruth_operator import kubelogin, metrics
from groundtruth_operator.aws import Regions
from groundtruth_operator.config import GROUP, PLURAL, VERSION, OperatorConfig
from groundtruth_operator.kube import DefaultsReader
from groundtruth_operator.reconciler import (
    ADOPT_ANNOTATION,
    FINALIZER,
    Outcome,
    Reconciler,
    Resource,
)
from groundtruth_operator.status import TERMINAL
from groundtruth_operator.sync import BatchedSync

logger = logging.getLogger(__name__)
RESOURCE = (GROUP, VERSION, PLURAL)
KOPF_PREFIX = f"kopf.{GROUP}"


kopf.on.login()(kubelogin.login)


def _config(memo: kopf.Memo) -> OperatorConfig:
    config = getattr(memo, "config", None)
    return config if isinstance(config, OperatorConfig) else OperatorConfig()


@kopf.on.startup()
def startup(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    config = _config(memo)
    settings.persistence.finalizer = FINALIZER
    settings.execution.max_workers = config.aws_workers
    # Only our own Events are posted (kopf.event below). Posting kopf's INFO log lines would
    # turn every timer tick of every resource into an Event: with 1,000 resources that
    # flooded the API server and held hundreds of MiB of queued Events.
    settings.posting.level = logging.WARNING
    # Watches reconnect well before a load balancer would silently cut them.
    settings.watching.server_timeout = 300
    settings.watching.client_timeout = 330
    regions = Regions(config.endpoint_url)
    memo.regions = regions
    memo.syncer = BatchedSync(regions, max_age=config.poll_interval)
    # Resource handlers get no `settings` argument; the ConfigMap read and executor need it.
    memo.settings = settings
    memo.reconciler = Reconciler(regions, memo.syncer, config.cli_defaults)
    memo.defaults_reader = DefaultsReader(config.defaults_configmap, config.defaults_namespace)
    # kopf's progress and last-handled spec live in annotations of their own prefix: not
    # status (the structural schema would prune it), and not our own prefix, whose keys
    # (the adopt annotation) kopf would then ignore as its bookkeeping.
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=KOPF_PREFIX)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix=KOPF_PREFIX)
    logger.info(
        "operator started",
        extra={"endpoint": config.endpoint_url or "AWS", "poll_interval": config.poll_interval},
    )


def _resource(body: kopf.Body, meta: kopf.Meta) -> Resource:
    return Resource(
        namespace=meta.get("namespace") or "default",
        name=str(meta["name"]),
        uid=str(meta.get("uid") or ""),
        generation=meta.get("generation"),
        spec=dict(body.get("spec") or {}),
        status=dict(body.get("status") or {}),
        annotations=dict(meta.get("annotations") or {}),
    )


def _apply(outcome: Outcome, patch: kopf.Patch, body: kopf.Body) -> None:
    for key, value in outcome.status.items():
        patch.status[key] = value
    for event in outcome.events:
        kopf.event(body, type=event.type, reason=event.reason, message=event.message)


@kopf.on.resume(*RESOURCE)
@kopf.on.create(*RESOURCE)
@kopf.on.update(*RESOURCE, field="spec")
# Only the adopt annotation: kopf's own bookkeeping annotations must not trigger a reconcile.
@kopf.on.update(*RESOURCE, field=("metadata", "annotations", ADOPT_ANNOTATION))
async def ensure(
    body: kopf.Body,
    meta: kopf.Meta,
    patch: kopf.Patch,
    memo: kopf.Memo,
    **_: Any,
) -> None:
    settings: kopf.OperatorSettings = memo.settings
    reconciler: Reconciler = memo.reconciler
    resource = _resource(body, meta)
    defaults = await memo.defaults_reader.read(settings, resource.namespace)
    # boto3 blocks: run it off the event loop, in kopf's sized executor.
    outcome = await asyncio.get_running_loop().run_in_executor(
        settings.execution.executor, reconciler.ensure, resource, defaults
    )
    _apply(outcome, patch, body)
    if outcome.retry_after is not None:
        raise kopf.TemporaryError("will retry", delay=outcome.retry_after)


# kopf timers have a fixed interval: tick at the fast rate and skip InProgress jobs until
# their slower poll interval has passed (kept in memo, not status, to avoid a patch per tick).
TICK_SECONDS = 5.0


def _due(status: dict[str, Any], last: float | None, config: OperatorConfig) -> bool:
    if not status.get("labelingJobArn"):
        return False
    job_status = status.get("labelingJobStatus")
    if job_status in TERMINAL and "results" in status:
        return False  # finished and summarised: stop polling
    if job_status in ("Initializing", "Stopping") or last is None:
        return True
    return time.time() - last >= config.poll_interval


@kopf.timer(*RESOURCE, interval=TICK_SECONDS, initial_delay=1.0)
def poll(
    body: kopf.Body,
    meta: kopf.Meta,
    patch: kopf.Patch,
    memo: kopf.Memo,
    **_: Any,
) -> None:
    key = f"{meta.get('namespace')}/{meta['name']}"
    last_polls: dict[str, float] = memo.setdefault("last_polls", {})
    if not _due(dict(body.get("status") or {}), last_polls.get(key), _config(memo)):
        return
    last_polls[key] = time.time()
    outcome = memo.reconciler.sync(_resource(body, meta))
    _apply(outcome, patch, body)
    if outcome.retry_after is not None:
        last_polls[key] = time.time() + outcome.retry_after - _config(memo).poll_interval


@kopf.on.delete(*RESOURCE)
def delete(body: kopf.Body, meta: kopf.Meta, patch: kopf.Patch, memo: kopf.Memo, **_: Any) -> None:
    outcome = memo.reconciler.delete(_resource(body, meta))
    for event in outcome.events:
        kopf.event(body, type=event.type, reason=event.reason, message=event.message)
    if outcome.retry_after is not None:
        # Hold the finalizer while Ground Truth is still stopping the job.
        raise kopf.TemporaryError("waiting for the job to stop", delay=outcome.retry_after)
    memo.setdefault("last_polls", {}).pop(f"{meta.get('namespace')}/{meta['name']}", None)
    metrics.set_phase(f"{meta.get('namespace')}/{meta['name']}", None)
