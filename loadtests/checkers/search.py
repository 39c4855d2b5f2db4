"""Whether one key's entries are linearizable: Wing & Gong's search, Lowe's memoisation.

The steps (Lowe, "Testing for linearizability", 2017):

0. One order: entries that never overlap can only take effect in time order, so
   the model steps through them once (most keys of a load test are written and
   read by one client at a time: this spares them the search's setup).
1. Timeline: every entry becomes two events, its call and its return, in one
   doubly linked list in time order (calls before returns at equal times, so
   operations that touch overlap). An entry of unknown outcome returns at +inf.
2. Walk the list from its head. At a call, ask the model whether it can take
   effect in the current state; if so, and the pair (the set of entries
   linearized so far, the state after it) has not been seen before, *lift* the
   entry: take its call and return out of the list, remember it on the stack
   of placed entries with the state before it, and start again from the head.
3. At a return, the entry it belongs to should have taken effect by now but
   has not: *unlift* the last placed entry (put its events back where they were,
   restore the state before it) and try the next call after it.
4. Once every acknowledged entry is placed, the history is linearizable (entries
   of unknown outcome need not be: they may never take effect). With nothing
   left to unlift, it is not. With the step budget spent, the search cannot tell.

The cache of seen (linearized set, state) pairs is what makes this fast: two
orders of the same entries that reach the same state need only be explored once.
"""

import itertools
import math
import operator
from collections.abc import Hashable, Sequence
from typing import Any, Final

from loadtests.checkers.model import Entry, Model, Verdict

SEARCH_BUDGET: Final = 200_000  # steps per key before the verdict is UNKNOWN
_INVOKE: Final = operator.attrgetter("invoke")


class _Event:
    """A call or a return in the timeline: a circular list whose head is neither."""

    __slots__ = ("acknowledged", "bit", "input", "next", "prev", "ret", "value")

    def __init__(self, entry: Entry[Any] | None, bit: int, ret: "_Event | None") -> None:
        self.input = entry.input if entry else None  # the entry's, for the model's step
        self.value = entry.value if entry else None
        self.bit = bit  # the entry's member of the linearized set
        self.acknowledged = entry is not None and entry.complete != math.inf  # must be placed
        self.ret = ret  # for a call, its return; None for a return
        self.prev = self.next = self


def _timeline(entries: Sequence[Entry[Any]]) -> tuple[_Event, list[_Event]]:
    """The head of the list of every entry's call and return in time order, and the list."""
    returns = [_Event(entry, 1 << i, None) for i, entry in enumerate(entries)]
    calls = [_Event(entry, 1 << i, returns[i]) for i, entry in enumerate(entries)]
    order = sorted(
        [(entry.invoke, 0, i) for i, entry in enumerate(entries)]
        + [(entry.complete, 1, i) for i, entry in enumerate(entries)]
    )
    head = before = _Event(None, 0, None)
    for _, is_return, i in order:
        event = returns[i] if is_return else calls[i]
        before.next, event.prev = event, before
        before = event
    before.next, head.prev = head, before
    return head, [head, *calls, *returns]


def _dismantle(events: list[_Event]) -> None:
    """Break the list's reference cycles: it is freed at once, not by the garbage collector
    (which, with a large history in memory, costs more than the search)."""
    for event in events:
        del event.prev, event.next


def _lift(call: _Event) -> None:
    """Take an entry's call and return out of the timeline: it is placed."""
    ret = call.ret
    assert ret is not None
    call.prev.next, call.next.prev = call.next, call.prev
    ret.prev.next, ret.next.prev = ret.next, ret.prev


def _unlift(call: _Event) -> None:
    """Put them back: each still names its old neighbours, so undo in reverse order."""
    ret = call.ret
    assert ret is not None
    ret.prev.next = ret.next.prev = ret
    call.prev.next = call.next.prev = call


def _in_one_order(model: Model[Any, Any], entries: Sequence[Entry[Any]]) -> Verdict | None:
    """Step 0: the verdict for entries that never overlap; None if some do."""
    ordered = sorted(entries, key=_INVOKE)
    if any(later.invoke <= earlier.complete for earlier, later in itertools.pairwise(ordered)):
        return None
    state = model.init()
    for entry in ordered:
        accepted, state = model.step(state, entry.input, entry.value)
        if not accepted:  # the last entry may be of unknown outcome: it may never land
            return Verdict.ILLEGAL if entry.acknowledged else Verdict.OK
    return Verdict.OK


def linearizable(
    model: Model[Any, Any], entries: Sequence[Entry[Any]], budget: int = SEARCH_BUDGET
) -> Verdict:
    """Whether some order of `entries`, each within its interval, explains every result."""
    unplaced = len(entries) - [entry.complete for entry in entries].count(math.inf)
    if not unplaced:
        return Verdict.OK
    if (verdict := _in_one_order(model, entries)) is not None:
        return verdict
    head, events = _timeline(entries)
    try:
        return _search(model, head, unplaced, budget)
    finally:
        _dismantle(events)


def _search(model: Model[Any, Any], head: _Event, unplaced: int, budget: int) -> Verdict:
    """Steps 2 to 4, from the timeline's head, with `unplaced` acknowledged entries."""
    step = model.step
    state: Hashable = model.init()
    linearized = 0
    seen: set[tuple[int, Hashable]] = set()
    placed: list[tuple[_Event, Hashable]] = []  # lifted calls, each with the state before it
    event = head.next  # never the head again: the list ends with a return
    for _ in range(budget):
        if event.ret is not None:  # a call: may it take effect now?
            accepted, after = step(state, event.input, event.value)
            if accepted and (config := (linearized | event.bit, after)) not in seen:
                seen.add(config)
                placed.append((event, state))
                linearized, state = config
                _lift(event)
                if event.acknowledged:
                    unplaced -= 1
                    if not unplaced:
                        return Verdict.OK
                event = head.next
            else:
                event = event.next
            continue
        if not placed:  # a return no order can reach in time
            return Verdict.ILLEGAL
        event, state = placed.pop()
        linearized &= ~event.bit
        unplaced += event.acknowledged
        _unlift(event)
        event = event.next
    return Verdict.UNKNOWN
