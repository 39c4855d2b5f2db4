"""Per-key linearizability of client records: Wing & Gong's search, Lowe's memoisation.

Each CID is checked on its own: linearizability is compositional, so a history is
linearizable when every key's sub-history is (Porcupine and Knossos partition the
same way). A client record is a register with these operations and results:

    CreateClient    ok: absent -> data      409: present, unchanged
    UpdateClient    ok: present -> data     404: absent
    DeleteClient    ok: present -> absent   404: absent   409 (it has orders): present
    RetrieveClient  found: equals data      not found: absent

Other refusals (400, a plain 503) change nothing and say nothing about the record,
so they are left out, as are reads that failed or timed out. An unknown write may
take effect at any time after its invoke, or never: its completion is +infinity and
only its effect is modelled (being refused is the same as never taking effect).

The search (Lowe, "Testing for linearizability", 2017) walks the calls and returns
in time order, linearizes the first pending call the register accepts, and
backtracks at a return whose call is not yet placed; a cache of (linearized set,
state) pairs skips configurations already explored. A failing key is then shrunk
(ddmin, bounded: see `_shrink`) to a small sub-history that still fails, which is
what a report shows.
"""

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from loadtests.checkers.evidence import MAX_EXAMPLES, Example, example
from loadtests.checkers.records import canonical
from loadtests.checkers.versions import ends
from loadtests.history import Operation

SEARCH_BUDGET: Final = 200_000  # steps per key before the verdict is "inconclusive"
SHRINK_BUDGET: Final = 300  # searches per failing key spent on shrinking it

# What a call needs of the record, and what it does to it.
_ABSENT, _PRESENT, _EQUAL = 0, 1, 2
_KEEP, _SET, _DELETE = 0, 1, 2
_WRITES: Final = {"CreateClient": (_ABSENT, _SET), "UpdateClient": (_PRESENT, _SET)}
_REFUSALS: Final[dict[tuple[str, object], int]] = {
    ("CreateClient", 409): _PRESENT,
    ("UpdateClient", 404): _ABSENT,
    ("DeleteClient", 404): _ABSENT,
    ("DeleteClient", 409): _PRESENT,
}
OPS: Final = frozenset({"CreateClient", "UpdateClient", "DeleteClient", "RetrieveClient"})


@dataclass(frozen=True, slots=True)
class _Call:
    index: int  # position in the history
    invoke: float
    complete: float  # math.inf when the outcome is unknown
    need: int
    effect: int
    value: str | None = None  # the data it sets, or the data a read returned


@dataclass(frozen=True, slots=True)
class LinearizabilityResult:
    keys: int  # client records checked
    operations: int  # operations that constrain them
    violations: tuple[Example, ...]  # one per non-linearizable key, its sub-history shrunk
    inconclusive: tuple[str, ...]  # keys whose search ran out of budget

    @property
    def non_linearizable(self) -> int:
        return len(self.violations)

    @property
    def examples(self) -> tuple[Example, ...]:
        return self.violations[:MAX_EXAMPLES]


def _call(index: int, o: Operation) -> _Call | None:
    """The register operation a client operation is, or None when it constrains nothing."""
    complete = ends(o)
    if o.op == "RetrieveClient":
        if o.outcome != "ok":
            return None
        if not o.result.get("found"):
            return _Call(index, o.invoke, complete, _ABSENT, _KEEP)
        return _Call(index, o.invoke, complete, _EQUAL, _KEEP, canonical(o.result.get("data")))
    if o.outcome == "fail":
        need = _REFUSALS.get((o.op, o.result.get("error")))
        return None if need is None else _Call(index, o.invoke, complete, need, _KEEP)
    if o.op == "DeleteClient":
        return _Call(index, o.invoke, complete, _PRESENT, _DELETE)
    need, effect = _WRITES[o.op]
    return _Call(index, o.invoke, complete, need, effect, canonical(o.args.get("data")))


def _linearizable(calls: Sequence[_Call], budget: int = SEARCH_BUDGET) -> bool | None:
    """Whether some order of `calls` within their intervals explains every result.

    None when `budget` search steps were not enough to tell.
    """
    known = sum(call.complete != math.inf for call in calls)
    if not known:
        return True
    # Nodes 1..2n of a doubly linked list of events in time order, calls first on ties.
    events = sorted(
        [(call.invoke, 0, i) for i, call in enumerate(calls)]
        + [(call.complete, 1, i) for i, call in enumerate(calls)]
    )
    size = len(events)
    is_call = [False] + [kind == 0 for _, kind, _ in events]
    call_of = [0] + [i for _, _, i in events]
    return_node = [0] * len(calls)
    for node in range(1, size + 1):
        if not is_call[node]:
            return_node[call_of[node]] = node
    after = [*range(1, size + 1), -1]
    before = list(range(-1, size))
    state: str | None = None
    linearized = 0
    cache: set[tuple[int, str | None]] = set()
    stack: list[tuple[int, str | None]] = []
    node = after[0]
    for _ in range(budget):
        i = call_of[node]
        if is_call[node]:
            call = calls[i]
            if call.need == _ABSENT:
                accepted = state is None
            elif call.need == _PRESENT:
                accepted = state is not None
            else:
                accepted = state == call.value
            if accepted:
                new = state if call.effect == _KEEP else call.value if call.effect == _SET else None
                bits = linearized | (1 << i)
                if (bits, new) not in cache:
                    cache.add((bits, new))
                    stack.append((node, state))
                    state, linearized = new, bits
                    for lifted in (node, return_node[i]):
                        after[before[lifted]] = after[lifted]
                        if after[lifted] != -1:
                            before[after[lifted]] = before[lifted]
                    if call.complete != math.inf:
                        known -= 1
                        if not known:
                            return True
                    node = after[0]
                    continue
            node = after[node]
            continue
        if not stack:
            return False
        node, state = stack.pop()
        i = call_of[node]
        linearized &= ~(1 << i)
        if calls[i].complete != math.inf:
            known += 1
        for restored in (return_node[i], node):
            after[before[restored]] = restored
            if after[restored] != -1:
                before[after[restored]] = restored
        node = after[node]
    return None


def _unexplained(calls: Sequence[_Call]) -> set[int]:
    """The calls that need a value (or a record) that no call in `calls` writes.

    Shrinking keeps this set from growing: otherwise it would drop the writes and
    keep a bare read, which fails (the record starts absent) but explains nothing.
    """
    setters = {call.index for call in calls if call.effect == _SET}
    written = {call.value for call in calls if call.effect == _SET}
    return {
        call.index
        for call in calls
        if (call.need == _EQUAL and call.value not in written)
        or (call.need == _PRESENT and not setters - {call.index})
    }


def _writes(calls: Sequence[_Call]) -> list[_Call]:
    return [call for call in calls if call.effect != _KEEP]


def _prefix(calls: Sequence[_Call], time: float) -> list[_Call]:
    """The history as it stood at `time`: calls still running then have unknown outcomes.

    Whatever explains the whole history explains this (calls that start after `time`
    take effect after every call that completed before it), so if it fails, so
    does the whole; and so does every later prefix.
    """
    return [
        call if call.complete <= time else replace(call, complete=math.inf)
        for call in calls
        if call.invoke <= time and (call.complete <= time or call.effect != _KEEP)
    ]


def _failing_prefix(calls: Sequence[_Call]) -> list[_Call]:
    """The shortest failing prefix, by bisection over the completion times."""
    times = sorted({call.complete for call in calls if call.complete != math.inf})
    low, high = -1, len(times) - 1  # fails at times[high]; not known to fail at times[low]
    while high - low > 1:
        middle = (low + high) // 2
        if _linearizable(_prefix(calls, times[middle])) is False:
            high = middle
        else:
            low = middle
    return _prefix(calls, times[high])


def _shrink(calls: Sequence[_Call], budget: int = SHRINK_BUDGET) -> tuple[list[_Call], bool]:
    """A failing sub-history, and whether it is 1-minimal (budget permitting).

    It starts from the shortest failing prefix. Reads and refusals go first: dropping
    one never makes a history fail, so what is left fails for a reason it still
    shows. Then writes may go too, but only
    while the remaining writes stay linearizable on their own (if they were) and
    no call is left needing a value that no remaining call writes: dropping the
    delete between two creates, say, would fail for a reason of its own making.
    """
    calls = _failing_prefix(calls)
    allowed = _unexplained(calls)
    writes_agree = _linearizable(_writes(calls)) is not False
    minimal = True

    def drop(kept: list[_Call], removable: Callable[[_Call], bool]) -> list[_Call]:
        nonlocal budget, minimal
        candidates = [call.index for call in kept if removable(call)]
        chunk = max(len(candidates) // 2, 1)
        while candidates and budget > 0:
            start, removed = 0, False
            while start < len(candidates) and budget > 0:
                gone = set(candidates[start : start + chunk])
                trial = [call for call in kept if call.index not in gone]
                if trial and _unexplained(trial) <= allowed:
                    budget -= 1
                    if _linearizable(trial) is False and (
                        not writes_agree or _linearizable(_writes(trial)) is not False
                    ):
                        kept, removed = trial, True
                        del candidates[start : start + chunk]
                        continue
                start += chunk
            if chunk == 1 and not removed and start >= len(candidates):
                return kept
            chunk = max(chunk // 2, 1)
        minimal = minimal and not candidates
        return kept

    kept = drop(drop(list(calls), lambda call: call.effect == _KEEP), lambda call: True)
    return kept, minimal


def check_linearizability(
    history: Sequence[Operation], budget: int = SEARCH_BUDGET
) -> LinearizabilityResult:
    """`budget`: search steps per key before its verdict is "inconclusive"."""
    by_key: dict[str, list[_Call]] = defaultdict(list)
    for i, o in enumerate(history):
        if o.op in OPS and o.key is not None and (call := _call(i, o)) is not None:
            by_key[o.key].append(call)
    violations, inconclusive = [], []
    for key, calls in by_key.items():
        verdict = _linearizable(calls, budget)
        if verdict is None:
            inconclusive.append(key)
        elif not verdict:
            failing, minimal = _shrink(calls)
            what = (
                f"no order of these {len(failing)} operations on client {key!r} "
                f"explains their results{'' if minimal else ' (shrinking stopped early)'}"
            )
            violations.append(example(history, key, what, [call.index for call in failing]))
    violations.sort(key=lambda e: e.indices[0])
    return LinearizabilityResult(
        keys=len(by_key),
        operations=sum(map(len, by_key.values())),
        violations=tuple(violations),
        inconclusive=tuple(sorted(inconclusive)),
    )
