"""Whether one key's entries are linearizable: Wing & Gong's search, Lowe's memoisation.

The steps (Lowe, "Testing for linearizability", 2017):

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

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from loadtests.checkers.model import Entry, Model, Verdict

SEARCH_BUDGET: Final = 200_000  # steps per key before the verdict is UNKNOWN


@dataclass(slots=True, eq=False)
class _Event:
    """A call or a return in the timeline; the head of the list is neither."""

    entry: Entry[Any] | None
    bit: int  # the entry's member of the linearized set
    ret: "_Event | None" = None  # for a call, its return; None for a return
    prev: "_Event | None" = None
    next: "_Event | None" = None


def _timeline(entries: Sequence[Entry[Any]]) -> _Event:
    """The head of the list of every entry's call and return, in time order."""
    timed = []
    for i, entry in enumerate(entries):
        call = _Event(entry, 1 << i)
        call.ret = _Event(entry, call.bit)
        timed += [(entry.invoke, 0, i, call), (entry.complete, 1, i, call.ret)]
    timed.sort(key=lambda t: t[:3])
    head = before = _Event(None, 0)
    for *_, event in timed:
        before.next, event.prev = event, before
        before = event
    return head


def _unlink(event: _Event) -> None:
    assert event.prev is not None
    event.prev.next = event.next
    if event.next is not None:
        event.next.prev = event.prev


def _relink(event: _Event) -> None:
    """Undo `_unlink`: its neighbours are as they were, if undone in reverse order."""
    assert event.prev is not None
    event.prev.next = event
    if event.next is not None:
        event.next.prev = event


def _lift(call: _Event) -> None:
    assert call.ret is not None
    _unlink(call)
    _unlink(call.ret)


def _unlift(call: _Event) -> None:
    assert call.ret is not None
    _relink(call.ret)
    _relink(call)


def linearizable(
    model: Model[Any, Any], entries: Sequence[Entry[Any]], budget: int = SEARCH_BUDGET
) -> Verdict:
    """Whether some order of `entries`, each within its interval, explains every result."""
    unplaced = sum(entry.acknowledged for entry in entries)
    if not unplaced:
        return Verdict.OK
    head = _timeline(entries)
    step = model.step
    state: Hashable = model.init()
    linearized = 0
    seen: set[tuple[int, Hashable]] = set()
    placed: list[tuple[_Event, Hashable]] = []  # lifted calls, each with the state before it
    event = head.next
    for _ in range(budget):
        assert event is not None and event.entry is not None  # the list ends with a return
        if event.ret is not None:  # a call: may it take effect now?
            accepted, after = step(state, event.entry.input)
            if accepted and (config := (linearized | event.bit, after)) not in seen:
                seen.add(config)
                placed.append((event, state))
                linearized, state = config
                _lift(event)
                if event.entry.acknowledged:
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
        assert event.entry is not None
        linearized &= ~event.bit
        unplaced += event.entry.acknowledged
        _unlift(event)
        event = event.next
    return Verdict.UNKNOWN
