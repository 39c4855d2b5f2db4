"""One partition's Raft member: a SyncObj whose replicated methods run the participant.

A `@replicated` call appends the call to the partition's log (forwarded to the leader
from a follower); once the entry commits PySyncObj applies it on every replica of the
partition, in log order, on its own thread, and hands the caller the value computed on
the caller's replica. Inside the method the entry's log index is `raftLastApplied + 1`
(PySyncObj counts the entry applied once the method returns), which the participant
stores with the entry's writes.

After a restart PySyncObj replays its journal from its last snapshot; the entries the
store already holds (`Participant.applied`) are skipped, so an LMDB store that is
newer than the journal's snapshot is not written twice.

No exception may escape a replicated method: PySyncObj would stop applying on that
entry for good. A failure that every replica meets alike (the participant's own bug)
becomes a `Failed` reply and the log goes on. A failing store medium is particular to
this replica: it stops applying (its store stays at the entry before) and asks the
process to stop, so a restart replays the entry rather than skip it (the store's
contract).
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from pysyncobj import SyncObj, replicated  # type: ignore[import-untyped]

from core.domain import Command
from core.domain.partitions import Key, Value
from plugins.pysyncobj_raft_partitioned.operations import (
    Abort,
    Commit,
    Decide,
    Execute,
    Operation,
    Prepare,
)
from plugins.pysyncobj_raft_partitioned.participant import Answer, Outcome, Participant
from plugins.pysyncobj_raft_partitioned.replica.settings import ReplicaSettings
from plugins.pysyncobj_raft_partitioned.replica.tuning import sync_obj_conf
from plugins.pysyncobj_raft_partitioned.store import (
    InvalidKey,
    InvalidValue,
    StoreError,
    UnknownTable,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
# What a store raises for an entry itself, the same on every replica: not the medium.
DETERMINISTIC = (InvalidKey, InvalidValue, UnknownTable)


@dataclass(frozen=True)
class Failed:
    """Applying the entry failed on this replica; nothing of it was stored."""

    detail: str


@dataclass(frozen=True)
class Reading:
    answer: Answer
    index: int  # the log index the answer reflects


class PartitionNode(SyncObj):  # type: ignore[misc]
    def __init__(
        self, settings: ReplicaSettings, participant: Participant, on_fatal: Callable[[], None]
    ) -> None:
        self.participant = participant
        self._partition, self._partitions = settings.partition, settings.partitions
        # Held while an entry changes the store, so a local read sees no half of one.
        self.applying = threading.Lock()
        self._on_fatal = on_fatal
        self._broken: str | None = None
        peers = sorted(member.raft for member in settings.peers)
        super().__init__(settings.member.raft, peers, sync_obj_conf(settings, participant.store))

    # PySyncObj numbers replicated methods in the order of their names and its journal
    # keeps the numbers: each new one's name sorts after the others' (run_commands, then
    # run_operations), so a journal written before it existed replays as it was
    # written. The service sends its calls' operations through `run_operations` (group
    # commit: batcher.py); recovery's rare commits and aborts are entries of their own.
    @replicated  # type: ignore[untyped-decorator]
    def prepare(self, txid: str, keys: list[Key], decider: int) -> Outcome | Failed | None:
        return self._one(Prepare(txid, keys, decider))

    @replicated  # type: ignore[untyped-decorator]
    def commit(self, txid: str, writes: dict[Key, Value]) -> Outcome | Failed | None:
        return self._one(Commit(txid, writes))

    @replicated  # type: ignore[untyped-decorator]
    def abort(self, txid: str) -> Outcome | Failed | None:
        return self._one(Abort(txid))

    @replicated  # type: ignore[untyped-decorator]
    def decide(
        self, txid: str, commit: bool, writes: dict[int, dict[Key, Value]]
    ) -> Outcome | Failed | None:
        return self._one(Decide(txid, commit, writes, carry_out=False))  # as it was applied

    @replicated  # type: ignore[untyped-decorator]
    def run_commands(self, commands: list[Command]) -> list[Outcome] | Failed | None:
        return self._run([Execute(command) for command in commands])

    @replicated  # type: ignore[untyped-decorator]
    def run_operations(self, operations: list[Operation]) -> list[Outcome] | Failed | None:
        return self._run(operations)

    @replicated  # type: ignore[untyped-decorator]
    def read(self, keys: list[Key]) -> Reading | Failed | None:
        return self._entry(lambda index: Reading(self.participant.read(keys), index))

    def _run(self, operations: list[Operation]) -> list[Outcome] | Failed | None:
        return self._entry(
            lambda index: self.participant.run(index, operations, self._partition, self._partitions)
        )

    def _one(self, operation: Operation) -> Outcome | Failed | None:
        outcomes = self._run([operation])
        return outcomes[0] if isinstance(outcomes, list) else outcomes

    def read_here(self, keys: list[Key]) -> Reading:
        """This replica's own state, between two entries: possibly behind the leader."""
        with self.applying:
            index = self.participant.store.applied_index()
            return Reading(self.participant.read(keys), index)

    def leader_raft_address(self) -> str | None:
        leader = self._getLeader()
        return None if leader is None else str(leader.address)

    def is_leader(self) -> bool:
        return bool(self._isLeader())

    def _entry(self, apply: Callable[[int], T]) -> T | Failed | None:
        """Apply the entry being applied now, once; None for one the store already holds."""
        index = self.raftLastApplied + 1
        if self._broken is not None:
            return Failed(self._broken)
        try:
            if self.participant.applied(index):
                return None  # replayed after a restart: nobody waits for it
            with self.applying:
                return apply(index)
        except DETERMINISTIC as error:
            log.exception("entry %d refused by the store", index)
            return Failed(f"the store refused log entry {index}: {error}")
        except StoreError as error:
            self._broken = f"this replica's store failed at log entry {index}: {error}"
            log.critical("%s; stopping so that a restart replays it", self._broken)
            self._on_fatal()
            return Failed(self._broken)
        except Exception as error:
            log.exception("applying log entry %d failed", index)
            return Failed(f"applying log entry {index} failed: {error!r}")
