"""Asking a partition for a transaction's decision, over its replicas' Partition service.

Recovery's question (Decide with commit = false): any replica of the decider partition
will do, since a follower forwards the entry to its leader; one that cannot answer
(down, no leader, in doubt) is passed for the next. Decide is idempotent, the first
decision recorded wins, so asking again after an IN_DOUBT is safe.

The replica that answered last is asked first next time. A stalled replica (stopped,
or cut off without a reset) holds each question for the whole timeout before the next
replica is tried; asked in a fixed order, it would cost that for every transaction
recovery resolves, one after another, and hold their locks so much longer.
"""

from collections.abc import Mapping

import grpc

from plugins.pysyncobj_raft_partitioned.replica.settings import Member
from proto import storage_pb2 as pb
from proto import storage_pb2_grpc


class Deciders:
    def __init__(self, groups: Mapping[int, tuple[Member, ...]], timeout: float) -> None:
        self._groups = groups
        self._timeout = timeout
        self._channels: dict[str, grpc.Channel] = {}
        self._answered: dict[int, Member] = {}  # per partition, the replica that answered last

    def presumed_abort(self, partition: int, txid: str) -> pb.DecideReply | None:
        """The decision the partition keeps for `txid` (abort unless one was recorded):
        its DecideReply, or None when no replica of it answered."""
        request = pb.DecideRequest(txid=txid, commit=False)
        for member in self._in_turn(partition):
            stub = storage_pb2_grpc.PartitionStub(self._channel(member.grpc))
            try:
                # The replica waits `timeout` for the log; give it that and a margin.
                reply: pb.DecideReply = stub.Decide(request, timeout=self._timeout + 1.0)
            except grpc.RpcError:
                continue
            if reply.status == pb.OK:
                self._answered[partition] = member
                return reply
        return None

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()

    def _in_turn(self, partition: int) -> list[Member]:
        """The partition's replicas, the one that answered last first."""
        members = list(self._groups.get(partition, ()))
        last = self._answered.get(partition)
        if last in members:
            members.remove(last)
            members.insert(0, last)
        return members

    def _channel(self, address: str) -> grpc.Channel:
        if address not in self._channels:
            self._channels[address] = grpc.insecure_channel(address)
        return self._channels[address]
