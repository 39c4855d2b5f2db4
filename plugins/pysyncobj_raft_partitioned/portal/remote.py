"""`Storage` over gRPC: proto/storage.proto's Partition service, through the router.

Every step (Prepare, Commit, Abort, Decide, Execute) goes through its partition's hop
(hop.py), which batches the steps that meet on their way to the partition into Steps
calls; Read is a unary call of its own.
"""

from collections.abc import Collection, Mapping
from typing import Any, Final, cast

from core.domain import Code, Command, Reply
from core.domain.partitions import Key, RecordTable, Value
from plugins.pysyncobj_raft_partitioned import commands
from plugins.pysyncobj_raft_partitioned.portal import wire
from plugins.pysyncobj_raft_partitioned.portal.answers import Answer, Decided, Executed, Status
from plugins.pysyncobj_raft_partitioned.portal.hop import Hop
from plugins.pysyncobj_raft_partitioned.portal.router import Attempts, Router
from proto import storage_pb2 as pb

_STATUS: Final = {
    pb.OK: Status.OK,
    pb.LOCKED: Status.LOCKED,
    pb.UNKNOWN_TX: Status.UNKNOWN_TX,
    pb.CROSS_PARTITION: Status.CROSS_PARTITION,
}


class RemoteStorage:
    def __init__(self, router: Router, linearizable: bool) -> None:
        self._router = router
        self._linearizable = linearizable
        # Steps go batched (hop.py); reads are one rpc each.
        self.hops = {partition: Hop(router, partition) for partition in router.partitions}

    @property
    def partitions(self) -> int:
        return len(self._router.partitions)

    def prepare(
        self, partition: int, txid: str, keys: Collection[Key], decider: int, deadline: float
    ) -> Answer:
        request = pb.PrepareRequest(
            txid=txid, keys=[wire.key_message(key) for key in sorted(keys)], decider=decider
        )
        return _answer(self.hops[partition].send(pb.Step(prepare=request), deadline))

    def commit(
        self, partition: int, txid: str, writes: Mapping[Key, Value], deadline: float
    ) -> Answer:
        request = pb.CommitRequest(txid=txid, writes=wire.record_messages(writes))
        return _answer(self.hops[partition].send(pb.Step(commit=request), deadline))

    def abort(self, partition: int, txid: str, deadline: float) -> Answer:
        step = pb.Step(abort=pb.AbortRequest(txid=txid))
        return _answer(self.hops[partition].send(step, deadline))

    def decide(
        self,
        partition: int,
        txid: str,
        commit: bool,
        writes: Mapping[int, Mapping[Key, Value]],
        deadline: float,
    ) -> Decided:
        request = pb.DecideRequest(
            txid=txid,
            commit=commit,
            writes=[
                pb.PartitionWrites(partition=part, writes=wire.record_messages(changes))
                for part, changes in sorted(writes.items())
            ],
        )
        attempts = self.hops[partition].send(pb.Step(decide=request), deadline)
        if attempts.reply is None or attempts.reply.status != pb.OK:
            return Decided(Status.UNREACHED, doubtful=attempts.doubtful, detail=attempts.detail)
        return Decided(Status.OK, commit=bool(attempts.reply.commit))

    def execute(self, partition: int, command: Command, deadline: float) -> Executed:
        step = pb.Step(execute=commands.request(command))
        attempts = self.hops[partition].send(step, deadline)
        reply: pb.ExecuteReply | None = attempts.reply
        if reply is None:
            return Executed(Status.UNREACHED, doubtful=attempts.doubtful, detail=attempts.detail)
        if reply.status != pb.OK:
            return Executed(_STATUS[reply.status], detail=reply.detail)
        changed = tuple((cast(RecordTable, key.table), key.id) for key in reply.changed)
        return Executed(Status.OK, Reply(Code(reply.error), reply.description), changed)

    def read(self, partition: int, keys: Collection[Key], deadline: float) -> Answer:
        request = pb.ReadRequest(
            keys=[wire.key_message(key) for key in sorted(keys)], linearizable=self._linearizable
        )
        return _answer(self._router.call(partition, "Read", request, deadline))


def _answer(attempts: Attempts) -> Answer:
    reply: Any = attempts.reply
    if reply is None:
        return Answer(Status.UNREACHED, doubtful=attempts.doubtful, detail=attempts.detail)
    return Answer(
        _STATUS[reply.status],
        wire.records_of(getattr(reply, "records", ())),
        int(getattr(reply, "applied_index", 0)),
        attempts.doubtful,
        str(reply.detail) if hasattr(reply, "detail") else "",
    )
