"""The Partition service of three real replicas: leader, two-phase commit, reads, checks."""

import itertools

import grpc
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

_numbers = itertools.count(1)


def fresh(prefix: str) -> str:
    return f"{prefix}{next(_numbers)}"


def replica(group: Group, role: str) -> str:
    return group.leader() if role == "leader" else group.follower()


def test_a_leader_is_elected_and_every_replica_points_to_it(group: Group) -> None:
    leader = group.leader()
    for name in group.names:
        reply = group.stub(name).Leader(pb.LeaderRequest(), timeout=CALL_S)
        assert (reply.partition, reply.leader) == (0, group.address(leader))
        document = group.status(name)
        assert document["role"] == ("leader" if name == leader else "follower")
        assert (document["kind"], document["group"], document["portals"]) == ("replica", "p0", [])
        assert document["strategy"] == "pysyncobj-raft-partitioned"
        assert document["details"]["partition"] == 0


@pytest.mark.parametrize("role", ["leader", "follower"])
def test_prepare_then_commit_through_any_replica(group: Group, role: str) -> None:
    stub = group.stub(replica(group, role))
    txid, cid = fresh("tx"), fresh("c")
    wanted = [key("clients", cid), key("client_orders", cid)]
    prepared = stub.Prepare(pb.PrepareRequest(txid=txid, keys=wanted, decider=0), timeout=CALL_S)
    assert prepared.status == pb.OK, prepared.detail
    assert values(prepared.records) == {("client_orders", cid): None, ("clients", cid): None}
    locked = stub.Read(pb.ReadRequest(keys=wanted[:1], linearizable=True), timeout=CALL_S)
    assert locked.status == pb.LOCKED, "a prepared key is not readable until the commit"

    writes = [record("clients", cid, {"name": "Ada"})]
    committed = stub.Commit(pb.CommitRequest(txid=txid, writes=writes), timeout=CALL_S)
    assert committed.status == pb.OK, committed.detail
    read = stub.Read(pb.ReadRequest(keys=wanted, linearizable=True), timeout=CALL_S)
    assert read.status == pb.OK
    assert values(read.records) == {("client_orders", cid): None, ("clients", cid): {"name": "Ada"}}
    assert read.applied_index > 0

    # Every replica applies it: a local read on each one sees it in the end.
    until(
        lambda: all(group.read_here(n, wanted[0]) == {"name": "Ada"} for n in group.names),
        "every replica to apply the commit",
    )
    again = stub.Commit(pb.CommitRequest(txid=txid, writes=writes), timeout=CALL_S)
    assert again.status == pb.UNKNOWN_TX, "a finished transaction is not prepared any more"


def test_another_transactions_lock_is_refused_until_aborted(group: Group) -> None:
    stub = group.stub(group.follower())
    first, second, pid = fresh("tx"), fresh("tx"), fresh("p")
    wanted = [key("products", pid)]
    assert stub.Prepare(pb.PrepareRequest(txid=first, keys=wanted), timeout=CALL_S).status == pb.OK
    refused = stub.Prepare(pb.PrepareRequest(txid=second, keys=wanted), timeout=CALL_S)
    assert refused.status == pb.LOCKED
    assert pid in refused.detail and not refused.records
    again = stub.Prepare(pb.PrepareRequest(txid=first, keys=wanted), timeout=CALL_S)
    assert again.status == pb.OK, "a transaction's own lock is no conflict"

    assert stub.Abort(pb.AbortRequest(txid=first), timeout=CALL_S).status == pb.OK
    assert stub.Abort(pb.AbortRequest(txid=first), timeout=CALL_S).status == pb.UNKNOWN_TX
    taken = stub.Prepare(pb.PrepareRequest(txid=second, keys=wanted), timeout=CALL_S)
    assert taken.status == pb.OK
    late = stub.Commit(
        pb.CommitRequest(txid=first, writes=[record("products", pid, {"stock": 1})]),
        timeout=CALL_S,
    )
    assert late.status == pb.UNKNOWN_TX, "an aborted transaction cannot commit"
    assert stub.Abort(pb.AbortRequest(txid=second), timeout=CALL_S).status == pb.OK
    read = stub.Read(pb.ReadRequest(keys=wanted, linearizable=True), timeout=CALL_S)
    assert (read.status, values(read.records)) == (pb.OK, {("products", pid): None})


def test_the_first_decision_recorded_wins(group: Group) -> None:
    stub = group.stub(group.follower())
    committed, aborted, oid = fresh("tx"), fresh("tx"), fresh("o")
    writes = [pb.PartitionWrites(partition=0, writes=[record("orders", oid, {"CID": "1"})])]
    first = stub.Decide(
        pb.DecideRequest(txid=committed, commit=True, writes=writes), timeout=CALL_S
    )
    assert (first.status, first.commit) == (pb.OK, True)
    assert values(first.writes[0].writes) == {("orders", oid): {"CID": "1"}}
    presumed = stub.Decide(pb.DecideRequest(txid=committed, commit=False), timeout=CALL_S)
    assert (presumed.commit, list(presumed.writes)) == (True, list(first.writes))

    abort = stub.Decide(pb.DecideRequest(txid=aborted, commit=False), timeout=CALL_S)
    assert (abort.status, abort.commit, list(abort.writes)) == (pb.OK, False, [])
    late = stub.Decide(pb.DecideRequest(txid=aborted, commit=True, writes=writes), timeout=CALL_S)
    assert (late.commit, list(late.writes)) == (False, [])


@pytest.mark.parametrize(
    ("rpc", "request_", "field"),
    [
        ("Prepare", pb.PrepareRequest(txid="t", keys=[key("locks", "1")]), "keys[0].table"),
        ("Prepare", pb.PrepareRequest(txid="", keys=[key("clients", "1")]), "txid"),
        ("Prepare", pb.PrepareRequest(txid="t", keys=[key("clients", "")]), "keys[0].id"),
        ("Prepare", pb.PrepareRequest(txid="t", decider=1), "decider"),
        ("Read", pb.ReadRequest(keys=[key("clients", "1"), key("nope", "1")]), "keys[1].table"),
        (
            "Commit",
            pb.CommitRequest(txid="t", writes=[pb.Record(key=key("clients", "1"), json="{")]),
            "writes[0].json",
        ),
        (
            "Commit",
            pb.CommitRequest(txid="t", writes=[pb.Record(key=key("clients", "1"), json="null")]),
            "writes[0].json",
        ),
        (
            "Decide",
            pb.DecideRequest(txid="t", commit=True, writes=[pb.PartitionWrites(partition=3)]),
            "writes[0].partition",
        ),
    ],
)
def test_a_bad_request_is_refused_naming_the_field(
    group: Group, rpc: str, request_: object, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        getattr(group.stub(group.names[0]), rpc)(request_, timeout=CALL_S)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert str(caught.value.details()).startswith(f"{field}:"), caught.value.details()


def test_the_replicas_converge_to_one_digest(group: Group) -> None:
    stub = group.stub(group.leader())
    txid, cid = fresh("tx"), fresh("c")
    prepared = stub.Prepare(
        pb.PrepareRequest(txid=txid, keys=[key("clients", cid)]), timeout=CALL_S
    )
    assert prepared.status == pb.OK
    assert (
        stub.Commit(
            pb.CommitRequest(txid=txid, writes=[record("clients", cid, {"n": 1})]), timeout=CALL_S
        ).status
        == pb.OK
    )
    digest = group.converged()
    documents = [group.status(name) for name in group.names]
    assert {d["digest"] for d in documents} == {digest}
    assert all(d["details"]["prepared_transactions"] == 0 for d in documents)
