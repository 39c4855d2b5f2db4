"""Two-phase commit's steps on three real replicas: concurrent ones share log entries."""

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from proto import storage_pb2 as pb
from tests.plugins.pysyncobj_raft_partitioned.replica.support import (
    CALL_S,
    Group,
    key,
    record,
    values,
)

TRANSACTIONS = 24
T = TypeVar("T")
_numbers = itertools.count(1)


def fresh(prefix: str) -> str:
    return f"{prefix}{next(_numbers)}"


def applied(group: Group, name: str) -> int:
    return int(group.status(name)["details"]["applied_index"])


def together(calls: list[Callable[[], T]]) -> list[T]:
    """Make the calls from a thread each, released at once; their results in order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        start.wait(timeout=CALL_S)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def entries_for(group: Group, leader: str, calls: list[Callable[[], T]]) -> tuple[list[T], int]:
    """The calls' results and how many log entries they took."""
    before = applied(group, leader)
    results = together(calls)
    return results, applied(group, leader) - before


def test_concurrent_prepares_and_commits_share_entries_each_answered(group: Group) -> None:
    leader = group.leader()
    stub: Any = group.stub(leader)
    txids = [fresh("tx") for _ in range(TRANSACTIONS)]
    pids = [fresh("p") for _ in txids]

    def prepare(txid: str, pid: str) -> Callable[[], Any]:
        request = pb.PrepareRequest(txid=txid, keys=[key("products", pid)], decider=0)
        return lambda: stub.Prepare(request, timeout=CALL_S)

    def commit(txid: str, pid: str) -> Callable[[], Any]:
        request = pb.CommitRequest(txid=txid, writes=[record("products", pid, {"stock": pid})])
        return lambda: stub.Commit(request, timeout=CALL_S)

    prepared, entries = entries_for(group, leader, list(map(prepare, txids, pids)))
    assert [(p.status, values(p.records)) for p in prepared] == [
        (pb.OK, {("products", pid): None}) for pid in pids
    ]
    assert 1 <= entries < TRANSACTIONS, f"{TRANSACTIONS} prepares took {entries} entries"
    committed, entries = entries_for(group, leader, list(map(commit, txids, pids)))
    assert [c.status for c in committed] == [pb.OK] * TRANSACTIONS
    assert 1 <= entries < TRANSACTIONS, f"{TRANSACTIONS} commits took {entries} entries"
    keys = [key("products", pid) for pid in pids]
    read = stub.Read(pb.ReadRequest(keys=keys, linearizable=True), timeout=CALL_S)
    assert values(read.records) == {("products", pid): {"stock": pid} for pid in pids}


def test_racing_prepares_of_one_key_get_one_ok_and_the_rest_locked(group: Group) -> None:
    leader = group.leader()
    stub: Any = group.stub(leader)
    pid, txids = fresh("p"), [fresh("tx") for _ in range(TRANSACTIONS)]
    shared = key("products", pid)

    def prepare(txid: str) -> Callable[[], Any]:
        # Each also takes a key of its own, which a LOCKED answer must leave unlocked.
        own = key("products", f"{pid}-{txid}")
        request = pb.PrepareRequest(txid=txid, keys=[own, shared], decider=0)
        return lambda: stub.Prepare(request, timeout=CALL_S)

    prepared, entries = entries_for(group, leader, list(map(prepare, txids)))
    statuses = [p.status for p in prepared]
    assert sorted(statuses) == sorted([pb.OK] + [pb.LOCKED] * (TRANSACTIONS - 1)), statuses
    assert entries < TRANSACTIONS, f"{TRANSACTIONS} prepares took {entries} entries"
    winner = txids[statuses.index(pb.OK)]
    own = [key("products", f"{pid}-{txid}") for txid in txids if txid != winner]
    read = stub.Read(pb.ReadRequest(keys=own, linearizable=True), timeout=CALL_S)
    assert read.status == pb.OK, read  # the LOCKED prepares took none of their keys
    # Mixed kinds in flight at once: the winner's abort beside the losers' retries,
    # each answered for itself (UNKNOWN_TX for an abort of what holds nothing here).
    losers = [txid for txid in txids if txid != winner]
    calls: list[Callable[[], Any]] = [
        lambda: stub.Abort(pb.AbortRequest(txid=winner), timeout=CALL_S),
        *(
            (lambda txid=txid: stub.Abort(pb.AbortRequest(txid=txid), timeout=CALL_S))
            for txid in losers
        ),
    ]
    aborted = together(calls)
    assert [a.status for a in aborted] == [pb.OK] + [pb.UNKNOWN_TX] * len(losers)
    read = stub.Read(pb.ReadRequest(keys=[shared], linearizable=True), timeout=CALL_S)
    assert read.status == pb.OK  # no lock left on it
    group.converged()
