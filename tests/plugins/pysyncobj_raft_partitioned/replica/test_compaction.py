"""Log compaction: PySyncObj's snapshot holds the store, and replicas restart from it.

With `compaction_entries` small the journal is truncated into a snapshot file (the
Raft bookkeeping, then the store's snapshot) within a few entries. A follower killed
then restarted loads it beside its own LMDB store, and the whole group restarted at
once comes back with every record, for both stores (memory has only the snapshot and
the journal to come back from).
"""

from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(params=["lmdb", "memory"])
def group(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Group]:
    started = Group(tmp_path, lock_timeout=60, compaction_entries=10, store=request.param)
    try:
        started.start()
        yield started
    finally:
        started.stop()


def write(group: Group, txid: str, cid: str) -> None:
    def done() -> bool:
        stub = group.stub(group.leader())
        request = pb.PrepareRequest(txid=txid, keys=[key("clients", cid)])
        if stub.Prepare(request, timeout=CALL_S).status != pb.OK:
            return False
        commit = pb.CommitRequest(txid=txid, writes=[record("clients", cid, {"n": cid})])
        return bool(stub.Commit(commit, timeout=CALL_S).status == pb.OK)

    until(done, f"{txid} to commit")


def test_replicas_restart_from_a_compacted_journal(group: Group) -> None:
    for n in range(15):
        write(group, f"a{n}", str(n))
    snapshots = [Path(group.nodes[name].settings["data_dir"]) / "snapshot" for name in group.names]
    until(lambda: all(path.exists() for path in snapshots), "every replica to compact its log")

    follower = group.follower()
    group.kill(follower)
    for n in range(15, 30):
        write(group, f"b{n}", str(n))
    group.start(follower)
    digest = group.converged()

    applied = min(group.status(name)["details"]["applied_index"] for name in group.names)
    for name in group.names:
        group.kill(name)
    group.start()
    # A replica serves before PySyncObj has loaded its snapshot and replayed its journal:
    # a fresh memory store then shows the empty digest on all three, which agree.
    until(
        lambda: all(
            group.status(name)["details"]["applied_index"] >= applied for name in group.names
        ),
        "every replica to be back where the group was",
    )
    assert group.converged() == digest
    wanted = [key("clients", str(n)) for n in range(30)]
    read = group.stub(group.leader()).Read(
        pb.ReadRequest(keys=wanted, linearizable=True), timeout=CALL_S
    )
    assert values(read.records) == {("clients", str(n)): {"n": str(n)} for n in range(30)}
