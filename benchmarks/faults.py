"""Run the fault suite at the recorded sizes and print its table for benchmarks/README.md.

    python benchmarks/faults.py                      # 100 jobs, 50 jobs x 30 kills
    python benchmarks/faults.py --jobs 30 --kill-jobs 50 --kills 30

It runs `pytest -m faults tests/faults` with the sizes in the environment; each scenario's
test appends its figures (JSON lines) to a report file, and this script turns them into the
Markdown table. A failing scenario fails the script (its assertions are the outcome).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = {
    "throttle": ("jobs", "throttle 30%, 5xx 10%"),
    "operator-sigkill": ("jobs", "operator SIGKILLed"),
    "server-sigkill": ("objects", "local Ground Truth SIGKILLed"),
    "apiserver-restart": ("jobs", "kube-apiserver SIGKILLed and restarted"),
}


def _outcome(row: dict[str, object]) -> str:
    skip = {"scenario", "jobs", "objects", "faults", "lost", "duplicated"}
    return ", ".join(f"{key}: {value}" for key, value in row.items() if key not in skip)


@click.command()
@click.option("--jobs", default=100, show_default=True, help="LabelingJobs under throttling.")
@click.option("--kill-jobs", default=50, show_default=True, help="LabelingJobs while killing.")
@click.option("--kills", default=30, show_default=True, help="Operator SIGKILLs.")
def main(jobs: int, kill_jobs: int, kills: int) -> None:
    """Run tests/faults at these sizes and print the result table."""
    with tempfile.TemporaryDirectory() as workdir:
        report = Path(workdir) / "faults.jsonl"
        env = {
            **os.environ,
            "GT_FAULTS_JOBS": str(jobs),
            "GT_FAULTS_KILL_JOBS": str(kill_jobs),
            "GT_FAULTS_KILLS": str(kills),
            "GT_FAULTS_REPORT": str(report),
        }
        started = time.monotonic()
        click.echo(f"running the fault suite ({jobs} jobs, {kill_jobs} jobs x {kills} kills)...")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-m", "faults", "-q", "-p", "no:cacheprovider",
             str(ROOT / "tests" / "faults")],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        rows = (
            [json.loads(line) for line in report.read_text().splitlines()]
            if report.exists()
            else []
        )
        minutes = (time.monotonic() - started) / 60
    click.echo(f"\npytest exit code {result.returncode}; {minutes:.1f} min\n")
    click.echo("| scenario | load | faults | outcome | lost | duplicated |")
    click.echo("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        unit, faults = COLUMNS.get(str(row["scenario"]), ("jobs", ""))
        if row["scenario"] == "operator-sigkill":
            faults = f"{row['kills']} x operator SIGKILL"
        if row["scenario"] == "server-sigkill":
            faults = f"{row['kills']} x local Ground Truth SIGKILL"
        click.echo(
            f"| {row['scenario']} | {row[unit]} {unit} | {faults} | {_outcome(row)} "
            f"| {row['lost']} | {row['duplicated']} |"
        )
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
