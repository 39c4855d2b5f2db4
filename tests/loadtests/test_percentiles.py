"""The one percentile: nearest rank, always one of the values."""

import pytest

from loadtests.percentiles import percentile


def test_nearest_rank_of_a_hundred_values() -> None:
    ordered = list(range(1, 101))
    assert [percentile(ordered, f) for f in (0.0, 0.01, 0.5, 0.95, 0.99, 1.0)] == [
        1,
        1,
        50,
        95,
        99,
        100,
    ]


def test_a_few_values_round_up_to_the_next_rank() -> None:
    assert percentile([0.1, 0.2, 0.3], 0.5) == 0.2
    assert percentile([0.1, 0.2, 0.3], 0.99) == 0.3
    assert percentile([7.0], 0.5) == 7.0


def test_no_values_have_no_percentile() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)
