"""The batched hop to a partition's leader: over three real replicas of partition 0, and over
scripted replicas (real gRPC servers) where a test needs an answer at a chosen time."""

import itertools
import json
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
        self.hold: threading.Event | None = None  # calls wait for it (the first only)
        self.hold_all = False  # every call waits, not the first only

    def Steps(self, request: pb.StepsRequest, context: grpc.ServicerContext) -> pb.StepsReply:
        self.calls.append([step.WhichOneof("step") for step in request.steps])
        if self.hold is not None and (self.hold_all or len(self.calls) == 1):
            self.hold.wait(CALL_S)
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
def serving(*replicas: Scripted) -> Iterator[list[str]]:
    """The replicas as real gRPC servers on free ports; their addresses."""
    servers, addresses = [], []
    for replica, port in zip(replicas, free_ports(len(replicas)), strict=True):
        server = grpc.server(ThreadPoolExecutor(4))
        storage_pb2_grpc.add_PartitionServicer_to_server(replica, server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        server.start()
        servers.append(server)
        addresses.append(f"127.0.0.1:{port}")
    try:
        yield addresses
    finally:
        for server in servers:
            server.stop(None)


@contextmanager
def deposed_then_answering() -> Iterator[tuple[Router, Scripted, Scripted]]:
    """Partition 0 on two scripted replicas: the leader answers IN_DOUBT, the other OK."""
    cluster: dict[str, str] = {}
    doubting, answering = Scripted(pb.IN_DOUBT, cluster), Scripted(pb.OK, cluster)
    with serving(doubting, answering) as addresses:
        cluster["leader"], doubting.after = addresses
        router = Router({0: addresses})
        try:
            yield router, doubting, answering
        finally:
            router.close()


def test_a_call_that_times_out_leaves_its_steps_in_doubt_and_is_not_resent() -> None:
    cluster: dict[str, str] = {}
    leader = Scripted(pb.OK, cluster)
    leader.hold, leader.hold_all = threading.Event(), True  # no answer before the deadlines
    prepare = pb.Step(prepare=pb.PrepareRequest(txid="t1", keys=[], decider=0))
    with serving(leader) as addresses:
        cluster["leader"] = addresses[0]
        router = Router({0: addresses})
        hop = Hop(router, 0, in_flight=1)
        with ThreadPoolExecutor(8) as pool:
            first = pool.submit(hop.send, create_client(fresh()), time.monotonic() + 0.5)
            until(lambda: len(leader.calls) == 1, "the first call to reach the replica")
            deadline = time.monotonic() + 1.0
            queued = [pool.submit(hop.send, create_client(fresh()), deadline) for _ in range(3)]
            queued.append(pool.submit(hop.send, prepare, deadline))
            results = [first.result(), *(future.result() for future in queued)]
        leader.hold.set()
        router.close()
    # Each may have taken effect; none was sent again (the prepare's time was up too).
    assert [(r.reply, r.doubtful) for r in results] == [(None, True)] * 5
    assert leader.calls == [["execute"], ["execute"] * 3 + ["prepare"]]
    assert (hop.calls, hop.steps) == (2, 5)


def test_steps_queued_past_their_deadline_are_not_sent() -> None:
    cluster: dict[str, str] = {}
    leader = Scripted(pb.OK, cluster)
    leader.hold = threading.Event()  # the first call stays out until the test ends it
    with serving(leader) as addresses:
        cluster["leader"] = addresses[0]
        router = Router({0: addresses})
        hop = Hop(router, 0, in_flight=1)
        with ThreadPoolExecutor(8) as pool:
            first = pool.submit(hop.send, create_client(fresh()), time.monotonic() + CALL_S)
            until(lambda: len(leader.calls) == 1, "the first call to reach the replica")
            soon, later = time.monotonic() + 0.3, time.monotonic() + CALL_S
            queued = [pool.submit(hop.send, create_client(fresh()), soon) for _ in range(4)]
            queued += [pool.submit(hop.send, create_client(fresh()), later) for _ in range(3)]
            until(lambda: hop.queued == 7 and time.monotonic() > soon, "7 queued, 4 expired")
            leader.hold.set()
            results = [first.result(), *(future.result() for future in queued)]
        router.close()
    outcomes = [(r.reply is not None and r.reply.status, r.doubtful) for r in results]
    assert outcomes == [(pb.OK, False)] + [(False, False)] * 4 + [(pb.OK, False)] * 3
    assert all("queued" in r.detail for r in results[1:5])
    assert leader.calls == [["execute"], ["execute"] * 3]  # the expired ones never sent
    assert (hop.calls, hop.steps) == (2, 4)


def test_an_execute_in_doubt_is_not_resent_and_the_deposed_leader_is_forgotten() -> None:
    with deposed_then_answering() as (router, doubting, answering):
        hop = Hop(router, 0)
        executed = hop.send(create_client(fresh()), time.monotonic() + CALL_S)
        assert (executed.reply, executed.doubtful) == (None, True)
        assert "IN_DOUBT" in executed.detail
        assert (doubting.calls, answering.calls) == ([["execute"]], [])
        # The next call goes to the leader the deposed one named, not to it again.
        again = hop.send(create_client(fresh()), time.monotonic() + CALL_S)
        assert again.reply is not None and again.reply.status == pb.OK and not again.doubtful
        assert (doubting.calls, answering.calls) == ([["execute"]], [["execute"]])


def test_a_prepare_in_doubt_is_resent_with_its_doubt_kept() -> None:
    with deposed_then_answering() as (router, doubting, answering):
        hop = Hop(router, 0)
        prepare = pb.PrepareRequest(txid="t1", keys=[], decider=0)
        prepared = hop.send(pb.Step(prepare=prepare), time.monotonic() + CALL_S)
        # Tried again on the new leader, the doubt kept: the first copy may have locked.
        assert prepared.reply is not None and prepared.reply.status == pb.OK
        assert prepared.doubtful
        assert (doubting.calls, answering.calls) == ([["prepare"]], [["prepare"]])
        assert (hop.calls, hop.steps) == (2, 2)


def test_a_leader_that_left_executes_unanswered_is_not_asked_again() -> None:
    # A stalled leader (SIGSTOP): its calls time out, its Executes end in doubt and
    # are not resent; the next call must go to the leader the others elected.
    cluster: dict[str, str] = {}
    stalled, answering = Scripted(pb.OK, cluster), Scripted(pb.OK, cluster)
    stalled.hold, stalled.hold_all = threading.Event(), True
    with serving(stalled, answering) as addresses:
        cluster["leader"] = addresses[0]
        router = Router({0: addresses})
        hop = Hop(router, 0)
        lost = hop.send(create_client(fresh()), time.monotonic() + 0.5)
        cluster["leader"] = addresses[1]  # elected meanwhile
        done = hop.send(create_client(fresh()), time.monotonic() + CALL_S)
        stalled.hold.set()
        router.close()
    assert (lost.reply, lost.doubtful) == (None, True)
    assert done.reply is not None and done.reply.status == pb.OK
    assert (stalled.calls, answering.calls) == ([["execute"]], [["execute"]])


def test_a_call_refused_as_invalid_is_not_sent_again_and_changed_nothing() -> None:
    with deposed_then_answering() as (router, doubting, answering):
        doubting.refuse = True
        hop = Hop(router, 0)
        prepare = pb.PrepareRequest(txid="", keys=[], decider=0)
        refused = hop.send(pb.Step(prepare=prepare), time.monotonic() + CALL_S)
        assert (refused.reply, refused.doubtful) == (None, False)
        assert "INVALID_ARGUMENT" in refused.detail
        assert (doubting.calls, answering.calls, hop.calls) == ([["prepare"]], [], 1)
