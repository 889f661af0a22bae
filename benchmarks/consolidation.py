"""Consolidation accuracy and speed: our modified Dawid-Skene vs crowd-kit's DawidSkene.

    python benchmarks/consolidation.py [--objects 100000] [--classes 10] [--per-object 3]
                                       [--workers 50] [--seeds 3]

Simulated crowds: each object gets `--per-object` answers from distinct workers drawn from a
pool whose accuracies spread from near chance to expert (plus a few adversaries); wrong
answers are uniform over the other classes. Needs the `bench` extra (crowd-kit).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from crowdkit.aggregation import DawidSkene
from groundtruth_local.consolidation import consolidate, majority_vote


def simulate(seed: int, n_objects: int, n_classes: int, per_object: int, n_workers: int):
    rng = np.random.default_rng(seed)
    accuracy = rng.uniform(0.35, 0.95, n_workers)
    accuracy[: max(1, n_workers // 25)] = 0.05  # a few adversarial workers
    truth = rng.integers(0, n_classes, n_objects)
    # Distinct workers per object: the first `per_object` columns of a random permutation.
    workers = np.argsort(rng.random((n_objects, n_workers)), axis=1)[:, :per_object].ravel()
    objects = np.repeat(np.arange(n_objects), per_object)
    right = rng.random(objects.size) < accuracy[workers]
    wrong = (truth[objects] + rng.integers(1, n_classes, objects.size)) % n_classes
    labels = np.where(right, truth[objects], wrong)
    return truth, objects, workers, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--per-object", type=int, default=3)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()

    print("| seed | method | accuracy | seconds |")
    print("| --- | --- | --- | --- |")
    for seed in range(args.seeds):
        truth, objects, workers, labels = simulate(
            seed, args.objects, args.classes, args.per_object, args.workers
        )
        mv = (majority_vote(objects, labels, args.classes) == truth).mean()
        print(f"| {seed} | majority vote | {mv:.4f} | - |")

        start = time.perf_counter()
        ours = consolidate(objects, workers, labels, args.classes)
        ours_seconds = time.perf_counter() - start
        ours_accuracy = (ours.labels == truth).mean()
        print(
            f"| {seed} | groundtruth_local ({ours.epochs} epochs) | {ours_accuracy:.4f} | "
            f"{ours_seconds:.2f} |"
        )

        frame = pd.DataFrame({"task": objects, "worker": workers, "label": labels})
        start = time.perf_counter()
        theirs = DawidSkene(n_iter=100).fit_predict(frame)
        theirs_seconds = time.perf_counter() - start
        theirs_accuracy = (theirs.sort_index().to_numpy() == truth).mean()
        print(f"| {seed} | crowd-kit DawidSkene | {theirs_accuracy:.4f} | {theirs_seconds:.2f} |")


if __name__ == "__main__":
    main()
