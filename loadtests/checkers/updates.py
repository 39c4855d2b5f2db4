"""Lost updates: read-modify-writes based on a value a linearizable service could not return.

A read-modify-write is an acknowledged UpdateClient or UpdateProduct whose data holds
the writer's label (`"writer"`) and a `"version"` one above the version that the same
client's call just before it read of that record (a record without one is version 0):
the write is derived from that read. It lost an update when the read showed a write
that ended before another acknowledged write of the record began, and that other
write had completed before the read was invoked: the read missed it, so the write
derived from the read overwrote an acknowledged update. Two read-modify-writes that
race (both reads before either write completed) overwrite each other legally and are
not counted.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loadtests.checkers.evidence import MAX_EXAMPLES, Example, example
from loadtests.checkers.registers import READS, latest_end, register_of, register_writes, shown
from loadtests.history import Operation

UPDATES = frozenset({"UpdateClient", "UpdateProduct"})


@dataclass(frozen=True, slots=True)
class LostUpdatesResult:
    read_modify_writes: int  # acknowledged ones whose read could be placed
    lost: int
    examples: tuple[Example, ...]  # [its read, the write the read missed, the write]


def version(data: Any) -> int | None:
    """A record's version: its integer "version", 0 without one; None when not a record."""
    if not isinstance(data, dict):
        return None
    found = data.get("version", 0)
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def _derived(read: Operation, o: Operation) -> bool:
    """Whether write `o` is a read-modify-write of what `read` returned."""
    data = o.args.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("writer"), str):
        return False
    based = version(read.result.get("data")) if read.result.get("found") else None
    ok = read.op in READS and read.outcome == "ok" and read.key == o.key
    return ok and read.table == o.table and based is not None and version(data) == based + 1


def check_lost_updates(history: Sequence[Operation]) -> LostUpdatesResult:
    registers = register_writes(history)
    last: dict[str, int] = {}  # by client: its previous call
    checked = lost = 0
    examples: list[Example] = []
    for i in sorted(range(len(history)), key=lambda i: (history[i].invoke, i)):
        o = history[i]
        before, last[o.process] = last.get(o.process), i
        register = register_of(registers, o)
        if before is None or register is None or o.op not in UPDATES or o.outcome != "ok":
            continue
        read = history[before]
        writes = shown(register, read)
        if not _derived(read, o) or not writes:
            continue
        checked += 1
        missed = register.versions.frontier(read.invoke)
        if missed is None or latest_end(writes) >= missed.invoke:
            continue
        lost += 1
        if len(examples) < MAX_EXAMPLES:
            what = (
                f"{o.process}'s {o.op} of {o.key!r} wrote version {version(o.args['data'])}"
                " from a read that missed an acknowledged write: it overwrote that update"
            )
            conflict = [before, missed.index]
            examples.append(example(history, str(o.key), what, [*conflict, i], conflict))
    return LostUpdatesResult(read_modify_writes=checked, lost=lost, examples=tuple(examples))
