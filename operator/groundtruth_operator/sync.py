"""Batched status sync: one ListLabelingJobs page per region per cycle instead of one
DescribeLabelingJob per job.

Every resource's timer asks `summary(region, name)`. The first ask in a cycle refreshes the
region's cache with ListLabelingJobs filtered to jobs modified since the previous refresh
(one page covers up to 100 changed jobs); the other asks in the same cycle are answered from
the cache. The caller describes a job only when its summary differs from what its status
already shows, or when the cache has never seen it. Every `full_every` cycles the filter is
dropped, so a job whose change the incremental filter missed is still caught.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from groundtruth_operator.aws import Regions, epoch

logger = logging.getLogger(__name__)

# Overlap between incremental windows: clocks of the operator and AWS differ a little, and
# seeing a job twice costs nothing (its fingerprint has not changed).
CLOCK_SKEW = 30.0


@dataclass
class _RegionCache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    refreshed_at: float | None = None  # our clock, when the last refresh started
    cycles: int = 0
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    oldest_creation: float | None = None


class BatchedSync:
    def __init__(
        self,
        regions: Regions,
        max_age: float = 5.0,
        full_every: int = 20,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.regions = regions
        self.max_age = max_age
        self.full_every = full_every
        self.clock = clock
        self._caches: dict[str, _RegionCache] = {}
        self._guard = threading.Lock()

    def _cache(self, region: str) -> _RegionCache:
        with self._guard:
            return self._caches.setdefault(region, _RegionCache())

    def track(self, region: str, created: datetime | float | None) -> None:
        """Remember how far back a full refresh must look for this region's jobs."""
        stamp = epoch(created)
        if stamp is None:
            return
        cache = self._cache(region)
        with cache.lock:
            if cache.oldest_creation is None or stamp < cache.oldest_creation:
                cache.oldest_creation = stamp

    def summary(self, region: str, name: str) -> dict[str, Any] | None:
        """The job's latest ListLabelingJobs summary, or None when the cache has not seen it."""
        cache = self._cache(region)
        with cache.lock:
            now = self.clock()
            if cache.refreshed_at is None or now - cache.refreshed_at >= self.max_age:
                self._refresh(region, cache, now)
            return cache.summaries.get(name.lower())

    def forget(self, region: str, name: str) -> None:
        cache = self._cache(region)
        with cache.lock:
            cache.summaries.pop(name.lower(), None)

    def _refresh(self, region: str, cache: _RegionCache, now: float) -> None:
        client = self.regions.get(region)
        full = cache.refreshed_at is None or cache.cycles % self.full_every == 0
        params: dict[str, Any] = {
            "MaxResults": 100,
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
        }
        if not full and cache.refreshed_at is not None:
            params["LastModifiedTimeAfter"] = datetime.fromtimestamp(
                cache.refreshed_at - CLOCK_SKEW, UTC
            )
        elif cache.oldest_creation is not None:
            params["CreationTimeAfter"] = datetime.fromtimestamp(cache.oldest_creation - 1, UTC)
        pages = 0
        token: str | None = None
        while True:
            if token:
                params["NextToken"] = token
            summaries, token = client.list_jobs_page(**params)
            pages += 1
            for item in summaries:
                cache.summaries[str(item["LabelingJobName"]).lower()] = item
            if not token:
                break
        # Only a completed refresh moves the window: a throttled one is simply redone.
        cache.refreshed_at = now
        cache.cycles += 1
        logger.debug("listed labeling jobs", extra={"region": region, "pages": pages, "full": full})
