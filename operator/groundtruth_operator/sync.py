"""Batched status sync: ListLabelingJobs pages instead of one DescribeLabelingJob per job.

A ListLabelingJobs summary carries what status needs to notice a change (status, label
counters, last-modified time), and one page holds up to 100 jobs. So once per cycle and
region the cache lists the region's InProgress jobs (ceil(n/100) calls for n running
jobs, however many finished jobs the account holds); every InProgress resource compares
its status with its summary, and the caller describes only a job whose summary changed or
that is missing from the list (it left InProgress: finished, failed or stopping). Jobs that
are Initializing or Stopping change within seconds and are described directly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from groundtruth_operator.aws import Regions

logger = logging.getLogger(__name__)


@dataclass
class _RegionCache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    refreshed_at: float | None = None
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)


class BatchedSync:
    def __init__(
        self,
        regions: Regions,
        max_age: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.regions = regions
        self.max_age = max_age
        self.clock = clock
        self._caches: dict[str, _RegionCache] = {}
        self._guard = threading.Lock()
        self.refreshes = 0

    def _cache(self, region: str) -> _RegionCache:
        with self._guard:
            return self._caches.setdefault(region, _RegionCache())

    def in_progress_summary(self, region: str, name: str) -> dict[str, Any] | None:
        """The job's summary if it is InProgress, else None (then describe it).

        Raises AwsThrottledError when the listing is throttled; the cache is then left as
        it was and the next caller tries again.
        """
        cache = self._cache(region)
        # Callers in the same cycle wait here for the one refresh instead of each listing.
        with cache.lock:
            now = self.clock()
            if cache.refreshed_at is None or now - cache.refreshed_at >= self.max_age:
                cache.summaries = self._list_in_progress(region)
                cache.refreshed_at = now
                self.refreshes += 1
            return cache.summaries.get(name.lower())

    def invalidate(self, region: str) -> None:
        """Forget the listing (a job was created or stopped: the next ask lists again)."""
        cache = self._cache(region)
        with cache.lock:
            cache.refreshed_at = None

    def _list_in_progress(self, region: str) -> dict[str, dict[str, Any]]:
        client = self.regions.get(region)
        summaries: dict[str, dict[str, Any]] = {}
        params: dict[str, Any] = {
            "StatusEquals": "InProgress",
            "MaxResults": 100,
            "SortBy": "CreationTime",
            "SortOrder": "Ascending",
        }
        pages = 0
        while True:
            items, token = client.list_jobs_page(**params)
            pages += 1
            for item in items:
                summaries[str(item["LabelingJobName"]).lower()] = item
            if not token:
                break
            params["NextToken"] = token
        logger.debug(
            "listed InProgress labeling jobs",
            extra={"region": region, "pages": pages, "jobs": len(summaries)},
        )
        return summaries
