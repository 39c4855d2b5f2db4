"""A replica SIGKILLed and restarted on its data directory keeps its store and catches up."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.pysyncobj_raft_partitioned.participant import TABLES
from plugins.pysyncobj_raft_partitioned.store import LmdbStore
from proto import storage_pb2 as pb
from tests.plugins.pysyncobj_raft_partitioned.replica.support import (
    CALL_S,
    Group,
    key,
    record,
    until,
    values,
)


@pytest.fixture
def group(tmp_path: Path) -> Iterator[Group]:
    started = Group(tmp_path, lock_timeout=60)
    try:
        started.start()
        yield started
    finally:
        started.stop()


def write(group: Group, name: str, txid: str, cid: str) -> None:
    stub = group.stub(name)
    request = pb.PrepareRequest(txid=txid, keys=[key("clients", cid)])
    # Right after a kill the leader may still count the dead peer: retry a refusal.
    until(lambda: stub.Prepare(request, timeout=CALL_S).status == pb.OK, f"prepare {txid}")
    commit = pb.CommitRequest(txid=txid, writes=[record("clients", cid, {"n": cid})])
    assert stub.Commit(commit, timeout=CALL_S).status == pb.OK


def test_a_killed_follower_keeps_its_store_and_catches_up(group: Group) -> None:
    leader = group.leader()
    for n in range(5):
        write(group, leader, f"before{n}", f"{n}")
    group.converged()
    follower = group.follower()
    before = group.status(follower)["details"]["applied_index"]

    group.kill(follower)
    kept = LmdbStore(Path(group.nodes[follower].settings["data_dir"]) / "store", tables=TABLES)
    try:
        assert kept.applied_index() >= before, "the store lost applied entries to SIGKILL"
        assert kept.get("clients", "4") == {"n": "4"}
    finally:
        kept.close()
    for n in range(5, 10):
        write(group, leader, f"after{n}", f"{n}")

    group.start(follower)
    digest = group.converged()
    assert group.status(follower)["digest"] == digest
    assert group.status(follower)["details"]["applied_index"] > before
    read = group.stub(follower).Read(pb.ReadRequest(keys=[key("clients", "9")]), timeout=CALL_S)
    assert values(read.records) == {("clients", "9"): {"n": "9"}}


def test_without_a_majority_nothing_enters_the_log(group: Group) -> None:
    survivor = group.leader()
    for name in group.names:
        if name != survivor:
            group.kill(name)
    stub = group.stub(survivor)
    prepare = pb.PrepareRequest(txid="alone", keys=[key("clients", "1")])
    refused = until(
        lambda: (reply := stub.Prepare(prepare, timeout=CALL_S)).status == pb.NO_LEADER and reply,
        "the survivor to refuse the prepare",
    )
    assert "not a majority" in refused.detail
    read = stub.Read(pb.ReadRequest(keys=[key("clients", "1")], linearizable=True), timeout=CALL_S)
    assert read.status == pb.NO_LEADER
    until(lambda: group.stub(survivor).Leader(pb.LeaderRequest()).leader == "", "no leader")

    group.start(*[name for name in group.names if name != survivor])
    write(group, group.leader(), "back", "1")
    assert group.converged()
    assert all(group.status(name)["details"]["prepared_transactions"] == 0 for name in group.names)
