"""A client record as a register: the model the linearizability checker searches with.

SPEC.md's rules 1 and 2 make a client a register that is absent or holds its
data. Each operation needs something of it and does something to it:

    CreateClient    ok: absent -> data      409: present, unchanged
    UpdateClient    ok: present -> data     404: absent
    DeleteClient    ok: present -> absent   404: absent   409 (it has orders): present
    RetrieveClient  found: equals data      not found: absent

Other refusals (400, a plain 503) change nothing and say nothing about the record,
so they are left out, as are reads that failed or timed out. An unknown write may
take effect at any time after its invoke, or never: only its effect is modelled
(being refused is the same as never taking effect).
"""

import enum
from collections import defaultdict
from collections.abc import Sequence
from typing import Final, NamedTuple

from loadtests.checkers.model import Entry
from loadtests.checkers.records import canonical
from loadtests.checkers.versions import ends
from loadtests.history import Operation

Value = str | None  # a client's data as canonical JSON; None while it does not exist


class Need(enum.Enum):
    ABSENT = "absent"
    PRESENT = "present"
    EQUAL = "equal"  # present, holding exactly `value`


class Effect(enum.Enum):
    KEEP = "keep"
    SET = "set"  # to `value`
    DELETE = "delete"


class Access(NamedTuple):
    """What one operation needs of the register, and what it does to it; the data it sets,
    or the data a read returned, is its entry's value (so these few are shared)."""

    need: Need
    effect: Effect


_WRITES: Final = {
    "CreateClient": Access(Need.ABSENT, Effect.SET),
    "UpdateClient": Access(Need.PRESENT, Effect.SET),
    "DeleteClient": Access(Need.PRESENT, Effect.DELETE),
}
_REFUSALS: Final[dict[tuple[str, object], Need]] = {
    ("CreateClient", 409): Need.PRESENT,
    ("UpdateClient", 404): Need.ABSENT,
    ("DeleteClient", 404): Need.ABSENT,
    ("DeleteClient", 409): Need.PRESENT,
}
_REFUSED: Final = {need: Access(need, Effect.KEEP) for need in Need}
_FOUND: Final = Access(Need.EQUAL, Effect.KEEP)
_NOT_FOUND: Final = _REFUSED[Need.ABSENT]
OPS: Final = frozenset({*_WRITES, "RetrieveClient"})


def access(o: Operation) -> tuple[Access, Value] | None:
    """The register operation a client operation is, with its value; None when it
    constrains nothing."""
    if o.op == "RetrieveClient":
        if o.outcome != "ok":
            return None
        if not o.result.get("found"):
            return _NOT_FOUND, None
        return _FOUND, canonical(o.result.get("data"))
    if o.outcome == "fail":
        need = _REFUSALS.get((o.op, o.result.get("error")))
        return None if need is None else (_REFUSED[need], None)
    write = _WRITES[o.op]
    return write, canonical(o.args.get("data")) if write.effect is Effect.SET else None


class ClientRegister:
    """The `Model` of client records (see `loadtests.checkers.model`)."""

    name = "client"

    def partition(self, history: Sequence[Operation]) -> dict[str, list[Entry[Access]]]:
        by_key: dict[str, list[Entry[Access]]] = defaultdict(list)
        for i, o in enumerate(history):
            if o.op in OPS and (key := o.key) is not None and (found := access(o)) is not None:
                by_key[key].append(Entry(i, o.invoke, ends(o), *found))
        return by_key

    def init(self) -> Value:
        return None

    def step(self, state: Value, input: Access, value: Value) -> tuple[bool, Value]:
        need = input.need
        if need is Need.ABSENT:
            accepted = state is None
        elif need is Need.PRESENT:
            accepted = state is not None
        else:
            accepted = state == value
        effect = input.effect
        if not accepted or effect is Effect.KEEP:
            return accepted, state
        return True, value if effect is Effect.SET else None

    def changes(self, input: Access) -> bool:
        return input.effect is not Effect.KEEP

    def unexplained(self, entries: Sequence[Entry[Access]]) -> set[int]:
        """The entries that need a value (or a record) that no entry in `entries` writes."""
        setters = {e.position for e in entries if e.input.effect is Effect.SET}
        written = {e.value for e in entries if e.input.effect is Effect.SET}
        return {
            e.position
            for e in entries
            if (e.input.need is Need.EQUAL and e.value not in written)
            or (e.input.need is Need.PRESENT and not setters - {e.position})
        }
