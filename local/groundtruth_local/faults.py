"""Fault injection for our SageMaker operations: throttling, 5xx and latency, off by default.

Faults are decided per call from one seeded generator, so a run with `--fault-seed N` sees
the same sequence of faults for the same sequence of calls. Only our labeling API is
affected: S3, IAM and the portal stay healthy, as they do when SageMaker alone throttles.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

from groundtruth_local.api.errors import ApiError, internal_failure, throttled

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")


@dataclass(frozen=True)
class FaultSettings:
    """Probabilities in [0, 1] per call, plus a fixed latency added before answering."""

    throttle: float = 0.0
    error5xx: float = 0.0
    latency_ms: float = 0.0
    seed: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _probability(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"fault {name}={text!r}: expected a probability like 0.3") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"fault {name}={text!r}: the probability must be between 0 and 1")
    return value


def _latency(text: str) -> float:
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"fault latency={text!r}: expected a duration like 200ms or 0.5s")
    number, unit = float(match.group(1)), match.group(2) or "ms"
    return number * 1000.0 if unit == "s" else number


def parse_faults(specs: list[str] | tuple[str, ...], seed: int | None = None) -> FaultSettings:
    """Parse `--fault` options (`throttle=0.3`, `error5xx=0.1`, `latency=200ms`)."""
    values: dict[str, Any] = {"seed": seed}
    for spec in specs:
        name, sep, text = spec.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"fault {spec!r}: expected NAME=VALUE, e.g. throttle=0.3")
        if name in ("throttle", "error5xx"):
            values[name] = _probability(name, text)
        elif name == "latency":
            values["latency_ms"] = _latency(text)
        else:
            raise ValueError(f"unknown fault {name!r}: use throttle, error5xx or latency")
    return FaultSettings(**values)


def settings_from_json(body: Any) -> FaultSettings:
    """Parse the admin route's JSON: `{"throttle": 0.3, "error5xx": 0.1, "latency": "200ms",
    "seed": 7}` (latency may also be a number of milliseconds; absent keys mean off)."""
    if not isinstance(body, dict):
        raise ValueError('expected a JSON object like {"throttle": 0.3}')
    unknown = set(body) - {"throttle", "error5xx", "latency", "latency_ms", "seed"}
    if unknown:
        raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
    specs = [f"{name}={body[name]}" for name in ("throttle", "error5xx") if name in body]
    latency = body.get("latency", body.get("latency_ms"))
    if latency is not None:
        specs.append(f"latency={latency}")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError("seed must be an integer")
    return parse_faults(specs, seed)


class FaultInjector:
    """Decides, per call of ours, whether to delay it and whether to fail it."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(settings or FaultSettings())

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self.settings = settings
            self._random = random.Random(settings.seed)

    def decide(self) -> tuple[float, ApiError | None]:
        """(seconds to wait, error to answer instead of running the call, if any)."""
        with self._lock:
            settings = self.settings
            draw = self._random.random()
        delay = settings.latency_ms / 1000.0
        if draw < settings.throttle:
            return delay, throttled()
        if draw < settings.throttle + settings.error5xx:
            return delay, internal_failure()
        return delay, None
