"""The portal's `Storage` over participants in this process: each partition's log in order.

Every partition is a real `Participant` over a `MemoryStore`, its calls applied one at
a time as a Raft log would; what cannot happen in one process (no leader, an entry
applied whose answer is lost) is switched on per partition and call by `fail`.
"""

import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from core.domain import Command
from core.domain.partitions import Key, Value, partition_of
from plugins.pysyncobj_raft_partitioned.operations import (
    Abort,
    Commit,
    Decide,
    Execute,
    Operation,
    Prepare,
)
from plugins.pysyncobj_raft_partitioned.participant import TABLES, Decision, Participant
from plugins.pysyncobj_raft_partitioned.participant import Answer as Entry
from plugins.pysyncobj_raft_partitioned.participant import Executed as Done
from plugins.pysyncobj_raft_partitioned.participant import Status as Participated
from plugins.pysyncobj_raft_partitioned.portal.answers import Answer, Decided, Executed, Status
from plugins.pysyncobj_raft_partitioned.store import MemoryStore

Out = TypeVar("Out", Entry, Decision, Done)
_STATUS = {
    Participated.OK: Status.OK,
    Participated.LOCKED: Status.LOCKED,
    Participated.UNKNOWN_TX: Status.UNKNOWN_TX,
    Participated.CROSS_PARTITION: Status.CROSS_PARTITION,
}


@dataclass
class Fault:
    applied: bool  # the entry is applied (its answer lost), or never enters the log


@dataclass
class Partition:
    participant: Participant = field(default_factory=lambda: Participant(MemoryStore(TABLES)))
    index: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_index(self) -> int:
        self.index += 1
        return self.index

    def run(self, operation: Operation, kind: type[Out], partition: int, partitions: int) -> Out:
        """`operation` alone in this partition's next entry: its outcome, of `kind`."""
        (outcome,) = self.participant.run(self.next_index(), [operation], partition, partitions)
        assert isinstance(outcome, kind), outcome
        return outcome


class LocalStorage:
    def __init__(self, partitions: int = 2) -> None:
        self.parts = [Partition() for _ in range(partitions)]
        self.faults: dict[tuple[int, str], Fault] = {}
        self.calls: list[tuple[int, str]] = []

    @property
    def partitions(self) -> int:
        return len(self.parts)

    def fail(self, partition: int, method: str, applied: bool) -> None:
        self.faults[(partition, method)] = Fault(applied)

    def record(self, key: Key) -> Value:
        part = self.parts[partition_of(key[1], self.partitions)]
        return part.participant.store.get(*key)

    def recover(self, partition: int, txid: str) -> Decision:
        """What recovery asks the decider: its decision, else an abort recorded now."""
        part = self.parts[partition]
        with part.lock:
            return part.run(Decide(txid, False, {}), Decision, partition, self.partitions)

    def locks(self) -> list[tuple[str, object]]:
        return [held for part in self.parts for held in part.participant.store.scan("locks")]

    def prepare(
        self, partition: int, txid: str, keys: Collection[Key], decider: int, deadline: float
    ) -> Answer:
        return self._call(partition, "prepare", deadline, Prepare(txid, list(keys), decider))

    def commit(
        self, partition: int, txid: str, writes: Mapping[Key, Value], deadline: float
    ) -> Answer:
        return self._call(partition, "commit", deadline, Commit(txid, writes))

    def abort(self, partition: int, txid: str, deadline: float) -> Answer:
        return self._call(partition, "abort", deadline, Abort(txid))

    def decide(
        self,
        partition: int,
        txid: str,
        commit: bool,
        writes: Mapping[int, Mapping[Key, Value]],
        deadline: float,
    ) -> Decided:
        self.calls.append((partition, "decide"))
        part, fault = self.parts[partition], self.faults.get((partition, "decide"))
        if fault is not None and not fault.applied:
            return Decided(Status.UNREACHED, detail="no leader")
        with part.lock:
            decided = Decide(txid, commit, writes)
            decision = part.run(decided, Decision, partition, self.partitions)
        if fault is not None:
            return Decided(Status.UNREACHED, doubtful=True, detail="in doubt")
        return Decided(Status.OK, commit=decision.commit)

    def execute(self, partition: int, command: Command, deadline: float) -> Executed:
        self.calls.append((partition, "execute"))
        part, fault = self.parts[partition], self.faults.get((partition, "execute"))
        if fault is not None and not fault.applied:
            return Executed(Status.UNREACHED, detail="no leader")
        with part.lock:
            done = part.run(Execute(command), Done, partition, self.partitions)
        if fault is not None:
            return Executed(Status.UNREACHED, doubtful=True, detail="in doubt")
        return Executed(_STATUS[done.status], done.reply, done.changed, detail=done.detail)

    def read(self, partition: int, keys: Collection[Key], deadline: float) -> Answer:
        part = self.parts[partition]
        self.calls.append((partition, "read"))
        with part.lock:
            answer = part.participant.read(keys)
            return Answer(_STATUS[answer.status], answer.records, part.index)

    def _call(
        self,
        partition: int,
        method: str,
        deadline: float,
        operation: Operation,
    ) -> Answer:
        self.calls.append((partition, method))
        part, fault = self.parts[partition], self.faults.get((partition, method))
        if fault is not None and not fault.applied:
            time.sleep(max(0.0, min(0.05, deadline - time.monotonic())))
            return Answer(Status.UNREACHED, detail="no leader")
        with part.lock:
            answer = part.run(operation, Entry, partition, self.partitions)
        if fault is not None:
            return Answer(Status.UNREACHED, doubtful=True, detail="in doubt")
        return Answer(_STATUS[answer.status], answer.records, part.index, detail=answer.detail)
