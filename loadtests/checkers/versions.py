"""The writes of one record, and which of them a read may still see.

A read invoked at `invoke` and complete at `complete` may see the value of a write
w when w could be the last write linearized before it: w started before the read
ended, and no acknowledged write that completed before the read started began
after w ended (it would come between w and the read). Acknowledged writes that
completed before the read started are never "in the future", so the rule accepts
every read of a linearizable history; a read that sees none of these values missed
an acknowledged write. Unknown writes end at +infinity: they may land at any time.
"""

import bisect
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from loadtests.checkers.records import Value
from loadtests.history import Operation


@dataclass(frozen=True, slots=True)
class Write:
    index: int  # position in the history; -1 for the value before the history
    invoke: float
    complete: float  # math.inf when the outcome is unknown
    value: Value
    quantity: int | None = None  # a product's stock as this write set it

    @property
    def sure(self) -> bool:
        return self.complete != math.inf


INITIAL_TIME = -math.inf


class Versions:
    def __init__(self, writes: Iterable[Write]) -> None:
        self.writes = sorted(writes, key=lambda w: (w.invoke, w.index))
        self._invokes = [w.invoke for w in self.writes]
        self._unknown = [w for w in self.writes if not w.sure]
        self._sure = sorted((w for w in self.writes if w.sure), key=lambda w: w.complete)
        self._completes = [w.complete for w in self._sure]
        self._latest: list[Write] = []  # latest-started sure write among the first k+1
        for write in self._sure:
            latest = self._latest[-1] if self._latest else write
            self._latest.append(write if write.invoke >= latest.invoke else latest)
        finite = [w.complete - w.invoke for w in self._sure if w.invoke != INITIAL_TIME]
        self._longest = max(finite, default=0.0)

    def frontier(self, before: float) -> Write | None:
        """The latest-started acknowledged write that completed before `before`."""
        k = bisect.bisect_left(self._completes, before)
        return self._latest[k - 1] if k else None

    def candidates(self, invoke: float, complete: float) -> Iterator[Write]:
        """The writes whose value a read over [invoke, complete] may see."""
        last = self.frontier(invoke)
        start = INITIAL_TIME if last is None else last.invoke
        for k in range(bisect.bisect_left(self._invokes, complete) - 1, -1, -1):
            write = self.writes[k]
            if write.invoke < start - self._longest:
                break  # it, and every write started before it, ended before `start`
            if write.sure and write.complete >= start:
                yield write
        yield from (w for w in self._unknown if w.invoke < complete)

    def superseded(self, write: Write, before: float) -> Write | None:
        """The first acknowledged write, completed before `before`, that began after `write`."""
        first = bisect.bisect_right(self._completes, write.complete)
        for k in range(first, bisect.bisect_left(self._completes, before)):
            if self._sure[k].invoke > write.complete:
                return self._sure[k]
        return None


def ends(operation: Operation) -> float:
    """When an operation surely took effect, if ever: +inf when its outcome is unknown."""
    return math.inf if operation.outcome == "unknown" else operation.complete


def write(index: int, operation: Operation, value: Value, quantity: int | None = None) -> Write:
    """The write an acknowledged or unknown operation made."""
    return Write(index, operation.invoke, ends(operation), value, quantity)
