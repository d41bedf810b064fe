"""The clustering scores of bench/_metrics.py on hand-worked cases, and their symmetries."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st


def _load_metrics() -> ModuleType:
    # bench/ is a folder of scripts, not a package: load the module from its file.
    path = Path(__file__).resolve().parent.parent / "bench" / "_metrics.py"
    spec = importlib.util.spec_from_file_location("bench_metrics", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


metrics = _load_metrics()


def _rounded(scores: Any) -> tuple[float, float, float]:
    return (round(scores.precision, 4), round(scores.recall, 4), round(scores.f1, 4))


def test_perfect_clustering_scores_one_whatever_the_label_names() -> None:
    gold = ["a", "a", "b", "b", "c"]
    predicted = [7, 7, 3, 3, 0]
    assert _rounded(metrics.bcubed(gold, predicted)) == (1.0, 1.0, 1.0)
    assert _rounded(metrics.pairwise(gold, predicted)) == (1.0, 1.0, 1.0)


def test_everything_in_one_cluster_has_full_recall_and_poor_precision() -> None:
    gold = ["a", "a", "b", "b"]
    predicted = [1, 1, 1, 1]
    assert _rounded(metrics.bcubed(gold, predicted)) == (0.5, 1.0, 0.6667)
    # 2 of the 6 predicted pairs are gold pairs.
    assert _rounded(metrics.pairwise(gold, predicted)) == (0.3333, 1.0, 0.5)


def test_singletons_have_full_precision_and_no_pairwise_recall() -> None:
    gold = ["a", "a", "b", "b"]
    predicted = [1, 2, 3, 4]
    assert _rounded(metrics.bcubed(gold, predicted)) == (1.0, 0.5, 0.6667)
    assert _rounded(metrics.pairwise(gold, predicted)) == (1.0, 0.0, 0.0)


def test_one_item_in_the_wrong_cluster() -> None:
    # Gold {0,1,2} {3,4}; predicted {0,1} {2,3,4}.
    # B-cubed P per item: 1, 1, 1/3, 2/3, 2/3; R per item: 2/3, 2/3, 1/3, 1, 1.
    gold = ["a", "a", "a", "b", "b"]
    predicted = [1, 1, 2, 2, 2]
    assert _rounded(metrics.bcubed(gold, predicted)) == (0.7333, 0.7333, 0.7333)
    # Pairs together in both: {0,1}, {3,4}; predicted pairs 4, gold pairs 4.
    assert _rounded(metrics.pairwise(gold, predicted)) == (0.5, 0.5, 0.5)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="3 gold labels but 2 predicted"):
        metrics.bcubed(["a", "a", "b"], [1, 1])
    with pytest.raises(ValueError, match="3 gold labels but 2 predicted"):
        metrics.pairwise(["a", "a", "b"], [1, 1])


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=30))
def test_swapping_gold_and_prediction_swaps_precision_and_recall(labels: list[tuple[int, int]]) -> None:
    gold = [g for g, _ in labels]
    predicted = [p for _, p in labels]
    for score in (metrics.bcubed, metrics.pairwise):
        forward, backward = score(gold, predicted), score(predicted, gold)
        assert forward.precision == pytest.approx(backward.recall)
        assert forward.recall == pytest.approx(backward.precision)
        assert 0.0 <= forward.f1 <= 1.0


def test_topic_bootstrap_is_reproducible_and_brackets_the_figure() -> None:
    gold = ["a", "a", "b", "b", "c", "c", "d", "d"]
    predicted = [1, 1, 1, 2, 3, 3, 4, 5]
    topics = [1, 1, 1, 1, 2, 2, 2, 2]
    first = metrics.bcubed_f1_resamples(gold, predicted, topics, 200, 0)
    again = metrics.bcubed_f1_resamples(gold, predicted, topics, 200, 0)
    assert first.tolist() == again.tolist()
    low, high = metrics.percentile_interval(first)
    assert low <= metrics.bcubed(gold, predicted).f1 <= high
    # Resampling whole topics: every resample is topic 1 twice, topic 2 twice, or one of each.
    assert len({round(value, 9) for value in first.tolist()}) == 3


def test_perfect_clustering_has_a_degenerate_interval() -> None:
    gold = ["a", "a", "b", "c", "c"]
    draws = metrics.bcubed_f1_resamples(gold, gold, [1, 1, 1, 2, 2], 50, 3)
    assert metrics.percentile_interval(draws) == (1.0, 1.0)


def test_ratio_resamples_pool_counts_of_whole_groups() -> None:
    # Two groups: 1 of 2 and 3 of 4. A resample is group 0 twice (0.5), group 1 twice (0.75) or one of each (4/6).
    draws = metrics.ratio_resamples([1, 3], [2, 4], 300, 0)
    assert {round(value, 9) for value in draws.tolist()} == {0.5, 0.75, round(4 / 6, 9)}
    assert draws.tolist() == metrics.ratio_resamples([1, 3], [2, 4], 300, 0).tolist()


def test_ratio_resamples_score_an_empty_denominator_as_told() -> None:
    assert metrics.ratio_resamples([0, 0], [0, 0], 20, 1).tolist() == [1.0] * 20
    assert metrics.ratio_resamples([0, 0], [0, 0], 20, 1, empty=0.0).tolist() == [0.0] * 20
    with pytest.raises(ValueError, match="2 numerators but 1 denominators"):
        metrics.ratio_resamples([0, 0], [1], 20, 1)


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=12))
def test_ratio_resamples_stay_between_the_smallest_and_largest_group_ratio(counts: list[tuple[int, int]]) -> None:
    numerators = [min(hit, total) for hit, total in counts]
    denominators = [total for _, total in counts]
    ratios = [hit / total for hit, total in zip(numerators, denominators, strict=True) if total]
    draws = metrics.ratio_resamples(numerators, denominators, 50, 2)
    if ratios:
        inside = (draws >= min(ratios) - 1e-12) & (draws <= max(ratios) + 1e-12)
        assert bool(np.all(inside | (draws == 1.0)))
