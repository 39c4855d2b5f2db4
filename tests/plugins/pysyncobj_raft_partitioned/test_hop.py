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

import pytest

from plugins.pysyncobj_raft_partitioned.portal.hop import Hop
from plugins.pysyncobj_raft_partitioned.portal.router import Attempts, Router
from proto import storage_pb2 as pb
from tests.plugins.pysyncobj_raft_partitioned.replica.support import CALL_S, Group, until

_numbers = itertools.count(1)


@pytest.fixture
def router(group: Group) -> Iterator[Router]:
    opened = Router({0: [group.address(name) for name in group.names]})
    yield opened
    opened.close()


def create_client(cid: str) -> pb.ExecuteRequest:
    return pb.ExecuteRequest(kind=pb.CREATE_CLIENT, id=cid, data=json.dumps({"name": "Ada"}))


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
        assert hop.execute(create_client(cid), time.monotonic() + CALL_S).reply.error == 0
    calls, commands = hop.calls, hop.commands
    new = [fresh() for _ in range(16)]
    cids = [cid for pair in zip(new, taken, strict=True) for cid in pair]  # new, taken, ...
    deadline = time.monotonic() + CALL_S
    results = together([partial(hop.execute, create_client(cid), deadline) for cid in cids])
    assert hop.commands - commands == len(cids)  # each sent once
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
        first = pool.submit(hop.execute, create_client(fresh()), time.monotonic() + first_s)
        until(lambda: hop.calls == 1, "the first command's call to go out")
        now = time.monotonic()
        rest = together([partial(hop.execute, create_client(fresh()), now + s) for s in queued_s])
        return [first.result(), *rest]


def test_a_call_that_times_out_leaves_each_command_unknown_and_is_not_resent(
    group: Group, router: Router
) -> None:
    hop = Hop(router, 0, in_flight=1)
    with stalled(group):
        results = queued_behind_one(hop, 1.0, *[2.0] * 7)
    assert [(r.reply, r.doubtful) for r in results] == [(None, True)] * 8
    assert (hop.calls, hop.commands) == (2, 8)  # the first alone, the rest in one; none resent


def test_commands_queued_past_their_deadline_are_not_sent(group: Group, router: Router) -> None:
    hop = Hop(router, 0, in_flight=1)
    with stalled(group):
        results = queued_behind_one(hop, 1.0, *[0.3] * 4, *[2.5] * 3)
    outcomes = [(r.reply, r.doubtful) for r in results]
    assert outcomes == [(None, True)] + [(None, False)] * 4 + [(None, True)] * 3
    assert (hop.calls, hop.commands) == (2, 4)  # the expired ones stayed behind, unsent


def test_a_command_past_its_deadline_is_not_sent(router: Router) -> None:
    hop = Hop(router, 0)
    result = hop.execute(create_client(fresh()), time.monotonic() - 1)
    assert (result.reply, result.doubtful, hop.calls) == (None, False, 0)
