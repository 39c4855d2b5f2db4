"""Staleness: reads that miss a write acknowledged before they started.

For each acknowledged RetrieveClient, RetrieveProduct and RetrieveOrder, the writes
of its record that it may see are those of `Versions.candidates`; a product read
must also show a stock inside the range of one of them (`Ledger.bounds`). A read
that sees none of them is stale when what it saw is an older write's (one that an
acknowledged write completed before the read started came after): its staleness
is the time from the completion of the first such write it missed to its own
start. For a product whose stock is off, the missed write is the first
acknowledged order without which the stock would fit. A read that matches no write
at all (a value nobody wrote, or one only written later) is counted apart as
unexplained.
"""

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from loadtests.checkers.evidence import MAX_EXAMPLES, Example, example
from loadtests.checkers.ledger import Ledger, ledgers
from loadtests.checkers.orderbook import order_writes
from loadtests.checkers.records import ABSENT, ANY, Value, read_value, stock
from loadtests.checkers.registers import register_writes
from loadtests.checkers.versions import INITIAL_TIME, Versions, Write, write
from loadtests.history import Operation
from loadtests.percentiles import percentile

READS = frozenset({"RetrieveClient", "RetrieveProduct", "RetrieveOrder"})


@dataclass(frozen=True, slots=True)
class Lag:
    """Seconds from the completion of the missed write to the start of the stale read."""

    p50: float
    p99: float
    max: float


@dataclass(frozen=True, slots=True)
class StalenessResult:
    reads: int  # acknowledged reads of one record
    stale: int
    unexplained: int
    stale_by_op: Mapping[str, int]
    lag: Lag | None  # None when no read was stale
    examples: tuple[Example, ...]  # [stale read, the write it missed]

    @property
    def share(self) -> float:
        return self.stale / self.reads if self.reads else 0.0


@dataclass(frozen=True, slots=True)
class _Missed:
    lag: float
    write: int  # position in the history of the write the read missed


def _registers(history: Sequence[Operation]) -> dict[tuple[str, str], Versions]:
    """The writes of every client and order, each key starting absent."""
    clients = {k: r.versions for k, r in register_writes(history).items() if k[0] == "clients"}
    writes: dict[tuple[str, str], list[Write]] = defaultdict(list)
    for effect in order_writes(history):
        o = history[effect.index]
        writes["orders", effect.oid] += (write(effect.index, o, v) for v in effect.values)
    initial = Write(-1, INITIAL_TIME, INITIAL_TIME, ABSENT)
    return clients | {key: Versions([initial, *found]) for key, found in writes.items()}


def _older(versions: Versions, matches: Callable[[Value], bool], o: Operation) -> _Missed | None:
    """The first write missed by a read that saw the value of a superseded write."""
    frontier = versions.frontier(o.invoke)
    if frontier is None:
        return None
    older = [
        w for w in versions.writes if w.sure and w.complete < frontier.invoke and matches(w.value)
    ]
    if not older:
        return None
    missed = versions.superseded(max(older, key=lambda w: w.complete), o.invoke) or frontier
    return _Missed(o.invoke - missed.complete, missed.index)


def _register_read(versions: Versions, o: Operation) -> _Missed | bool:
    """True when fresh, the missed write when stale, False when unexplained."""
    value = read_value(o)
    if any(w.value == value for w in versions.candidates(o.invoke, o.complete)):
        return True
    return _older(versions, lambda v: v == value, o) or False


def _product_read(ledger: Ledger, o: Operation) -> _Missed | bool:
    value = read_value(o)

    def matches(v: Value) -> bool:
        return v == value or (v is ANY and value is not ABSENT)

    candidates = [w for w in ledger.resets.candidates(o.invoke, o.complete) if matches(w.value)]
    if value is ABSENT:
        return bool(candidates) or _older(ledger.resets, matches, o) or False
    quantity = stock(o.result.get("data"))
    fitting = [w for w in candidates if w.quantity is not None]
    if fitting and quantity is not None:

        def fits(sure_before: float) -> bool:
            return any(
                lo <= quantity <= hi
                for lo, hi in (ledger.bounds(w, sure_before, o.complete) for w in fitting)
            )

        if fits(o.invoke):
            return True
        # fits(times[k]) counts the first k acknowledged orders as sure; the ranges widen
        # as k falls. The largest k that fits names the first order the read misses.
        times = ledger.sure_completes
        low, high = 0, bisect.bisect_left(times, o.invoke)  # fits at low, not at high
        if high and fits(times[0]):
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if fits(times[middle]) else (low, middle)
            missed = ledger.sure[low]
            return _Missed(o.invoke - missed.complete, missed.index)
    return _older(ledger.resets, matches, o) or False


def check_staleness(
    history: Sequence[Operation], initial_stock: Mapping[str, int] | None = None
) -> StalenessResult:
    registers = _registers(history)
    books = ledgers(history, initial_stock or {})
    reads = unexplained = 0
    stale: Counter[str] = Counter()
    lags: list[float] = []
    examples: list[Example] = []
    for i, o in enumerate(history):
        if o.op not in READS or o.outcome != "ok" or o.key is None:
            continue
        reads += 1
        # A record the history never writes is absent throughout.
        verdict: _Missed | bool = read_value(o) is ABSENT
        if o.op == "RetrieveProduct" and (ledger := books.get(o.key)) is not None:
            verdict = _product_read(ledger, o)
        elif (versions := registers.get((str(o.table), o.key))) is not None:
            verdict = _register_read(versions, o)
        if verdict is False:
            unexplained += 1
        elif isinstance(verdict, _Missed):
            stale[o.op] += 1
            lags.append(verdict.lag)
            if len(examples) < MAX_EXAMPLES:
                what = (
                    f"{o.op} of {o.key!r} missed a write acknowledged "
                    f"{verdict.lag * 1000:.3f} ms before it started"
                )
                pair = [i, verdict.write]
                examples.append(example(history, o.key, what, pair, highlight=pair))
    lags.sort()
    return StalenessResult(
        reads=reads,
        stale=sum(stale.values()),
        unexplained=unexplained,
        stale_by_op=dict(stale),
        lag=Lag(percentile(lags, 0.5), percentile(lags, 0.99), lags[-1]) if lags else None,
        examples=tuple(examples),
    )
