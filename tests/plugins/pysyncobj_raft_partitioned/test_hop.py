"""The batched hop to a partition's leader, over three real replicas of partition 0."""

import itertools
import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial

import grpc
import pytest

from core.ports import free_ports
from plugins.pysyncobj_raft_partitioned.portal.hop import Hop
from plugins.pysyncobj_raft_partitioned.portal.router import Attempts, Router
from proto import storage_pb2 as pb
from proto import storage_pb2_grpc
from tests.plugins.pysyncobj_raft_partitioned.replica.support import CALL_S, Group, until

_numbers = itertools.count(1)


@pytest.fixture
def router(group: Group) -> Iterator[Router]:
    opened = Router({0: [group.address(name) for name in group.names]})
    yield opened
    opened.close()


def create_client(cid: str) -> pb.Step:
    request = pb.ExecuteRequest(kind=pb.CREATE_CLIENT, id=cid, data=json.dumps({"name": "Ada"}))
    return pb.Step(execute=request)


def fresh() -> str:
    return f"h{next(_numbers)}"


def together(calls: list[Callable[[], Attempts]]) -> list[Attempts]:
    """Run the calls at once, each on its own thread; their results in order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Attempts]) -> Attempts:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_concurrent_commands_share_calls_and_each_gets_its_own_reply(
    group: Group, router: Router
) -> None:
    hop = Hop(router, 0)
    taken = [fresh() for _ in range(16)]
    for cid in taken:
        assert hop.send(create_client(cid), time.monotonic() + CALL_S).reply.error == 0
    calls, steps = hop.calls, hop.steps
    new = [fresh() for _ in range(16)]
    cids = [cid for pair in zip(new, taken, strict=True) for cid in pair]  # new, taken, ...
    deadline = time.monotonic() + CALL_S
    results = together([partial(hop.send, create_client(cid), deadline) for cid in cids])
    assert hop.steps - steps == len(cids)  # each sent once
    assert hop.calls - calls < len(cids)  # some of them together
    for cid, result in zip(cids, results, strict=True):
        assert result.reply is not None and not result.doubtful, result.detail
        if cid in new:
            assert (result.reply.error, [k.id for k in result.reply.changed]) == (0, [cid])
        else:
            assert result.reply.error == 409 and cid in result.reply.description


@contextmanager
def stalled(group: Group) -> Iterator[None]:
    """The leader's followers stopped: it takes entries but cannot commit them."""
    leader = group.leader()
    followers = [name for name in group.names if name != leader]
    for name in followers:
        group.processes[name].send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        for name in followers:
            group.processes[name].send_signal(signal.SIGCONT)
        group.converged()  # whole again for the next test


def queued_behind_one(hop: Hop, first_s: float, *queued_s: float) -> list[Attempts]:
    """One command in flight (the hop's only call), then more queued behind it."""
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(hop.send, create_client(fresh()), time.monotonic() + first_s)
        until(lambda: hop.calls == 1, "the first command's call to go out")
        now = time.monotonic()
        rest = together([partial(hop.send, create_client(fresh()), now + s) for s in queued_s])
        return [first.result(), *rest]


def test_a_call_that_times_out_leaves_each_command_unknown_and_is_not_resent(
    group: Group, router: Router
) -> None:
    hop = Hop(router, 0, in_flight=1)
    with stalled(group):
        results = queued_behind_one(hop, 1.0, *[2.0] * 7)
    assert [(r.reply, r.doubtful) for r in results] == [(None, True)] * 8
    assert (hop.calls, hop.steps) == (2, 8)  # the first alone, the rest in one; none resent


def test_commands_queued_past_their_deadline_are_not_sent(group: Group, router: Router) -> None:
    hop = Hop(router, 0, in_flight=1)
    with stalled(group):
        results = queued_behind_one(hop, 1.0, *[0.3] * 4, *[2.5] * 3)
    outcomes = [(r.reply, r.doubtful) for r in results]
    assert outcomes == [(None, True)] + [(None, False)] * 4 + [(None, True)] * 3
    assert (hop.calls, hop.steps) == (2, 4)  # the expired ones stayed behind, unsent


def test_a_command_past_its_deadline_is_not_sent(router: Router) -> None:
    hop = Hop(router, 0)
    result = hop.send(create_client(fresh()), time.monotonic() - 1)
    assert (result.reply, result.doubtful, hop.calls) == (None, False, 0)


class Scripted(storage_pb2_grpc.PartitionServicer):
    """A replica that answers every step with `status`; a real server on a free port.

    Every replica names `cluster["leader"]` as the leader; one that answers IN_DOUBT
    then names the next one, as a leader deposed while the entry was in flight would.
    """

    def __init__(self, status: pb.Status, cluster: dict[str, str]) -> None:
        self.status = status
        self.cluster = cluster
        self.calls: list[list[str | None]] = []  # each Steps call's step kinds
        self.after = ""  # the leader it names once it answered IN_DOUBT
        self.refuse = False  # refuse every call whole, as a bad step makes a replica

    def Steps(self, request: pb.StepsRequest, context: grpc.ServicerContext) -> pb.StepsReply:
        self.calls.append([step.WhichOneof("step") for step in request.steps])
        if self.refuse:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "steps[0].prepare.txid: empty")
        if self.status == pb.IN_DOUBT:
            self.cluster["leader"] = self.after
        return pb.StepsReply(replies=[self._reply(step) for step in request.steps])

    def _reply(self, step: pb.Step) -> pb.StepReply:
        if step.WhichOneof("step") == "prepare":
            return pb.StepReply(prepare=pb.PrepareReply(status=self.status))
        return pb.StepReply(execute=pb.ExecuteReply(status=self.status))

    def Leader(self, request: pb.LeaderRequest, context: object) -> pb.LeaderReply:
        return pb.LeaderReply(partition=0, leader=self.cluster["leader"])


@contextmanager
def deposed_then_answering() -> Iterator[tuple[Router, Scripted, Scripted]]:
    """Partition 0 on two scripted replicas: the leader answers IN_DOUBT, the other OK."""
    cluster: dict[str, str] = {}
    doubting, answering = Scripted(pb.IN_DOUBT, cluster), Scripted(pb.OK, cluster)
    servers, addresses = [], []
    for replica, port in zip((doubting, answering), free_ports(2), strict=True):
        server = grpc.server(ThreadPoolExecutor(4))
        storage_pb2_grpc.add_PartitionServicer_to_server(replica, server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        server.start()
        servers.append(server)
        addresses.append(f"127.0.0.1:{port}")
    cluster["leader"], doubting.after = addresses
    router = Router({0: addresses})
    try:
        yield router, doubting, answering
    finally:
        router.close()
        for server in servers:
            server.stop(None)


def test_an_execute_in_doubt_is_not_resent_but_a_prepare_in_doubt_is() -> None:
    with deposed_then_answering() as (router, doubting, answering):
        hop = Hop(router, 0)
        executed = hop.send(create_client(fresh()), time.monotonic() + CALL_S)
        assert (executed.reply, executed.doubtful) == (None, True)
        assert "IN_DOUBT" in executed.detail
        assert (doubting.calls, answering.calls) == ([["execute"]], [])
        prepare = pb.PrepareRequest(txid="t1", keys=[], decider=0)
        prepared = hop.send(pb.Step(prepare=prepare), time.monotonic() + CALL_S)
        # Tried again on the new leader, the doubt kept: the first copy may have locked.
        assert prepared.reply is not None and prepared.reply.status == pb.OK
        assert prepared.doubtful
        assert (doubting.calls, answering.calls) == ([["execute"], ["prepare"]], [["prepare"]])
        assert (hop.calls, hop.steps) == (3, 3)


def test_a_call_refused_as_invalid_is_not_sent_again_and_changed_nothing() -> None:
    with deposed_then_answering() as (router, doubting, answering):
        doubting.refuse = True
        hop = Hop(router, 0)
        prepare = pb.PrepareRequest(txid="", keys=[], decider=0)
        refused = hop.send(pb.Step(prepare=prepare), time.monotonic() + CALL_S)
        assert (refused.reply, refused.doubtful) == (None, False)
        assert "INVALID_ARGUMENT" in refused.detail
        assert (doubting.calls, answering.calls, hop.calls) == ([["prepare"]], [], 1)
