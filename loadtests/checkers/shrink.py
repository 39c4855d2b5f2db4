"""A failing key's history, shrunk to a few entries that still fail: what a report shows.

First the shortest failing prefix (by bisection over the completion times), then
ddmin, bounded. Entries that never change a state (reads, refusals) go first:
dropping one never makes a history fail, so what is left fails for a reason it
still shows. Then writes may go too, but only while the remaining writes stay
linearizable on their own (if they were) and no entry is left needing what no
remaining entry writes: dropping the delete between two creates, say, would fail
for a reason of its own making.
"""

import math
from collections.abc import Callable, Sequence
from typing import Any, Final

from loadtests.checkers.model import Entry, Model, Verdict
from loadtests.checkers.search import linearizable

SHRINK_BUDGET: Final = 300  # searches per failing key spent on shrinking it
CULPRIT_LIMIT: Final = 12  # entries beyond which trying each one's removal costs too much

Entries = list[Entry[Any]]


def _fails(model: Model[Any, Any], entries: Sequence[Entry[Any]]) -> bool:
    return linearizable(model, entries) is Verdict.ILLEGAL


def _prefix(model: Model[Any, Any], entries: Sequence[Entry[Any]], time: float) -> Entries:
    """The history as it stood at `time`: entries still running then have unknown outcomes.

    Whatever explains the whole history explains this (entries that start after
    `time` take effect after every entry that completed before it), so if it
    fails, so does the whole; and so does every later prefix.
    """
    return [
        entry if entry.complete <= time else entry._replace(complete=math.inf)
        for entry in entries
        if entry.invoke <= time and (entry.complete <= time or model.changes(entry.input))
    ]


def _failing_prefix(model: Model[Any, Any], entries: Sequence[Entry[Any]]) -> Entries:
    times = sorted({entry.complete for entry in entries if entry.acknowledged})
    low, high = -1, len(times) - 1  # fails at times[high]; not known to fail at times[low]
    while high - low > 1:
        middle = (low + high) // 2
        if _fails(model, _prefix(model, entries, times[middle])):
            high = middle
        else:
            low = middle
    return _prefix(model, entries, times[high])


def shrink(
    model: Model[Any, Any], entries: Sequence[Entry[Any]], budget: int = SHRINK_BUDGET
) -> tuple[Entries, bool]:
    """A failing sub-history of `entries` (which fail), and whether it is 1-minimal."""
    start = _failing_prefix(model, entries)
    allowed = model.unexplained(start)

    def writes(some: Sequence[Entry[Any]]) -> Entries:
        return [entry for entry in some if model.changes(entry.input)]

    writes_agree = not _fails(model, writes(start))
    minimal = True

    def still_fails(trial: Entries) -> bool:
        nonlocal budget
        if not trial or not model.unexplained(trial) <= allowed:
            return False
        budget -= 1
        return _fails(model, trial) and (not writes_agree or not _fails(model, writes(trial)))

    def drop(kept: Entries, removable: Callable[[Entry[Any]], bool]) -> Entries:
        nonlocal minimal
        candidates = [entry.position for entry in kept if removable(entry)]
        chunk = max(len(candidates) // 2, 1)
        while candidates and budget > 0:
            at, removed = 0, False
            while at < len(candidates) and budget > 0:
                gone = set(candidates[at : at + chunk])
                trial = [entry for entry in kept if entry.position not in gone]
                if still_fails(trial):
                    kept, removed = trial, True
                    del candidates[at : at + chunk]
                    continue
                at += chunk
            if chunk == 1 and not removed and at >= len(candidates):
                return kept
            chunk = max(chunk // 2, 1)
        minimal = minimal and not candidates
        return kept

    reads_gone = drop(start, lambda entry: not model.changes(entry.input))
    return drop(reads_gone, lambda entry: True), minimal


def culprits(model: Model[Any, Any], failing: Sequence[Entry[Any]]) -> list[int]:
    """The positions of the entries of `failing` without any one of which the rest is
    linearizable: the operations in conflict. All of them when there are more than
    CULPRIT_LIMIT, or when no single removal suffices (two conflicts at once)."""
    everything = [entry.position for entry in failing]
    if len(failing) > CULPRIT_LIMIT:
        return everything
    found = [
        entry.position
        for entry in failing
        if linearizable(model, [e for e in failing if e.position != entry.position]) is Verdict.OK
    ]
    return found or everything
