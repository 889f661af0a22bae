"""`groundtruth demo`, the README's first command, run non-interactively end to end.

Everything is real: the local Ground Truth, etcd + kube-apiserver, `terraform apply` with the
hashicorp/aws provider, `helm install`, the operator started from the chart's Deployment with
its ServiceAccount token, and simulated workers going through the portal.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from groundtruth_local.controlplane import BinariesMissingError, find_binaries

pytestmark = [pytest.mark.cluster, pytest.mark.terraform, pytest.mark.slow]

IMAGES = 24


def test_demo_runs_the_whole_story_and_cleans_up(tmp_path: Path) -> None:
    try:
        find_binaries()
    except BinariesMissingError as error:
        pytest.skip(f"local control plane unavailable: {error}")
    if shutil.which("terraform") is None:
        pytest.skip("the terraform CLI is not installed")
    workdir = tmp_path / "demo"
    command = [
        sys.executable, "-c", "from groundtruth_operator.cli import main; main()",
        "demo", "--images", str(IMAGES), "--workdir", str(workdir), "--seed", "3",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output

    # Every step reported, in order, with its time.
    steps = re.findall(r"^\[(\d+)/10\] ", output, flags=re.MULTILINE)
    assert steps == [str(n) for n in range(1, 11)], output
    assert re.search(r"^\s+total\s+\d+\.\d+s$", output, flags=re.MULTILINE), output

    # The LabelingJob completed as `kubectl get lj -o wide` shows it.
    assert re.search(rf"^shapes\s+Completed\s+{IMAGES}\s+{IMAGES}\s+0\s", output, re.MULTILINE)

    # The class distribution covers every image, and the accuracy line is a percentage.
    counts = re.findall(r"^\s{4}(circle|square|triangle)\s+(\d+)$", output, flags=re.MULTILINE)
    assert sum(int(count) for _, count in counts) == IMAGES, output
    accuracy = re.search(r"accuracy vs truth: (\d+\.\d)%", output)
    assert accuracy is not None, output
    assert 0.0 <= float(accuracy.group(1)) <= 100.0
    manifest = re.search(r"output manifest:\s+(s3://\S+/manifests/output/output\.manifest)", output)
    assert manifest is not None, output

    # Cleaned up: Terraform destroyed what it made, and nothing is left running.
    assert "done" in output.splitlines()[-1]
    state = (workdir / "terraform" / "terraform.tfstate").read_text()
    assert '"resources": []' in state, state
    leftovers = subprocess.run(
        ["pgrep", "-f", str(workdir)], capture_output=True, text=True, check=False
    )
    assert leftovers.stdout.strip() == "", f"processes still running: {leftovers.stdout}"
