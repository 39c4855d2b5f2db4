"""The `testbed.storage.Partition` service of one replica (proto/storage.proto).

Prepare, Commit, Abort, Decide and Execute go through the partition's log, answered
once applied on this replica, whichever replica is asked (a follower forwards the
entry to its leader); Steps carries several of them, of any kinds, in one call, and
each unary method is a Steps of one. The steps that arrive together, from one call
or several, share an entry (batcher.py), each answered as it would be alone. Read
goes through the log too unless `linearizable` is false. A step the log did not
answer gets NO_LEADER (nothing changed) or IN_DOUBT (it may still commit), with the
reason in `detail` (calls.py). A request that breaks a rule of wire.py gets
INVALID_ARGUMENT, naming the field (in Steps, `steps[i].` first), and changes nothing.
An entry that failed to apply (a bug, or this replica's store failing) gets INTERNAL:
every call with a step in that entry.
"""

import functools
from collections.abc import Callable, Iterable
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

    def Steps(self, request: pb.StepsRequest, context: grpc.ServicerContext) -> pb.StepsReply:
        # Every step is checked before any is sent: a bad one refuses the call whole.
        parsed = [
            self._checked(context, functools.partial(self._step, step), _where(index, step))
            for index, step in enumerate(request.steps)
        ]
        results = iter(self._batcher.submit([p for p in parsed if not isinstance(p, pb.StepReply)]))
        return pb.StepsReply(
            replies=[
                p if isinstance(p, pb.StepReply) else _reply(p, next(results), context)
                for p in parsed
            ]
        )

    def Prepare(self, request: pb.PrepareRequest, context: grpc.ServicerContext) -> pb.PrepareReply:
        return self._alone(pb.Step(prepare=request), context).prepare

    def Commit(self, request: pb.CommitRequest, context: grpc.ServicerContext) -> pb.Ack:
        return self._alone(pb.Step(commit=request), context).ack

    def Abort(self, request: pb.AbortRequest, context: grpc.ServicerContext) -> pb.Ack:
        return self._alone(pb.Step(abort=request), context).ack

    def Decide(self, request: pb.DecideRequest, context: grpc.ServicerContext) -> pb.DecideReply:
        return self._alone(pb.Step(decide=request), context).decide

    def Execute(self, request: pb.ExecuteRequest, context: grpc.ServicerContext) -> pb.ExecuteReply:
        return self._alone(pb.Step(execute=request), context).execute

    def _alone(self, step: pb.Step, context: grpc.ServicerContext) -> pb.StepReply:
        """A unary call: the Steps call of its one step, its field names unprefixed."""
        parsed = self._checked(context, functools.partial(self._step, step))
        if isinstance(parsed, pb.StepReply):
            return parsed
        (result,) = self._batcher.submit([parsed])
        return _reply(parsed, result, context)

    def _step(self, step: pb.Step) -> Operation | pb.StepReply:
        """The operation a step asks for, or its reply when it needs no log entry."""
        partition, partitions = self._settings.partition, self._settings.partitions
        kind = step.WhichOneof("step")
        if kind == "prepare":
            request = step.prepare
            txid = wire.txid(request.txid)
            keys = self._keys(request.keys)
            decider = wire.decider(request.decider, partitions)
            # A conflict this replica already sees costs no log entry: under contention
            # most prepares are refused, and each entry is a round of the whole group.
            held = self._node.participant.held_elsewhere(txid, keys)
            if held is not None:
                detail = f"held by another transaction: {held}"
                return pb.StepReply(prepare=pb.PrepareReply(status=pb.LOCKED, detail=detail))
            return Prepare(txid, keys, decider)
        if kind == "commit":
            writes = wire.writes(step.commit.writes, partition, partitions)
            return Commit(wire.txid(step.commit.txid), writes)
        if kind == "abort":
            return Abort(wire.txid(step.abort.txid))
        if kind == "decide":
            split = wire.partition_writes(step.decide.writes, partitions)
            return Decide(wire.txid(step.decide.txid), step.decide.commit, split)
        if kind == "execute":
            return Execute(self._command(step.execute))
        raise wire.BadRequest("none of prepare, commit, abort, decide, execute is set")

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

    @staticmethod
    def _checked(context: grpc.ServicerContext, parse: Callable[[], Any], where: str = "") -> Any:
        try:
            return parse()
        except wire.BadRequest as error:
            _abort(context, grpc.StatusCode.INVALID_ARGUMENT, f"{where}{error}")


def _where(index: int, step: pb.Step) -> str:
    kind = step.WhichOneof("step")
    return f"steps[{index}].{kind}." if kind else f"steps[{index}]: "


def _reply(operation: Operation, result: object, context: grpc.ServicerContext) -> pb.StepReply:
    """The step's reply to the result the batcher gave its operation."""
    missed = result if isinstance(result, Unanswered) else None
    match operation:
        case Prepare():
            if missed is not None:
                return pb.StepReply(
                    prepare=pb.PrepareReply(status=missed.status, detail=missed.detail)
                )
            answer = _applied(result, Answer, context)
            records = wire.records(answer.records)
            status = STATUSES[answer.status]
            return pb.StepReply(
                prepare=pb.PrepareReply(status=status, records=records, detail=answer.detail)
            )
        case Commit() | Abort():
            if missed is not None:
                return pb.StepReply(ack=pb.Ack(status=missed.status, detail=missed.detail))
            answer = _applied(result, Answer, context)
            return pb.StepReply(ack=pb.Ack(status=STATUSES[answer.status], detail=answer.detail))
        case Decide():
            if missed is not None:
                return pb.StepReply(decide=pb.DecideReply(status=missed.status))
            decision = _applied(result, Decision, context)
            writes = wire.partition_records(decision.writes)
            return pb.StepReply(
                decide=pb.DecideReply(status=pb.OK, commit=decision.commit, writes=writes)
            )
        case Execute():
            if missed is not None:
                return pb.StepReply(
                    execute=pb.ExecuteReply(status=missed.status, detail=missed.detail)
                )
            return pb.StepReply(execute=_executed(_applied(result, Executed, context)))


def _executed(executed: Executed) -> pb.ExecuteReply:
    reply = executed.reply
    return pb.ExecuteReply(
        status=STATUSES[executed.status],
        error=0 if reply is None else int(reply.code),
        description="" if reply is None else reply.description,
        changed=[pb.Key(table=table, id=identifier) for table, identifier in executed.changed],
        detail=executed.detail,
    )


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
