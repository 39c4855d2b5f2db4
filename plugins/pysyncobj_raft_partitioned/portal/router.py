"""Reaching a partition: its leading replica, and another one when that one fails.

Each partition's replicas are known from the cluster file (nodes of kind "replica"
with their `partition`). A call goes to the partition's leader as last learned (a
replica's Leader rpc names it; a replica that does not lead forwards writes, so any
replica would do, one hop slower). When the replica says NO_LEADER or IN_DOUBT, or
cannot be reached, the router forgets the leader, asks again and tries the next
replica, until a replica gives a definite answer (OK, LOCKED, UNKNOWN_TX) or the
call's deadline passes. The batched steps (hop.py) fail over the same way, through
`tries` and `forget`, deciding per step what an answer proves; `call` serves reads.

Whether a failed attempt may still have taken effect is tracked per call
(`Attempts.doubtful`): IN_DOUBT, a timeout, or a connection that broke after the
request went out may each have left the entry in the leader's log.
"""

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import grpc

from proto import storage_pb2 as pb
from proto import storage_pb2_grpc

DEFINITE: Final = frozenset({pb.OK, pb.LOCKED, pb.UNKNOWN_TX, pb.CROSS_PARTITION})
LEADER_ASK_S: Final = 0.5  # a replica that does not answer Leader() this fast is skipped
ROUND_PAUSE_S: Final = 0.05  # after every replica of a partition failed once: an election
NOT_SENT: Final = "failed to connect"  # gRPC's words when the request never left


@dataclass
class Attempts:
    """A call's result: the definite reply, or None when none came before the deadline."""

    reply: Any  # the rpc's reply message
    doubtful: bool  # an attempt may have taken effect without an answer
    detail: str  # the last failure, for a 503's description


class Router:
    def __init__(self, replicas: Mapping[int, Sequence[str]]) -> None:
        self._replicas = {partition: list(addresses) for partition, addresses in replicas.items()}
        self._leaders: dict[int, str | None] = dict.fromkeys(self._replicas)
        self._rotation = {p: itertools.cycle(a) for p, a in self._replicas.items()}
        self._channels: dict[str, grpc.Channel] = {}
        self._stubs: dict[str, storage_pb2_grpc.PartitionStub] = {}
        self._lock = threading.Lock()

    @property
    def partitions(self) -> list[int]:
        return sorted(self._replicas)

    def leaders(self) -> dict[int, str | None]:
        """The leader of each partition as last learned (None: not known now)."""
        with self._lock:
            return dict(self._leaders)

    def find_leader(self, partition: int, deadline: float) -> str | None:
        """Ask the partition's replicas who leads it; None if none knows before `deadline`."""
        for address in self._replicas[partition]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            with contextlib.suppress(grpc.RpcError):
                reply = self.stub(address).Leader(
                    pb.LeaderRequest(), timeout=min(LEADER_ASK_S, remaining)
                )
                if reply.leader in self._replicas[partition]:
                    with self._lock:
                        self._leaders[partition] = reply.leader
                    return str(reply.leader)
        return None

    def call(self, partition: int, method: str, request: Any, deadline: float) -> Attempts:
        """Send `request` to `method` of the partition, failing over until `deadline`."""
        doubtful, detail = False, "no replica was tried"
        for address in self.tries(partition, deadline):
            rpc: Callable[..., Any] = getattr(self.stub(address), method)
            try:
                reply = rpc(request, timeout=remaining(deadline))
            except grpc.RpcError as error:
                doubtful |= maybe_sent(error)
                detail = failure(address, error)
                self.forget(partition, address)
                continue
            if reply.status in DEFINITE:
                return Attempts(reply, doubtful, "")
            doubtful |= reply.status == pb.IN_DOUBT
            detail = f"replica {address}: {pb.Status.Name(reply.status)}"
            self.forget(partition, address)
        return Attempts(None, doubtful, detail)

    def tries(self, partition: int, deadline: float) -> Iterator[str]:
        """The replica to try next, each time one is asked for, until `deadline`.

        The partition's leader if known or found, else the next replica in turn; after
        every replica failed once, a pause (an election may be under way).
        """
        replicas = len(self._replicas[partition])
        for tried in itertools.count():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if tried and tried % replicas == 0:
                time.sleep(min(ROUND_PAUSE_S, left))
            yield self._target(partition, deadline)

    def close(self) -> None:
        with self._lock:
            channels, self._channels, self._stubs = list(self._channels.values()), {}, {}
        for channel in channels:
            channel.close()

    def _target(self, partition: int, deadline: float) -> str:
        with self._lock:
            known = self._leaders[partition]
        if known is not None:
            return known
        found = self.find_leader(partition, deadline)
        if found is not None:
            return found
        with self._lock:
            return next(self._rotation[partition])  # nobody knows: it answers NO_LEADER

    def forget(self, partition: int, address: str) -> None:
        """`address` failed: not the leader any more, and not the next choice either."""
        with self._lock:
            if self._leaders[partition] == address:
                self._leaders[partition] = None
            # The next choice without a leader is another replica than this one.
            if len(self._replicas[partition]) > 1:
                while next(self._rotation[partition]) != address:
                    pass

    def channel(self, address: str) -> grpc.Channel:
        """The channel to a replica (its Partition service, its control service too)."""
        with self._lock:
            channel = self._channels.get(address)
            if channel is None:
                channel = self._channels[address] = grpc.insecure_channel(address)
            return channel

    def stub(self, address: str) -> storage_pb2_grpc.PartitionStub:
        channel = self.channel(address)
        with self._lock:
            stub = self._stubs.get(address)
            if stub is None:
                stub = self._stubs[address] = storage_pb2_grpc.PartitionStub(channel)
        return stub


def remaining(deadline: float) -> float:
    """A call's gRPC timeout for `deadline`: never zero, which gRPC would take as none."""
    return max(0.001, deadline - time.monotonic())


def failure(address: str, error: grpc.RpcError) -> str:
    return f"replica {address}: {error.code().name} {error.details() or ''}".strip()


def maybe_sent(error: grpc.RpcError) -> bool:
    """Whether the request may have reached the replica (and its entry the log)."""
    code = error.code()
    if code is grpc.StatusCode.RESOURCE_EXHAUSTED:
        return False  # refused before it was handled
    if code is grpc.StatusCode.UNAVAILABLE:
        return NOT_SENT not in (error.details() or "")
    return True
