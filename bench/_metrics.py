"""Clustering scores the benchmarks compute themselves: B-cubed and pairwise precision/recall/F1, topic bootstrap.

Definitions (gold and predicted are one label per item, same order):
- B-cubed (Bagga & Baldwin 1998; Amigó et al. 2009): an item's precision is the share of its predicted cluster
  that shares its gold label, its recall the share of its gold class that shares its predicted cluster; P and R are
  the means over items, F1 their harmonic mean.
- Pairwise: over all unordered pairs of items, P = pairs together in both / pairs together in the prediction,
  R = pairs together in both / pairs together in the gold. No predicted pair means no wrong pair: P = 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


def harmonic(precision: float, recall: float) -> float:
    """Return the F1 of ``precision`` and ``recall`` (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def bcubed_items(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[list[float], list[float]]:
    """Return each item's B-cubed precision and recall."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predicted labels")
    both = Counter(zip(gold, predicted, strict=True))
    gold_sizes = Counter(gold)
    predicted_sizes = Counter(predicted)
    precision = [both[g, p] / predicted_sizes[p] for g, p in zip(gold, predicted, strict=True)]
    recall = [both[g, p] / gold_sizes[g] for g, p in zip(gold, predicted, strict=True)]
    return precision, recall


def bcubed(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> Scores:
    """Return B-cubed precision, recall and F1 (means over items)."""
    if not gold:
        raise ValueError("no items to score")
    precision_items, recall_items = bcubed_items(gold, predicted)
    precision = sum(precision_items) / len(gold)
    recall = sum(recall_items) / len(gold)
    return Scores(precision, recall, harmonic(precision, recall))


def pairwise(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> Scores:
    """Return pairwise precision, recall and F1 over all unordered pairs of items."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predicted labels")

    def pairs(sizes: Counter[Hashable]) -> int:
        return sum(n * (n - 1) // 2 for n in sizes.values())

    together = pairs(Counter(zip(gold, predicted, strict=True)))
    predicted_pairs = pairs(Counter(predicted))
    gold_pairs = pairs(Counter(gold))
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / gold_pairs if gold_pairs else 1.0
    return Scores(precision, recall, harmonic(precision, recall))


def group_resamples(groups: Sequence[Hashable], resamples: int, seed: int) -> tuple[list[Hashable], np.ndarray]:
    """Return the distinct groups (sorted by first appearance) and a (resamples, groups) array of drawn indices.

    The same seed and number of groups give the same draws, so intervals of several systems are comparable.
    """
    distinct = list(dict.fromkeys(groups))
    draws = np.random.default_rng(seed).integers(0, len(distinct), size=(resamples, len(distinct)))
    return distinct, draws


def bcubed_f1_resamples(
    gold: Sequence[Hashable],
    predicted: Sequence[Hashable],
    groups: Sequence[Hashable],
    resamples: int,
    seed: int,
) -> np.ndarray:
    """Return B-cubed F1 for each bootstrap resample of the groups (items resampled a whole group at a time).

    Each item's B-cubed precision and recall are computed once on the whole clustering; a resample averages them
    over the items of the drawn groups (a group drawn twice counts twice).
    """
    precision_items, recall_items = bcubed_items(gold, predicted)
    distinct, draws = group_resamples(groups, resamples, seed)
    position = {group: index for index, group in enumerate(distinct)}
    size = np.zeros(len(distinct))
    precision_sum = np.zeros(len(distinct))
    recall_sum = np.zeros(len(distinct))
    for group, precision, recall in zip(groups, precision_items, recall_items, strict=True):
        size[position[group]] += 1
        precision_sum[position[group]] += precision
        recall_sum[position[group]] += recall
    count = size[draws].sum(axis=1)
    precision_mean = precision_sum[draws].sum(axis=1) / count
    recall_mean = recall_sum[draws].sum(axis=1) / count
    total = precision_mean + recall_mean
    return np.divide(2 * precision_mean * recall_mean, total, out=np.zeros_like(total), where=total > 0)


def percentile_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Return the central percentile interval of ``values`` holding ``level`` of them."""
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def ratio_resamples(
    numerators: Sequence[float],
    denominators: Sequence[float],
    resamples: int,
    seed: int,
    empty: float = 1.0,
) -> np.ndarray:
    """Return sum(numerators) / sum(denominators) over each bootstrap resample of the groups (one entry each).

    Entry ``i`` of both sequences is one group's count (an event's true positives and predicted pairs, say), so
    a resample pools the counts of the drawn groups: a micro-average. A resample whose denominator is 0 scores
    ``empty`` (no predicted pair means no wrong pair, as in ``pairwise``). Micro F1 is the ratio of ``2 * tp`` to
    ``predicted + gold``. The draws are those of ``group_resamples``, so systems scored with the same seed and
    number of groups are paired.
    """
    if len(numerators) != len(denominators):
        raise ValueError(f"{len(numerators)} numerators but {len(denominators)} denominators")
    if not numerators:
        raise ValueError("no groups to resample")
    _, draws = group_resamples(range(len(numerators)), resamples, seed)
    top = np.asarray(numerators, dtype=float)[draws].sum(axis=1)
    bottom = np.asarray(denominators, dtype=float)[draws].sum(axis=1)
    return np.divide(top, bottom, out=np.full_like(top, empty), where=bottom > 0)
