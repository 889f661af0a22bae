"""How long the local control plane takes: start (etcd + kube-apiserver ready), helm install
of the chart, CRD usable by `kubectl explain`, stop.

    python benchmarks/controlplane.py [--runs 5]

Needs `bash scripts/kube-binaries.sh` once. Prints a Markdown table (median and max).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from groundtruth_local.controlplane import ControlPlane

CHART = Path(__file__).resolve().parents[1] / "charts" / "groundtruth-operator"


def one_run() -> dict[str, float]:
    times: dict[str, float] = {}
    started = time.perf_counter()
    cp = ControlPlane().start()
    times["start (etcd + kube-apiserver /readyz)"] = time.perf_counter() - started
    try:
        mark = time.perf_counter()
        cp.helm("install", "groundtruth-operator", str(CHART), "-n", "gt-system",
                "--create-namespace")  # fmt: skip
        times["helm install (CRD + 10 objects)"] = time.perf_counter() - mark
        mark = time.perf_counter()
        while cp.kubectl("explain", "labelingjob.spec", check=False).returncode != 0:
            time.sleep(0.1)
        times["CRD usable by kubectl explain"] = time.perf_counter() - mark
        with tempfile.TemporaryDirectory():
            mark = time.perf_counter()
            cp.kubectl("create", "serviceaccount", "probe")
            cp.service_account_kubeconfig("default", "probe")
            times["ServiceAccount + TokenRequest kubeconfig"] = time.perf_counter() - mark
    finally:
        mark = time.perf_counter()
        cp.stop()
        times["stop"] = time.perf_counter() - mark
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = [one_run() for _ in range(parser.parse_args().runs)]
    print(f"| step | median s | max s |  ({len(runs)} runs)")
    print("| --- | ---: | ---: |")
    for step in runs[0]:
        values = [r[step] for r in runs]
        print(f"| {step} | {statistics.median(values):.2f} | {max(values):.2f} |")


if __name__ == "__main__":
    main()
