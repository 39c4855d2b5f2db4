"""PySyncObj's snapshot file of a replica: the store travels with the Raft bookkeeping,
and loading it keeps a store that is already as new or newer."""

from pathlib import Path

from plugins.pysyncobj_raft_partitioned.participant import TABLES
from plugins.pysyncobj_raft_partitioned.replica import snapshot
from plugins.pysyncobj_raft_partitioned.store import LmdbStore, MemoryStore, Put

RAFT = ("last entry", "entry before", {"cluster"})


def test_a_snapshot_restores_an_older_store_and_hands_back_the_raft_data(tmp_path: Path) -> None:
    source = MemoryStore(TABLES)
    source.apply(5, [Put("clients", "1", {"name": "Ada"})])
    path = str(tmp_path / "snapshot")
    snapshot.writer(source)(path, RAFT)

    behind = LmdbStore(tmp_path / "store", tables=TABLES)
    behind.apply(2, [Put("clients", "2", {"name": "old"})])
    assert snapshot.reader(behind)(path) == RAFT
    assert (behind.applied_index(), behind.digest()) == (5, source.digest())
    assert behind.get("clients", "2") is None
    behind.close()


def test_a_store_newer_than_the_snapshot_is_kept(tmp_path: Path) -> None:
    old = MemoryStore(TABLES)
    old.apply(3, [Put("clients", "1", {"name": "Ada"})])
    path = str(tmp_path / "snapshot")
    snapshot.writer(old)(path, RAFT)

    newer = LmdbStore(tmp_path / "store", tables=TABLES)
    newer.apply(7, [Put("clients", "1", {"name": "Bo"})])
    kept = newer.digest()
    assert snapshot.reader(newer)(path) == RAFT
    assert (newer.applied_index(), newer.digest()) == (7, kept)
    newer.close()
