"""A product's stock as the acknowledged writes determine it, give or take the unknowns.

CreateProduct and UpdateProduct set the stock (resets); order writes move it
(deltas, each between a least and a most number of units: see `orderbook`). For a
read over [invoke, complete], or for the end of the run (+inf, +inf), each reset
that may be the last before it (`Versions`) gives a range: its quantity, minus the
deltas that surely came between (the acknowledged ones that started after the
reset ended and completed before the read started), minus any subset of those that
may have (overlapping the reset or the read, or unknown). The ranges only widen as
fewer deltas are sure, which is how `staleness` finds the first acknowledged order
that a stale read does not show.
"""

import bisect
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from loadtests.checkers.orderbook import order_writes
from loadtests.checkers.records import ABSENT, ANY, product_fields, stock
from loadtests.checkers.versions import INITIAL_TIME, Versions, Write, ends, write
from loadtests.history import Operation

RESETS = frozenset({"CreateProduct", "UpdateProduct", "DeleteProduct"})
# Of some deltas: the least and the most units they took in all; and, if any subset of
# them may count, the most units taken and the most given back (negative).
Sums = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Delta:
    index: int  # position in the history of the order write
    invoke: float
    complete: float  # math.inf when the outcome is unknown
    low: int  # the least units taken from stock (negative: given back)
    high: int  # the most


class _Prefix:
    """Sums of the deltas whose time (invoke or complete) is before a given time."""

    def __init__(self, timed: list[tuple[float, Delta]]) -> None:
        timed.sort(key=lambda pair: pair[0])
        self.times = [time for time, _ in timed]
        self.sums: list[Sums] = [(0, 0, 0, 0)]
        for _, d in timed:
            low, high, most, back = self.sums[-1]
            self.sums.append(
                (low + d.low, high + d.high, most + max(d.high, 0), back + min(d.low, 0))
            )

    def before(self, time: float) -> Sums:
        return self.sums[bisect.bisect_left(self.times, time)]


def _minus(total: Sums, *parts: Sums) -> Sums:
    low, high, most, back = total
    for part in parts:
        low, high, most, back = low - part[0], high - part[1], most - part[2], back - part[3]
    return low, high, most, back


class Ledger:
    def __init__(self, resets: Versions, deltas: Sequence[Delta]) -> None:
        self.resets = resets
        sure = sorted((d for d in deltas if d.complete != math.inf), key=lambda d: d.complete)
        self.sure = sure  # the acknowledged deltas, in the order they completed
        self.sure_completes = [d.complete for d in sure]
        self._sure = _Prefix([(d.complete, d) for d in sure])
        self._started = _Prefix([(d.invoke, d) for d in deltas])
        longest = max((d.complete - d.invoke for d in sure), default=0.0)
        # For each finished reset, the sure deltas that overlap it: they may come before it.
        self._overlaps: dict[int, _Prefix] = {}
        for reset in resets.writes:
            if reset.sure and reset.invoke != INITIAL_TIME:
                low = bisect.bisect_left(self.sure_completes, reset.invoke)
                high = bisect.bisect_right(self.sure_completes, reset.complete + longest)
                overlap = [d for d in sure[low:high] if d.invoke <= reset.complete]
                self._overlaps[reset.index] = _Prefix([(d.complete, d) for d in overlap])

    def bounds(self, reset: Write, sure_before: float, started_before: float) -> tuple[int, int]:
        """The stock range after `reset`, if deltas that completed before `sure_before`
        surely count and any others that started before `started_before` may."""
        assert reset.quantity is not None
        sure: Sums = (0, 0, 0, 0)
        if reset.sure:
            overlap = self._overlaps.get(reset.index)
            sure = _minus(
                self._sure.before(sure_before),
                self._sure.before(min(reset.invoke, sure_before)),
                overlap.before(sure_before) if overlap else (0, 0, 0, 0),
            )
        maybe = _minus(self._started.before(started_before), self._sure.before(reset.invoke), sure)
        low, high, most, back = sure[0], sure[1], maybe[2], maybe[3]
        return reset.quantity - high - most, reset.quantity - low - back

    def final(self) -> tuple[int, int] | None:
        """The stock range once every write has completed; None if nothing set it."""
        ranges = [
            self.bounds(r, math.inf, math.inf)
            for r in self.resets.candidates(math.inf, math.inf)
            if r.quantity is not None
        ]
        if not ranges:
            return None
        return min(lo for lo, _ in ranges), max(hi for _, hi in ranges)


def ledgers(history: Sequence[Operation], initial: Mapping[str, int]) -> dict[str, Ledger]:
    """Every product's ledger; `initial` is the stock of products set up before the history."""
    resets: dict[str, list[Write]] = defaultdict(list)
    for pid, units in initial.items():
        resets[pid].append(Write(-1, INITIAL_TIME, INITIAL_TIME, ANY, units))
    for i, o in enumerate(history):
        if o.op in RESETS and o.outcome != "fail" and o.key is not None:
            data = o.args.get("data")
            if o.op == "DeleteProduct":
                resets[o.key].append(write(i, o, ABSENT))
            elif (quantity := stock(data)) is not None:
                resets[o.key].append(write(i, o, product_fields(data), quantity))
    deltas: dict[str, list[Delta]] = defaultdict(list)
    for effect in order_writes(history):
        o = history[effect.index]
        for pid, (low, high) in effect.taken.items():
            deltas[pid].append(Delta(effect.index, o.invoke, ends(o), low, high))
    books = {}
    for pid in resets.keys() | deltas.keys():
        if pid not in initial:  # the product did not exist before the history began
            resets[pid].append(Write(-1, INITIAL_TIME, INITIAL_TIME, ABSENT))
        books[pid] = Ledger(Versions(resets[pid]), deltas[pid])
    return books
