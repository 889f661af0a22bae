"""Consolidation: the modified Dawid-Skene beats majority vote when one worker lies."""

import numpy as np
import pytest
from groundtruth_local.consolidation import consolidate, consolidate_keyed, majority_vote


def _crowd(seed: int, n_objects: int, accuracies: list[float], per_object: int, n_classes: int):
    """Each object answered by `per_object` distinct workers drawn from the pool."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_objects)
    objects, workers, labels = [], [], []
    for i in range(n_objects):
        for w in rng.choice(len(accuracies), per_object, replace=False):
            if rng.random() < accuracies[w]:
                answer = truth[i]
            else:  # a wrong answer, uniformly among the other classes
                answer = (truth[i] + rng.integers(1, n_classes)) % n_classes
            objects.append(i)
            workers.append(int(w))
            labels.append(int(answer))
    return truth, np.array(objects), np.array(workers), np.array(labels)


def test_beats_majority_vote_with_an_adversarial_worker() -> None:
    # Three workers per object out of four; worker 3 answers wrong on purpose 95% of the time.
    truth, objects, workers, labels = _crowd(7, 2000, [0.8, 0.75, 0.7, 0.05], 3, 4)
    result = consolidate(objects, workers, labels, 4)
    ours = (result.labels == truth).mean()
    baseline = (majority_vote(objects, labels, 4) == truth).mean()
    assert ours > baseline + 0.02, (ours, baseline)
    # It found out who the adversary is.
    assert result.worker_accuracy.argmin() == 3


def test_confidence_is_rounded_posterior_and_zero_for_single_answers() -> None:
    _truth, objects, workers, labels = _crowd(3, 300, [0.9, 0.85, 0.8], 2, 3)
    # Object 300 gets a single answer.
    objects = np.append(objects, 300)
    workers = np.append(workers, 0)
    labels = np.append(labels, 1)
    result = consolidate(objects, workers, labels, 3)
    assert result.confidences[300] == 0.0
    assert result.labels[300] == 1
    multi = result.confidences[:300]
    assert ((multi >= 0) & (multi <= 1)).all()
    assert np.array_equal(multi, np.round(result.posteriors[:300].max(axis=1), 2))
    assert result.epochs <= 20


def test_single_worker_job_keeps_the_workers_answer() -> None:
    result = consolidate([0, 1, 2], [0, 0, 0], [2, 0, 1], 3)
    assert result.labels.tolist() == [2, 0, 1]
    assert result.confidences.tolist() == [0.0, 0.0, 0.0]


def test_keyed_interface_maps_back_to_object_keys() -> None:
    answers = [("b", "w1", 1), ("b", "w2", 1), ("a", "w1", 0), ("a", "w2", 0), ("a", "w3", 1)]
    result = consolidate_keyed(answers, 2)
    assert result["b"][0] == 1
    assert result["a"][0] == 0
    assert consolidate_keyed([], 2) == {}


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="label indexes"):
        consolidate([0], [0], [5], 3)
    with pytest.raises(ValueError, match="at least one answer"):
        consolidate([0, 2], [0, 0], [0, 1], 3)
    with pytest.raises(ValueError, match="equal length"):
        consolidate([0, 1], [0], [0], 3)
