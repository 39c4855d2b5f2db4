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
    # Of `indices`, the operations in conflict (the rest is their context): what a
    # drawing of the example singles out. () when the checker singles none out.
    highlight: tuple[int, ...] = ()


def example(
    history: Sequence[Operation],
    key: str,
    what: str,
    indices: Sequence[int],
    highlight: Sequence[int] = (),
) -> Example:
    ordered = tuple(sorted(indices, key=lambda i: (history[i].invoke, i)))
    marked = set(highlight)
    conflicting = tuple(i for i in ordered if i in marked)
    return Example(key, what, ordered, tuple(history[i] for i in ordered), conflicting)
