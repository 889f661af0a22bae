"""The one Kubernetes read the operator makes itself: its defaults ConfigMap.

kopf watches only LabelingJobs; watching ConfigMaps cluster-wide would need cluster-wide
RBAC for one object. So the ConfigMap is fetched by name with kopf's own authenticated
client (the credentials kopf logged in with), which only needs `get` on that one object.
This uses kopf's internal `_cogs.clients.api` (pinned kopf 1.45): if it moves, this module
is the only place to change.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import kopf
from kopf._cogs.clients import api, errors

from groundtruth_operator.defaults import Defaults

logger = logging.getLogger(__name__)
CACHE_SECONDS = 30.0


@dataclass
class DefaultsReader:
    name: str
    namespace: str | None
    _cache: dict[str, tuple[float, Defaults]] = field(default_factory=dict)

    async def read(self, settings: kopf.OperatorSettings, fallback_namespace: str) -> Defaults:
        namespace = self.namespace or fallback_namespace
        cached = self._cache.get(namespace)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        url = f"/api/v1/namespaces/{namespace}/configmaps/{self.name}"
        try:
            body = await api.get(url, settings=settings, logger=logger)
            defaults = Defaults.from_configmap(body.get("data"))
        except errors.APINotFoundError:
            defaults = Defaults()
        except errors.APIForbiddenError:
            logger.warning(
                "cannot read the defaults ConfigMap (RBAC)",
                extra={"namespace": namespace, "name": self.name},
            )
            defaults = Defaults()
        self._cache[namespace] = (time.monotonic(), defaults)
        return defaults
