"""Shared bits of the fault suite: sizes from the environment and the report file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# CI sizes by default; benchmarks/faults.py sets the recorded sizes.
JOBS = int(os.environ.get("GT_FAULTS_JOBS", "30"))
KILL_JOBS = int(os.environ.get("GT_FAULTS_KILL_JOBS", "50"))
KILLS = int(os.environ.get("GT_FAULTS_KILLS", "30"))


def report(scenario: str, figures: dict[str, Any]) -> None:
    """Append one scenario's figures to $GT_FAULTS_REPORT (JSON lines), if set."""
    target = os.environ.get("GT_FAULTS_REPORT")
    if target:
        with Path(target).open("a") as out:
            out.write(json.dumps({"scenario": scenario, **figures}) + "\n")


def simulate_workers(gt: Any, workteam: str, timeout: float = 600) -> None:
    """`groundtruth workers simulate --until-done` for the team on `gt`."""
    result = subprocess.run(
        [
            sys.executable, "-c", "from groundtruth_operator.cli import main; main()",
            "workers", "simulate", "--endpoint", gt.endpoint, "--region", gt.region,
            "--workteam", workteam, "--workers", "3", "--accuracy", "0.95", "--spread", "0",
            "--seed", "7", "--until-done", "--timeout", str(timeout),
        ],
        capture_output=True, text=True, timeout=timeout + 60,
        env={**os.environ, **gt.env}, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]


def list_all_jobs(gt: Any) -> list[dict[str, Any]]:
    pages = gt.client("sagemaker").get_paginator("list_labeling_jobs").paginate()
    return [job for page in pages for job in page["LabelingJobSummaryList"]]
