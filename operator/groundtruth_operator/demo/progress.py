"""Numbered, timed steps for long-running commands: what runs now, and how long each took."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import click


@dataclass
class StepTimer:
    """Prints `[n/total] title ...` as each step starts and keeps its duration for the summary."""

    total: int
    durations: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        number = len(self.durations) + 1
        click.secho(f"[{number}/{self.total}] {title} ...", bold=True)
        started = time.monotonic()
        try:
            yield
        except BaseException:
            click.secho(f"      failed after {time.monotonic() - started:.1f}s", fg="red")
            raise
        elapsed = time.monotonic() - started
        self.durations.append((title, elapsed))
        click.secho(f"      done in {elapsed:.1f}s", fg="green")

    def note(self, message: str) -> None:
        click.echo(f"      {message}")

    def table(self) -> str:
        width = max((len(title) for title, _ in self.durations), default=0)
        lines = [f"  {title:<{width}}  {seconds:7.1f}s" for title, seconds in self.durations]
        total = sum(seconds for _, seconds in self.durations)
        lines.append(f"  {'total':<{width}}  {total:7.1f}s")
        return "\n".join(lines)
