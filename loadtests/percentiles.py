"""The one percentile of the project: nearest rank, as reports and benchmarks quote it."""

import math
from collections.abc import Sequence
from typing import TypeVar

N = TypeVar("N", int, float)


def percentile(ordered: Sequence[N], fraction: float) -> N:
    """The smallest of `ordered` (sorted, not empty) with at least `fraction` of them at
    or below it: nearest rank, so always one of the values, never an interpolation."""
    if not ordered:
        raise ValueError("the percentile of no values")
    return ordered[min(max(math.ceil(fraction * len(ordered)) - 1, 0), len(ordered) - 1)]
