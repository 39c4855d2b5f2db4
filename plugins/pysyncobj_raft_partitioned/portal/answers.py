"""What one call to a partition came to, as the coordinator and the reads see it.

The router retries a call until a replica gives a definite answer or the deadline
passes; `doubtful` says whether an attempt may have taken effect without its answer
reaching us (the replica said IN_DOUBT, the call timed out, the connection broke
after it was sent). For an idempotent call that does not matter; for a Commit it
decides whether the outcome is unknown.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from core.domain import Reply
from core.domain.partitions import Key, Value

# How a 503's description ends, by what it proves (core.domain.Certainty).
RETRY: Final = "nothing was committed; retry"
UNKNOWN: Final = "the outcome is unknown: it may still commit, so read the record before retrying"


class Status(Enum):
    OK = "ok"
    LOCKED = "locked"  # another transaction holds a key: nothing changed
    UNKNOWN_TX = "unknown-tx"  # the transaction is not prepared there (aborted, or done)
    CROSS_PARTITION = "cross-partition"  # Execute: records in other partitions: nothing changed
    UNREACHED = "unreached"  # no replica gave a definite answer before the deadline


@dataclass(frozen=True)
class Answer:
    status: Status
    records: Mapping[Key, Value] = field(default_factory=dict)  # Prepare, Read
    applied_index: int = 0  # Read: the partition's log index the records reflect
    doubtful: bool = False
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


@dataclass(frozen=True)
class Decided:
    """The decider's answer: the decision recorded for the transaction, if one was reached."""

    status: Status  # OK, or UNREACHED
    commit: bool = False
    doubtful: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Executed:
    """A partition's answer to a one-entry command (Execute)."""

    status: Status  # OK (`reply` is the command's), LOCKED, CROSS_PARTITION, UNREACHED
    reply: Reply | None = None
    changed: tuple[Key, ...] = ()
    doubtful: bool = False
    detail: str = ""
