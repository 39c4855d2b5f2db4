"""The `testbed.storage.Partition` service of one replica (proto/storage.proto).

Prepare, Commit, Abort, Decide, Execute and ExecuteMany go through the partition's
log, answered once applied on this replica, whichever replica is asked (a follower
forwards the entry to its leader); the operations that arrive together share an
entry (batcher.py), each answered as it would be alone. Read goes through the log
too unless `linearizable` is false. A call the log did not answer gets NO_LEADER
(nothing changed) or IN_DOUBT (it may still commit), with the reason in `detail`
(calls.py). A request that breaks a rule of wire.py gets INVALID_ARGUMENT, naming the
field, and changes nothing. An entry that failed to apply (a bug, or this replica's
store failing) gets INTERNAL: every operation of the entry.
"""

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, TypeVar

import grpc

from core.domain import Command
from core.domain.partitions import Key
from plugins.pysyncobj_raft_partitioned import commands
from plugins.pysyncobj_raft_partitioned.operations import (
    Abort,
    Commit,
    Decide,
    Execute,
    Operation,
    Prepare,
)
from plugins.pysyncobj_raft_partitioned.participant import Answer, Decision, Executed, Status
from plugins.pysyncobj_raft_partitioned.replica import wire
from plugins.pysyncobj_raft_partitioned.replica.batcher import Batcher
from plugins.pysyncobj_raft_partitioned.replica.calls import NO_LEADER, Caller, Unanswered
from plugins.pysyncobj_raft_partitioned.replica.node import Failed, PartitionNode, Reading
from plugins.pysyncobj_raft_partitioned.replica.settings import ReplicaSettings
from proto import storage_pb2 as pb
from proto import storage_pb2_grpc

STATUSES = {
    Status.OK: pb.OK,
    Status.LOCKED: pb.LOCKED,
    Status.UNKNOWN_TX: pb.UNKNOWN_TX,
    Status.CROSS_PARTITION: pb.CROSS_PARTITION,
}
T = TypeVar("T", Answer, Decision, Executed, Reading)


class PartitionService(storage_pb2_grpc.PartitionServicer):
    def __init__(self, node: PartitionNode, settings: ReplicaSettings) -> None:
        self._node = node
        self._settings = settings
        self._caller = Caller(node, settings)
        # Operations of every kind that arrive together share a log entry (batcher.py).
        self._batcher = Batcher(lambda batch: self._caller.call(node.run_operations, batch))
        self._grpc = {m.raft: m.grpc for m in (settings.member, *settings.peers)}

    def Prepare(self, request: pb.PrepareRequest, context: grpc.ServicerContext) -> pb.PrepareReply:
        txid, keys, decider = self._checked(
            context,
            lambda: (
                wire.txid(request.txid),
                self._keys(request.keys),
                wire.decider(request.decider, self._settings.partitions),
            ),
        )
        # A conflict this replica already sees costs no log entry: under contention most
        # prepares are refused, and each entry is a round of the whole group.
        held = self._node.participant.held_elsewhere(txid, keys)
        if held is not None:
            return pb.PrepareReply(status=pb.LOCKED, detail=f"held by another transaction: {held}")
        result = self._one(Prepare(txid, keys, decider))
        if isinstance(result, Unanswered):
            return pb.PrepareReply(status=result.status, detail=result.detail)
        answer = _applied(result, Answer, context)
        return pb.PrepareReply(
            status=STATUSES[answer.status],
            records=wire.records(answer.records),
            detail=answer.detail,
        )

    def Commit(self, request: pb.CommitRequest, context: grpc.ServicerContext) -> pb.Ack:
        txid, writes = self._checked(
            context,
            lambda: (
                wire.txid(request.txid),
                wire.writes(request.writes, self._settings.partition, self._settings.partitions),
            ),
        )
        return self._ack(self._one(Commit(txid, writes)), context)

    def Abort(self, request: pb.AbortRequest, context: grpc.ServicerContext) -> pb.Ack:
        txid = self._checked(context, lambda: wire.txid(request.txid))
        return self._ack(self._one(Abort(txid)), context)

    def Decide(self, request: pb.DecideRequest, context: grpc.ServicerContext) -> pb.DecideReply:
        txid, writes = self._checked(
            context,
            lambda: (
                wire.txid(request.txid),
                wire.partition_writes(request.writes, self._settings.partitions),
            ),
        )
        result = self._one(Decide(txid, request.commit, writes))
        if isinstance(result, Unanswered):
            return pb.DecideReply(status=result.status)
        decision = _applied(result, Decision, context)
        return pb.DecideReply(
            status=pb.OK,
            commit=decision.commit,
            writes=wire.partition_records(decision.writes),
        )

    def Execute(self, request: pb.ExecuteRequest, context: grpc.ServicerContext) -> pb.ExecuteReply:
        return self._execute([request], context, lambda _: "")[0]

    def ExecuteMany(
        self, request: pb.ExecuteManyRequest, context: grpc.ServicerContext
    ) -> pb.ExecuteManyReply:
        # Every command joins the batcher's queue, so they share entries with other calls'.
        where = "commands[{}]: ".format
        return pb.ExecuteManyReply(replies=self._execute(request.commands, context, where))

    def _execute(
        self,
        requests: Sequence[pb.ExecuteRequest],
        context: grpc.ServicerContext,
        where: Callable[[int], str],
    ) -> list[pb.ExecuteReply]:
        """Each command's reply, in order; a bad one refuses them all, before any is sent."""
        commands = [
            self._checked(context, functools.partial(self._command, request), where(index))
            for index, request in enumerate(requests)
        ]
        results = self._batcher.submit([Execute(command) for command in commands])
        return [self._executed(result, context) for result in results]

    def _one(self, operation: Operation) -> object:
        """The operation's result, once the entry the batcher put it in is applied."""
        (result,) = self._batcher.submit([operation])
        return result

    @staticmethod
    def _executed(result: object, context: grpc.ServicerContext) -> pb.ExecuteReply:
        if isinstance(result, Unanswered):
            return pb.ExecuteReply(status=result.status, detail=result.detail)
        executed = _applied(result, Executed, context)
        reply = executed.reply
        return pb.ExecuteReply(
            status=STATUSES[executed.status],
            error=0 if reply is None else int(reply.code),
            description="" if reply is None else reply.description,
            changed=[pb.Key(table=table, id=identifier) for table, identifier in executed.changed],
            detail=executed.detail,
        )

    def Read(self, request: pb.ReadRequest, context: grpc.ServicerContext) -> pb.ReadReply:
        keys = self._checked(context, lambda: self._keys(request.keys))
        if request.linearizable:
            result = self._caller.call(self._node.read, keys)
            if isinstance(result, Unanswered):
                # A read changes nothing: whatever became of its entry, retrying is safe.
                return pb.ReadReply(status=NO_LEADER)
            reading = _applied(result, Reading, context)
        else:
            reading = self._node.read_here(keys)
        return pb.ReadReply(
            status=STATUSES[reading.answer.status],
            records=wire.records(reading.answer.records),
            applied_index=reading.index,
        )

    def Leader(self, request: pb.LeaderRequest, context: grpc.ServicerContext) -> pb.LeaderReply:
        raft = self._node.leader_raft_address()
        leader = "" if raft is None else self._grpc.get(raft, "")
        return pb.LeaderReply(partition=self._settings.partition, leader=leader)

    def _command(self, request: pb.ExecuteRequest) -> Command:
        try:
            command = commands.command(request)
        except commands.BadRequest as error:
            raise wire.BadRequest(str(error)) from None
        wire.owned(request.id, self._settings.partition, self._settings.partitions, "id")
        return command

    def _keys(self, given: Iterable[pb.Key]) -> list[Key]:
        return wire.keys(given, self._settings.partition, self._settings.partitions)

    def _ack(self, result: object, context: grpc.ServicerContext) -> pb.Ack:
        if isinstance(result, Unanswered):
            return pb.Ack(status=result.status, detail=result.detail)
        answer = _applied(result, Answer, context)
        return pb.Ack(status=STATUSES[answer.status], detail=answer.detail)

    @staticmethod
    def _checked(context: grpc.ServicerContext, parse: Callable[[], Any], where: str = "") -> Any:
        try:
            return parse()
        except wire.BadRequest as error:
            _abort(context, grpc.StatusCode.INVALID_ARGUMENT, f"{where}{error}")


def _applied(result: object, kind: type[T], context: grpc.ServicerContext) -> T:
    if isinstance(result, kind):
        return result
    if isinstance(result, Failed):
        _abort(context, grpc.StatusCode.INTERNAL, result.detail)
    # None: an entry this store already held, which only a replay meets; never a caller.
    _abort(context, grpc.StatusCode.INTERNAL, f"the log answered {result!r:.80}")


def _abort(context: grpc.ServicerContext, code: grpc.StatusCode, detail: str) -> NoReturn:
    context.abort(code, detail)
    raise AssertionError("grpc's abort returned")  # it raises; this tells the type checker
