"""Examples: the few concrete operations a report shows for each kind of anomaly."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from loadtests.history import Operation

MAX_EXAMPLES: Final = 5


@dataclass(frozen=True, slots=True)
class Example:
    key: str  # the record (CID, PID, OID) or the server concerned
    what: str  # one sentence a person can read
    indices: tuple[int, ...]  # positions in the history the checker was given
    operations: tuple[Operation, ...]


def example(history: Sequence[Operation], key: str, what: str, indices: Sequence[int]) -> Example:
    ordered = tuple(sorted(indices, key=lambda i: (history[i].invoke, i)))
    return Example(key, what, ordered, tuple(history[i] for i in ordered))
