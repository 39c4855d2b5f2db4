"""Recovery: a transaction left prepared past the lock timeout is resolved by the leader.

The coordinator of these transactions "dies" after preparing (the test never commits):
the leader asks the decider (this same partition) with commit = false, so an
undecided transaction is aborted and its locks released by that Decide alone. A
decision for a transaction prepared in the decider is carried out by its own entry,
so a recorded commit leaves recovery nothing to do there (the other partitions'
recovery finishes theirs: test_portal_crash.py).
"""

import time
from collections.abc import Iterator

import pytest

from proto import storage_pb2 as pb
from tests.plugins.pysyncobj_raft_partitioned.replica.support import (
    CALL_S,
    Group,
    key,
    record,
    until,
    values,
)

LOCK_TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Group]:
    started = Group(tmp_path_factory.mktemp("recovery"), lock_timeout=LOCK_TIMEOUT_S)
    try:
        started.start()
        yield started
    finally:
        started.stop()


def test_an_undecided_transaction_is_aborted_and_its_locks_released(group: Group) -> None:
    stub = group.stub(group.follower())
    wanted = [key("products", "10"), key("units_held", "10")]
    prepared = time.monotonic()
    assert stub.Prepare(pb.PrepareRequest(txid="lost", keys=wanted), timeout=CALL_S).status == pb.OK
    other = pb.PrepareRequest(txid="next", keys=wanted)
    assert stub.Prepare(other, timeout=CALL_S).status == pb.LOCKED

    until(lambda: stub.Prepare(other, timeout=CALL_S).status == pb.OK, "recovery to free the keys")
    assert time.monotonic() - prepared >= LOCK_TIMEOUT_S, "recovery came before the lock timeout"
    late = stub.Decide(pb.DecideRequest(txid="lost", commit=True), timeout=CALL_S)
    assert late.commit is False, "recovery recorded the abort: a late coordinator cannot commit"
    commit = pb.CommitRequest(txid="lost", writes=[record("products", "10", {"stock": 1})])
    assert stub.Commit(commit, timeout=CALL_S).status == pb.UNKNOWN_TX
    assert stub.Abort(pb.AbortRequest(txid="next"), timeout=CALL_S).status == pb.OK


def test_a_recorded_commit_is_carried_out_in_the_decider_with_its_writes(group: Group) -> None:
    stub = group.stub(group.leader())
    wanted = [key("clients", "20"), key("client_orders", "20")]
    request = pb.PrepareRequest(txid="decided", keys=wanted, decider=0)
    assert stub.Prepare(request, timeout=CALL_S).status == pb.OK
    writes = [record("clients", "20", {"name": "Bo"}), record("client_orders", "20", ["7"])]
    decision = pb.DecideRequest(
        txid="decided", commit=True, writes=[pb.PartitionWrites(partition=0, writes=writes)]
    )
    assert stub.Decide(decision, timeout=CALL_S).commit is True

    read = pb.ReadRequest(keys=wanted, linearizable=True)
    assert stub.Read(read, timeout=CALL_S).status == pb.OK, "the decision left the keys locked"
    assert values(stub.Read(read, timeout=CALL_S).records) == {
        ("clients", "20"): {"name": "Bo"},
        ("client_orders", "20"): ["7"],
    }
    until(
        lambda: all(group.status(n)["details"]["prepared_transactions"] == 0 for n in group.names),
        "no transaction left prepared on any replica",
    )
    group.converged()


def test_a_new_leader_resolves_what_its_predecessor_held(group: Group) -> None:
    leader = group.leader()
    wanted = [key("orders", "30")]
    prepare = pb.PrepareRequest(txid="orphan", keys=wanted)
    assert group.stub(leader).Prepare(prepare, timeout=CALL_S).status == pb.OK
    group.kill(leader)

    successor = group.leader(other_than=leader)
    leads = group.stub(successor).Leader(pb.LeaderRequest(), timeout=CALL_S).leader
    assert leads == group.address(successor)
    read = pb.ReadRequest(keys=wanted, linearizable=True)
    until(
        lambda: group.stub(successor).Read(read, timeout=CALL_S).status == pb.OK,
        "the new leader to release the orphan's lock",
    )
    group.start(leader)
    group.converged()
