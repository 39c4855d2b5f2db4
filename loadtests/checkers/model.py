"""What a checker needs to know of a kind of record: a model, as Porcupine's `Model` is.

A model partitions a history into independent keys (linearizability is
compositional, so each key is checked alone), gives each key's initial state, and
steps a state by one operation: whether the operation, with the result it got,
could have happened in that state, and the state after it. States are hashable
values whose `==` is the model's equality (Porcupine's `Equal`): the search keeps
the states it has seen in a set.

A check says one of three things, as Porcupine's `CheckResult` does: the key's
history is linearizable (OK), it is not (ILLEGAL), or the search ran out of
budget before it could tell (UNKNOWN).

Two more questions let a failing history be shrunk to the operations at fault:
which inputs may change a state, and which entries need a value that no other
entry of a sub-history gives (dropping its writers would fail for a reason of the
shrinking's own making).
"""

import enum
import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from loadtests.history import Operation

State = TypeVar("State", bound=Hashable)
Input = TypeVar("Input")
InputT_co = TypeVar("InputT_co", covariant=True)


class Verdict(enum.Enum):
    OK = "ok"
    ILLEGAL = "illegal"
    UNKNOWN = "unknown"


class Entry(NamedTuple, Generic[InputT_co]):
    """One operation of a key's history, as its model reads it (a tuple: made by the
    hundred thousand, and a tuple is the cheapest immutable record Python builds)."""

    position: int  # in the history
    invoke: float
    complete: float  # math.inf when the outcome is unknown: it may land any time after
    input: InputT_co  # what kind of call it was and what came back, for the model's `step`
    value: Hashable  # the datum it carries (a register's: the data written, or read)

    @property
    def acknowledged(self) -> bool:
        return self.complete != math.inf


class Model(Protocol[State, Input]):
    name: str  # what a key is, for a report: "client"

    def partition(self, history: Sequence[Operation]) -> Mapping[str, Sequence[Entry[Input]]]:
        """Each key's entries: the operations that constrain it, in any order."""
        ...

    def init(self) -> State:
        """The state of a key before the history began."""
        ...

    def step(self, state: State, input: Input, value: Any) -> tuple[bool, State]:
        """Whether `input` carrying `value` could happen in `state`, and the state after it."""
        ...

    def changes(self, input: Input) -> bool:
        """Whether `input` may change a state (a write), or never does (a read, a refusal)."""
        ...

    def unexplained(self, entries: Sequence[Entry[Input]]) -> set[int]:
        """The indices of the entries that need what no entry of `entries` writes."""
        ...
