"""The fast path: a command whose records all lie in one partition, as one entry there.

Two-phase commit would spend two entries of the partition's log (Prepare, Commit) and
two calls on it. A command that names only one partition's IDs is sent instead as
one Execute: the partition's state machine reads its records as stored, decides it
(`core.domain`) and stores its writes in the same entry, which is atomic there. It
takes no lock of its own: a record a prepared transaction holds makes it LOCKED
(nothing changed), so it never changes what a transaction has read; the coordinator
then retries it, after the usual pause, through two-phase commit, where it queues for
the locks like every transaction (retried lockless, it would starve under a stream of
transactions that keep one of its records locked). An UpdateOrder or DeleteOrder whose stored
lines name products of another partition is answered CROSS_PARTITION (nothing
changed) and goes through two-phase commit.

An Execute is not idempotent (a CreateClient applied twice would answer 409 the
second time), so one that may have taken effect is not sent again: the reply is
then 503 `unknown`.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass

from core.domain import Certainty, Code, Command, Reply
from core.domain import commands as c
from core.domain.partitions import Key, footprint, partition_of
from plugins.pysyncobj_raft_partitioned.portal.answers import RETRY, UNKNOWN, Status
from plugins.pysyncobj_raft_partitioned.portal.gate import Gate
from plugins.pysyncobj_raft_partitioned.portal.storage import Storage


@dataclass(frozen=True)
class Locked:
    """A record is held by a transaction: nothing changed; retry after a pause."""

    detail: str


@dataclass(frozen=True)
class Cross:
    """The command's records span partitions: nothing changed; use two-phase commit."""

    detail: str


def home(command: Command, partitions: int) -> int | None:
    """The one partition of every ID the command names, or None when they differ.

    An order's update or deletion also touches the products of its stored lines,
    which only the partition knows (it answers CROSS_PARTITION if they are elsewhere).
    """
    ids = {identifier for _, identifier in footprint(command)}
    if isinstance(command, c.UpdateOrder):
        ids |= {command.cid, *(pid for pid, _ in command.items)}
    homes = {partition_of(identifier, partitions) for identifier in ids}
    return homes.pop() if len(homes) == 1 else None


def execute(
    storage: Storage,
    gate: Gate,
    changed: Callable[[Collection[Key]], None],
    command: Command,
    partition: int,
    deadline: float,
) -> Reply | Locked | Cross:
    """One attempt at `command` as one entry of `partition`."""
    keys = footprint(command)
    # This portal's own transactions on these records finish first (gate.py).
    if not gate.enter(keys, deadline):
        return Locked("another transaction of this portal holds them")
    try:
        executed = storage.execute(partition, command, deadline)
    finally:
        gate.leave(keys)
    if executed.status is Status.OK and executed.reply is not None:
        # A refusal changed nothing, but its partition decided it on the records as
        # stored, which another portal may have changed since this one cached them.
        changed(executed.changed if executed.reply.ok else keys)
        return executed.reply
    if executed.status is Status.LOCKED:
        return Locked(f"partition {partition}: {executed.detail or 'locked'}")
    if executed.status is Status.CROSS_PARTITION:
        return Cross(executed.detail)
    if executed.doubtful:
        changed(keys)
        return Reply(
            Code.UNAVAILABLE,
            f"partition {partition} did not confirm the command ({executed.detail}); {UNKNOWN}",
            Certainty.UNKNOWN,
        )
    return Reply(
        Code.UNAVAILABLE,
        f"partition {partition} did not answer in time ({executed.detail}); {RETRY}",
        Certainty.NONE,
    )
