"""Clients and products as registers: every write of each, and the writes a read can show.

A client's value is its whole JSON, a product's its JSON without the stock (orders
move that; see `records`); a delete sets a record absent, and every record starts
absent before the history. Writes that surely changed nothing are left out.

The scenarios that check sessions and read-modify-writes write a version into each
record's data that no other write of it repeats, so a read's value names the write
it shows. When a value was written more than once, the checkers take, of the writes
that may be the one shown, whichever makes the read least suspect: they never guess.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from loadtests.checkers.records import ABSENT, Value, canonical, product_fields, read_value
from loadtests.checkers.versions import INITIAL_TIME, Versions, Write, write
from loadtests.history import Operation

WRITES: Final = frozenset(
    f"{verb}{kind}" for verb in ("Create", "Update", "Delete") for kind in ("Client", "Product")
)
READS: Final = frozenset({"RetrieveClient", "RetrieveProduct"})
Key = tuple[str, str]  # (table, ID)


def _value(o: Operation) -> Value:
    if o.op.startswith("Delete"):
        return ABSENT
    data = o.args.get("data")
    return product_fields(data) if o.table == "products" else canonical(data)


@dataclass(frozen=True, slots=True)
class Register:
    versions: Versions
    by_value: Mapping[Value, Sequence[Write]]  # a long run's reads must not scan every write


def register_writes(history: Sequence[Operation]) -> dict[Key, Register]:
    """The writes of every client and product the history writes, each starting absent."""
    found: dict[Key, list[Write]] = defaultdict(list)
    for i, o in enumerate(history):
        if o.op in WRITES and o.outcome != "fail" and o.key is not None:
            found[str(o.table), o.key].append(write(i, o, _value(o)))
    initial = Write(-1, INITIAL_TIME, INITIAL_TIME, ABSENT)
    registers = {}
    for key, writes in found.items():
        by_value: dict[Value, list[Write]] = defaultdict(list)
        for w in (initial, *writes):
            by_value[w.value].append(w)
        registers[key] = Register(Versions([initial, *writes]), by_value)
    return registers


def shown(register: Register, read: Operation) -> list[Write]:
    """The writes whose value an acknowledged read shows (begun before it ended)."""
    return [w for w in register.by_value.get(read_value(read), ()) if w.invoke < read.complete]


def latest_end(writes: Sequence[Write]) -> float:
    """The latest any of these writes may have taken effect (the least suspect reading)."""
    return max(w.complete for w in writes)


def earliest_start(writes: Sequence[Write]) -> float:
    """The earliest any of these writes began (the least a read of them proves)."""
    return min(w.invoke for w in writes)


def register_of(registers: Mapping[Key, Register], o: Operation) -> Register | None:
    return None if o.key is None else registers.get((str(o.table), o.key))
