"""Latency percentiles from an HDR histogram, in microseconds.

Each operation's latency (`Operation.latency_s`: from its due time under an open
loop, else from its invoke) is recorded in whole microseconds in an HdrHistogram
holding 3 significant digits from 1 µs to an hour: every value below 2,048 µs has a
bucket of its own, and above that a bucket spans at most 0.1% of its values. A
percentile is the nearest rank (as `loadtests.percentiles` defines it) read from the
buckets, reported as its bucket's highest value, so it is the sorted list's own value
to those 3 digits, never an interpolation.
"""

import math
from collections.abc import Iterable
from typing import Final

from hdrh.histogram import HdrHistogram

from loadtests.history import Operation

LOWEST_US: Final = 1
HIGHEST_US: Final = 3_600_000_000  # an hour: no call outlives its timeout that long
DIGITS: Final = 3


def histogram(latencies_us: Iterable[int] = ()) -> HdrHistogram:
    recorded = HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)
    for value in latencies_us:
        recorded.record_value(min(max(value, 0), HIGHEST_US))
    return recorded


def of_operations(history: Iterable[Operation]) -> HdrHistogram:
    return histogram(round(o.latency_s * 1_000_000) for o in history)


def value_at(recorded: HdrHistogram, fraction: float) -> int:
    """The nearest-rank `fraction` percentile, in µs (the histogram must not be empty)."""
    total = recorded.get_total_count()
    if total == 0:
        raise ValueError("the percentile of no values")
    rank = min(max(math.ceil(fraction * total), 1), total)
    for bucket in recorded.get_recorded_iterator():
        if bucket.total_count_to_this_value >= rank:
            return int(bucket.value_iterated_to)
    return int(recorded.get_max_value())  # not reached: the last bucket holds rank `total`
