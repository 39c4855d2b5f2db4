"""The hop to a partition's leader, batched: the steps bound for it, one Steps call.

Each internal call costs Python gRPC some 0.4 ms of CPU on each end (measured here
with a bare echo service; more under load), whatever it carries; batching the hop is
to the portal and the leader what group commit (`replica/batcher.py`) is to the log.
Every step of every kind goes this way: the fast path's Execute and two-phase
commit's Prepare, Commit, Abort and Decide, so the steps of concurrent transactions
share calls as they share entries. A step goes at once while fewer than `in_flight`
calls (IN_FLIGHT) are out; otherwise it queues, and the next call to end takes what
queued (at most `limit`, the replica's entry size) as one Steps call, sent by the
first queued step's own thread. A step that finds no call
out so waits for nothing.

Outcomes stay each step's own, as with one call each: its reply if definite (a
refusal beside a success is still each one's). A step the replica answered NO_LEADER
is tried on the next replica with the others of its call that need it, through the
router's failover. The call's deadline is the earliest of its steps' (queued steps
arrived within one call's time of each other, so they differ little; a later one's
spare time is not used).

A call the replica refused whole (INVALID_ARGUMENT: a step broke a rule of the wire,
which only a portal's bug can send) changed nothing and is not sent again: each of its
steps fails as unreached, its batch-mates with it. A call that may have taken effect
(IN_DOUBT, a timeout, a connection broken after sending) is doubtful for every step
it carried. An Execute is then finished, doubtful,
and never resent: it is not idempotent. The two-phase commit steps name their txid,
so a second copy changes nothing the first did not (a Commit's finds no transaction,
UNKNOWN_TX): they are tried again, the doubt kept in their answer, as `Router.call`
does for a unary call.
"""

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

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
# Steps calls out at once per partition from one portal. One: each call carries
# what queued while the last was out, and the leader's batcher still has the next
# entry gathering, from the other portals' calls (with one portal alone, the log
# idles for a hop between entries). Against 2, on two clusters measured in turns
# (17:10 UTC, 3 rounds of 3 s each), CPU ms per operation summed over the layout
# and p50: cross-partition orders 12.98 -> 11.07 ms and 111 -> 94 ms at 16 threads,
# 9.61 -> 8.92 and 328 -> 297 at 64; writes 3.96 -> 3.88 (p50 36 both) at 16,
# 2.28 -> 1.98 and 87 -> 75 ms at 64. (Earlier, at 64 threads, one call carried
# about 2 commands with 4 in flight, 3 with 2, 4 with 1.)
IN_FLIGHT: Final = 1


@dataclass
class _Slot:
    step: pb.Step
    deadline: float
    resend: bool  # may go again after a call that may have taken effect
    doubtful: bool = False  # a call that carried it may have taken effect
    detail: str = "no replica was tried"  # why its last try failed
    wake: threading.Event = field(default_factory=threading.Event)  # its result, or its turn
    batch: list["_Slot"] | None = None  # its turn: the call to send, itself first
    result: Attempts | BaseException | None = None


class Hop:
    """One partition's steps, as Steps calls to its leader."""

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
        self.calls = 0  # Steps calls made: with `steps`, how well the hop batches
        self.steps = 0  # steps those calls carried

    @property
    def queued(self) -> int:
        """Steps waiting for a call now."""
        with self._lock:
            return len(self._queue)

    def send(self, step: pb.Step, deadline: float) -> Attempts:
        """The step's definite reply (the StepReply's one field), or None and the doubt."""
        slot = _Slot(step, deadline, resend=step.WhichOneof("step") != "execute")
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
        """Give every slot of `batch` its result (the router's failover, per step)."""
        now = time.monotonic()
        for slot in batch:
            if slot.deadline <= now:
                slot.result = Attempts(None, False, QUEUED)
        pending = [slot for slot in batch if slot.result is None]
        if not pending:
            return
        deadline = min(slot.deadline for slot in pending)
        for address in self._router.tries(self._partition, deadline):
            sent, request = pending, pb.StepsRequest(steps=[slot.step for slot in pending])
            with self._lock:
                self.calls, self.steps = self.calls + 1, self.steps + len(pending)
            try:
                stub = self._router.stub(address)
                replies = stub.Steps(request, timeout=remaining(deadline)).replies
            except grpc.RpcError as error:
                if error.code() is grpc.StatusCode.INVALID_ARGUMENT:
                    # The replica refused the call whole, before any step reached its
                    # log; every replica would (a portal's bug): not sent again.
                    _refused(pending, failure(address, error))
                    return
                pending = _unanswered(pending, maybe_sent(error), failure(address, error))
            else:
                pending = _settle(pending, replies, address)
            if not all(_definite(slot) for slot in sent):
                # Not every step had a definite answer there, even those not to be
                # resent: the next call, this one's retry or the next batch, asks
                # another replica, not a stalled or deposed leader again.
                self._router.forget(self._partition, address)
            if not pending:
                return
        for slot in pending:
            slot.result = Attempts(None, slot.doubtful, slot.detail)


def _definite(slot: _Slot) -> bool:
    return isinstance(slot.result, Attempts) and slot.result.reply is not None


def _refused(pending: list[_Slot], detail: str) -> None:
    for slot in pending:
        slot.result = Attempts(None, slot.doubtful, detail)


def _unanswered(pending: list[_Slot], sent: bool, detail: str) -> list[_Slot]:
    """After a call with no reply: the slots to try again (all, unless it may have gone)."""
    for slot in pending:
        slot.detail = detail
        slot.doubtful |= sent
        if sent and not slot.resend:
            slot.result = Attempts(None, True, detail)
    return [slot for slot in pending if slot.result is None]


def _settle(pending: list[_Slot], replies: Sequence[pb.StepReply], address: str) -> list[_Slot]:
    """Finish the slots answered for good (or in doubt, not to resend); the rest retry."""
    retry = []
    for slot, reply in zip(pending, replies, strict=True):
        kind = reply.WhichOneof("reply")
        if kind is None:  # a replica's bug; its default status would read as OK
            raise RuntimeError(f"replica {address} answered a step with an empty reply")
        answer: Any = getattr(reply, kind)
        if answer.status in DEFINITE:
            slot.result = Attempts(answer, slot.doubtful, "")
            continue
        slot.detail = f"replica {address}: {pb.Status.Name(answer.status)}"
        if getattr(answer, "detail", ""):
            slot.detail += f" {answer.detail}"
        if answer.status == pb.IN_DOUBT:
            slot.doubtful = True
            if not slot.resend:
                slot.result = Attempts(None, True, slot.detail)
                continue
        retry.append(slot)
    return retry
