"""Fixtures of the portal suite (helpers live in `portal_helpers.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from portal_helpers import EngineEnv, start_engine_env


@pytest.fixture
def engine_env() -> Iterator[EngineEnv]:
    server, env = start_engine_env()
    try:
        yield env
    finally:
        server.stop()
