"""Session guarantees on one server: read-your-writes and monotonic reads.

A session is one client (a Locust user) on one server: its calls there, in order.
On a client or product record, a read of a session must show

- read-your-writes: its own latest acknowledged write there, or a later write; a
  read that shows a write that ended before that one began went back behind it;
- monotonic reads: no write older than one an earlier read of the session there
  showed; a write that ended before that one began is older.

"Older" is taken from the history's times, never from the values: a write that
ended before another began comes before it in every order a linearizable service
may choose, so a correct strategy is never counted here, whoever wrote the record.
A read whose value no write gave (unexplained) is left to the staleness checker.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from loadtests.checkers.evidence import MAX_EXAMPLES, Example, example
from loadtests.checkers.registers import (
    READS,
    WRITES,
    earliest_start,
    latest_end,
    register_of,
    register_writes,
    shown,
)
from loadtests.history import Operation


@dataclass(frozen=True, slots=True)
class SessionsResult:
    sessions: int  # (client, server) pairs with a read checked
    reads: int  # acknowledged reads of a record the history writes
    read_your_writes: int  # reads that went back behind the session's own write
    monotonic_reads: int  # reads that went back behind one the session had read
    read_your_writes_examples: tuple[Example, ...]  # [read, the session's write]
    monotonic_read_examples: tuple[Example, ...]  # [read, the session's earlier read]


@dataclass(slots=True)
class _Floor:
    """What one session knows of one record: nothing it reads may end before `since`."""

    since: float = -math.inf
    index: int = -1  # the operation that set it


@dataclass(slots=True)
class _Breaches:
    """One guarantee's reads that went back behind a floor: counted, the first few shown."""

    count: int = 0
    examples: list[Example] = field(default_factory=list)

    def add(self, history: Sequence[Operation], i: int, floor: _Floor, broke: str) -> None:
        self.count += 1
        if len(self.examples) < MAX_EXAMPLES:
            o = history[i]
            what = f"{o.process}'s {o.op} of {o.key!r} showed a write older than {broke}"
            pair = [i, floor.index]
            self.examples.append(example(history, str(o.key), what, pair, pair))


@dataclass(slots=True)
class _Session:
    own: dict[str, _Floor] = field(default_factory=dict)  # by record: its own writes
    seen: dict[str, _Floor] = field(default_factory=dict)  # by record: what it read


def check_sessions(history: Sequence[Operation]) -> SessionsResult:
    registers = register_writes(history)
    sessions: dict[tuple[str, str], _Session] = {}
    checked: set[tuple[str, str]] = set()
    reads = 0
    ryw, mr = _Breaches(), _Breaches()
    for i in sorted(range(len(history)), key=lambda i: (history[i].invoke, i)):
        o = history[i]
        register = register_of(registers, o)
        if register is None or o.outcome != "ok":
            continue
        session = sessions.setdefault((o.process, o.server), _Session())
        record = f"{o.table}/{o.key}"
        if o.op in WRITES:
            session.own[record] = _Floor(o.invoke, i)
            continue
        writes = shown(register, o) if o.op in READS else []
        if not writes:
            continue
        reads += 1
        checked.add((o.process, o.server))
        end = latest_end(writes)
        own = session.own.get(record, _Floor())
        if end < own.since:
            ryw.add(history, i, own, "its own acknowledged write on that server")
        seen = session.seen.get(record, _Floor())
        if end < seen.since:
            mr.add(history, i, seen, "one its earlier read on that server had shown")
        start = earliest_start(writes)
        if start > seen.since:
            session.seen[record] = _Floor(start, i)
    return SessionsResult(
        sessions=len(checked),
        reads=reads,
        read_your_writes=ryw.count,
        monotonic_reads=mr.count,
        read_your_writes_examples=tuple(ryw.examples),
        monotonic_read_examples=tuple(mr.examples),
    )
