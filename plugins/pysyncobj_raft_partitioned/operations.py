"""The operations a partition's log applies: two-phase commit's steps and the fast path's commands.

One log entry holds any number of them, of any kinds (`Participant.run`), applied in
their order of arrival at the leader; each gets its own answer, the one it would get
alone in an entry of its own after the ones before it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from core.domain import Command
from core.domain.partitions import Key, Value


@dataclass(frozen=True)
class Prepare:
    """Lock `keys` for `txid` and read them; `decider` is the partition of its decision."""

    txid: str
    keys: Sequence[Key]
    decider: int


@dataclass(frozen=True)
class Commit:
    """Store this partition's `writes` of `txid` and release its locks."""

    txid: str
    writes: Mapping[Key, Value]


@dataclass(frozen=True)
class Abort:
    """Release the locks of `txid`."""

    txid: str


@dataclass(frozen=True)
class Decide:
    """Record the decision for `txid` unless one is recorded (in the decider partition),
    and, if `carry_out`, carry out the decision kept if `txid` is prepared there."""

    txid: str
    commit: bool
    writes: Mapping[int, Mapping[Key, Value]]
    # False only in entries of journals written before the decider carried out its
    # decisions: those Decides only recorded (a Commit of their own followed), and
    # replay applies them as they were applied then.
    carry_out: bool = True

    def __setstate__(self, state: dict[str, Any]) -> None:
        # An entry is pickled by the log; an old entry's state has no `carry_out`.
        self.__dict__.update({"carry_out": False, **state})


@dataclass(frozen=True)
class Execute:
    """A command whose records all lie in this partition: the fast path."""

    command: Command


Operation: TypeAlias = Prepare | Commit | Abort | Decide | Execute
