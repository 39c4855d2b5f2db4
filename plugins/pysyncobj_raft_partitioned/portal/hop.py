"""The hop to a partition's leader for Execute, batched: many commands, one ExecuteMany.

Each internal call costs Python gRPC about a millisecond of CPU on each end, whatever
it carries; batching the hop is to the portal and the leader what group commit
(`replica/batcher.py`) is to the log. A command bound for the partition goes at once
while fewer than `in_flight` calls (IN_FLIGHT) are out; otherwise it queues, and the
next call to end takes what queued (at most `limit`, the replica's entry size) as one
ExecuteMany, sent by the first queued command's own thread. A lone command so waits
for nothing.

Outcomes stay each command's own, as with one Execute each: its reply if definite (a
refusal beside a success is still each one's). A command the replica answered
NO_LEADER is tried on the next replica with the others of its call that need it,
through the router's failover. The call's deadline is the earliest of its commands'
(queued commands arrived within one call's time of each other, so they differ little;
a later one's spare time is not used). A call that may have taken effect (IN_DOUBT, a
timeout, a connection broken after sending) ends doubtful for every command it
carried, and is never resent: an Execute is not idempotent.
"""

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import grpc

from plugins.pysyncobj_raft_partitioned.portal.router import (
    DEFINITE,
    Attempts,
    Router,
    failure,
    maybe_sent,
    remaining,
)
from plugins.pysyncobj_raft_partitioned.replica.batcher import LIMIT
from proto import storage_pb2 as pb

QUEUED: Final = "its deadline passed while it queued for the partition's leader"
# ExecuteMany calls out at once per partition, as the replica's pipeline: one whose
# entry is in flight, one gathering the next at the replica. At 64 client threads one
# call carried about 2 commands with 4 in flight, 3 with 2, 4 with 1 (the leaders' CPU
# per write fell with it); 1 would leave the log idle for a hop between entries.
IN_FLIGHT: Final = 2


@dataclass
class _Slot:
    request: pb.ExecuteRequest
    deadline: float
    wake: threading.Event = field(default_factory=threading.Event)  # its result, or its turn
    batch: list["_Slot"] | None = None  # its turn: the call to send, itself first
    result: Attempts | BaseException | None = None


class Hop:
    """One partition's Execute calls, as ExecuteMany calls to its leader."""

    def __init__(
        self, router: Router, partition: int, in_flight: int = IN_FLIGHT, limit: int = LIMIT
    ) -> None:
        self._router = router
        self._partition = partition
        self._in_flight = in_flight
        self._limit = limit
        self._queue: list[_Slot] = []
        self._sending = 0  # calls out, each with its sender; while fewer than allowed, no queue
        self._lock = threading.Lock()
        self.calls = 0  # ExecuteMany calls made: with `commands`, how well the hop batches
        self.commands = 0  # commands those calls carried

    def execute(self, request: pb.ExecuteRequest, deadline: float) -> Attempts:
        """The command's definite reply, or None with whether it may have taken effect."""
        slot = _Slot(request, deadline)
        with self._lock:
            if self._sending < self._in_flight:
                self._sending += 1
                slot.batch = [slot]
            else:
                self._queue.append(slot)
        if slot.batch is None:
            slot.wake.wait()
        if slot.batch is not None:
            self._turn(slot.batch)
        if isinstance(slot.result, BaseException):
            raise slot.result
        assert slot.result is not None, "a slot is woken with its result or its turn"
        return slot.result

    def _turn(self, batch: list[_Slot]) -> None:
        try:
            self._send(batch)
        except BaseException as error:  # a bug: its waiters must not wait forever
            for slot in batch:
                slot.result = slot.result or error
        with self._lock:
            following, self._queue = self._queue[: self._limit], self._queue[self._limit :]
            if not following:
                self._sending -= 1
        # The next call goes before this one's callers wake: the leader's log stays fed.
        if following:
            following[0].batch = following
            following[0].wake.set()
        for slot in batch:
            slot.wake.set()

    def _send(self, batch: list[_Slot]) -> None:
        """Give every slot of `batch` its result (the router's failover, per command)."""
        now = time.monotonic()
        _finish([s for s in batch if s.deadline <= now], Attempts(None, False, QUEUED))
        pending, detail = [s for s in batch if s.deadline > now], "no replica was tried"
        if not pending:
            return
        deadline = min(slot.deadline for slot in pending)
        for address in self._router.tries(self._partition, deadline):
            request = pb.ExecuteManyRequest(commands=[slot.request for slot in pending])
            with self._lock:
                self.calls, self.commands = self.calls + 1, self.commands + len(pending)
            try:
                stub = self._router.stub(address)
                replies = stub.ExecuteMany(request, timeout=remaining(deadline)).replies
            except grpc.RpcError as error:
                detail = failure(address, error)
                self._router.forget(self._partition, address)
                if maybe_sent(error):
                    _finish(pending, Attempts(None, True, detail))
                    return
                continue
            pending = _settle(pending, replies, address)
            if not pending:
                return
            detail = f"replica {address}: {pb.Status.Name(pb.NO_LEADER)}"
            self._router.forget(self._partition, address)
        _finish(pending, Attempts(None, False, detail))


def _settle(pending: list[_Slot], replies: Sequence[pb.ExecuteReply], address: str) -> list[_Slot]:
    """Finish the slots with a definite or doubtful reply; the rest are to retry."""
    retry = []
    for slot, reply in zip(pending, replies, strict=True):
        if reply.status in DEFINITE:
            slot.result = Attempts(reply, False, "")
        elif reply.status == pb.IN_DOUBT:
            slot.result = Attempts(None, True, f"replica {address}: IN_DOUBT {reply.detail}")
        else:
            retry.append(slot)
    return retry


def _finish(slots: list[_Slot], attempts: Attempts) -> None:
    for slot in slots:
        slot.result = attempts
