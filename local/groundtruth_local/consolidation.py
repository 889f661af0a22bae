"""Answer consolidation the way ACS-ImageMultiClass does it: a modified Dawid-Skene.

Expectation maximisation over item posteriors and one confusion matrix per worker. Item
posteriors start uniform and every worker starts at 0.7 on the diagonal; the M-step smooths
each worker's counted confusion toward that worker's accuracy and the crowd's mean accuracy,
so a worker seen on few items is not trusted blindly nor written off. Everything runs over
flat numpy arrays (one row per answer), so a whole job re-consolidates in milliseconds and the
task engine can simply re-run it as objects complete.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

INITIAL_ACCURACY = 0.7
MAX_EPOCHS = 20
TOLERANCE = 1e-8
# Pseudo-counts per confusion row pulled toward the smoothed accuracy: enough to keep rows of
# rarely seen classes sane, small next to the counts of a worker who answered a lot.
ROW_SMOOTHING = 2.0
# Pseudo-answers pulling a worker's accuracy toward the crowd mean.
ACCURACY_SMOOTHING = 2.0

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Consolidation:
    """Per-object results, indexed like the `object_index` values given."""

    labels: IntArray
    confidences: FloatArray
    posteriors: FloatArray
    worker_accuracy: FloatArray
    epochs: int


def _uniform_confusion(accuracy: FloatArray, n_classes: int) -> FloatArray:
    """One K x K matrix per worker with `accuracy` on the diagonal, the rest spread evenly."""
    off = (1.0 - accuracy) / max(n_classes - 1, 1)
    confusion = np.repeat(off[:, None, None], n_classes, axis=1).repeat(n_classes, axis=2)
    diagonal = np.arange(n_classes)
    confusion[:, diagonal, diagonal] = accuracy[:, None]
    return confusion


def _e_step(
    log_prior: FloatArray, log_confusion: FloatArray, answers: _Answers
) -> tuple[FloatArray, float]:
    # log C_j[t, l_ij] for every answer: one contiguous row gather from a (W*K, K) table.
    table = log_confusion.transpose(0, 2, 1).reshape(-1, log_confusion.shape[1])
    per_answer = np.take(table, answers.cell, axis=0)
    log_joint = answers.sum_per_object(per_answer) + log_prior
    peak = log_joint.max(axis=1, keepdims=True)
    unnormalised = np.exp(log_joint - peak)
    total = unnormalised.sum(axis=1, keepdims=True)
    log_likelihood = float((np.log(total) + peak).sum())
    return unnormalised / total, log_likelihood


def _m_step(posteriors: FloatArray, answers: _Answers, n_workers: int) -> FloatArray:
    n_classes = posteriors.shape[1]
    # counts[w, t, l]: expected number of times worker w answered l when the truth was t,
    # summed per (worker, label) cell over answers pre-sorted by cell.
    per_answer = np.take(posteriors, answers.objects_by_cell, axis=0)
    summed = np.add.reduceat(per_answer, answers.cell_starts, axis=0)
    counts = np.zeros((n_workers * n_classes, n_classes))
    counts[answers.cells_present] = summed
    counts = counts.reshape(n_workers, n_classes, n_classes).transpose(0, 2, 1)
    answered = counts.sum(axis=(1, 2))
    correct = np.trace(counts, axis1=1, axis2=2)
    mean_accuracy = correct.sum() / answered.sum()
    accuracy = (correct + ACCURACY_SMOOTHING * mean_accuracy) / (answered + ACCURACY_SMOOTHING)
    # Keep a chance-level floor/ceiling so no log(0) and no worker becomes an oracle.
    accuracy = np.clip(accuracy, 1e-3, 1 - 1e-3)
    smoothed = counts + ROW_SMOOTHING * _uniform_confusion(accuracy, n_classes)
    return smoothed / smoothed.sum(axis=2, keepdims=True)


class _Answers:
    """The answers in the two orders the EM steps need, with their segment boundaries."""

    def __init__(
        self, objects: IntArray, workers: IntArray, labels: IntArray, n_classes: int
    ) -> None:
        n_objects = int(objects[-1]) + 1
        self.per_object = np.bincount(objects, minlength=n_objects)
        self.cell = workers * n_classes + labels
        # With the same number of answers per object (the usual case) a reshape sums faster
        # than reduceat.
        self.uniform = (
            int(self.per_object[0]) if (self.per_object == self.per_object[0]).all() else 0
        )
        self.object_starts = np.concatenate(([0], np.cumsum(self.per_object)[:-1])).astype(np.intp)
        by_cell = np.argsort(self.cell, kind="stable")
        sorted_cells = self.cell[by_cell]
        first = np.flatnonzero(np.diff(sorted_cells, prepend=-1))
        self.objects_by_cell = objects[by_cell]
        self.cell_starts = first.astype(np.intp)
        self.cells_present = sorted_cells[first]

    def sum_per_object(self, per_answer: FloatArray) -> FloatArray:
        if self.uniform:
            # Adding strided views beats a reduction over the middle axis by a wide margin.
            grouped = per_answer.reshape(-1, self.uniform, per_answer.shape[1])
            summed: FloatArray = grouped[:, 0].copy()
            for j in range(1, self.uniform):
                summed += grouped[:, j]
            return summed
        result: FloatArray = np.add.reduceat(per_answer, self.object_starts, axis=0)
        return result


def consolidate(
    object_index: Sequence[int] | IntArray,
    worker_index: Sequence[int] | IntArray,
    label_index: Sequence[int] | IntArray,
    n_classes: int,
    *,
    max_epochs: int = MAX_EPOCHS,
    tolerance: float = TOLERANCE,
) -> Consolidation:
    """Consolidate answers given as three parallel arrays (object, worker, class index).

    Objects and workers are dense 0-based indexes; every object index below the largest one
    must have at least one answer.
    """
    objects = np.asarray(object_index, dtype=np.intp)
    workers = np.asarray(worker_index, dtype=np.intp)
    labels = np.asarray(label_index, dtype=np.intp)
    if not (objects.shape == workers.shape == labels.shape) or objects.ndim != 1:
        raise ValueError("object, worker and label indexes must be 1-D arrays of equal length")
    if objects.size == 0:
        empty = np.zeros(0)
        return Consolidation(np.zeros(0, np.intp), empty, np.zeros((0, n_classes)), empty, 0)
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"label indexes must lie in [0, {n_classes})")
    order = np.argsort(objects, kind="stable")
    objects, workers, labels = objects[order], workers[order], labels[order]
    answers = _Answers(objects, workers, labels, n_classes)
    answers_per_object = answers.per_object
    if (answers_per_object == 0).any():
        raise ValueError("every object index must have at least one answer")
    n_objects = answers_per_object.size
    n_workers = int(workers.max()) + 1

    log_prior = np.full(n_classes, -np.log(n_classes))
    confusion = _uniform_confusion(np.full(n_workers, INITIAL_ACCURACY), n_classes)
    previous = -np.inf
    epochs = 0
    posteriors = np.full((n_objects, n_classes), 1.0 / n_classes)
    for epochs in range(1, max_epochs + 1):  # noqa: B007 - the count is reported
        posteriors, log_likelihood = _e_step(log_prior, np.log(confusion), answers)
        prior = np.clip(posteriors.mean(axis=0), 1e-12, None)
        log_prior = np.log(prior / prior.sum())
        confusion = _m_step(posteriors, answers, n_workers)
        if np.isfinite(previous) and abs(log_likelihood - previous) <= tolerance * abs(previous):
            break
        previous = log_likelihood

    consolidated = posteriors.argmax(axis=1)
    confidences = np.round(posteriors.max(axis=1), 2)
    # A single answer carries no agreement to be confident about: Ground Truth reports 0.00.
    confidences[answers_per_object == 1] = 0.0
    worker_accuracy = np.einsum("wtt->w", confusion) / n_classes
    return Consolidation(consolidated, confidences, posteriors, worker_accuracy, epochs)


def majority_vote(
    object_index: Sequence[int] | IntArray, label_index: Sequence[int] | IntArray, n_classes: int
) -> IntArray:
    """The baseline: most frequent answer per object, ties to the lowest class index."""
    objects = np.asarray(object_index, dtype=np.intp)
    labels = np.asarray(label_index, dtype=np.intp)
    n_objects = int(objects.max()) + 1
    votes = np.bincount(objects * n_classes + labels, minlength=n_objects * n_classes)
    result: IntArray = votes.reshape(n_objects, n_classes).argmax(axis=1)
    return result


def consolidate_keyed(
    answers: Sequence[tuple[Hashable, Hashable, int]], n_classes: int
) -> dict[Hashable, tuple[int, float]]:
    """Consolidate `(object, worker, class index)` triples into `{object: (class, conf)}`."""
    if not answers:
        return {}
    object_keys: dict[Hashable, int] = {}
    worker_keys: dict[Hashable, int] = {}
    objects = [object_keys.setdefault(obj, len(object_keys)) for obj, _, _ in answers]
    workers = [worker_keys.setdefault(worker, len(worker_keys)) for _, worker, _ in answers]
    labels = [label for _, _, label in answers]
    result = consolidate(objects, workers, labels, n_classes)
    return {
        key: (int(result.labels[i]), float(result.confidences[i])) for key, i in object_keys.items()
    }
