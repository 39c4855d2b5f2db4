"""snapshot() and restore(): a round trip, across both stores, and streams that lie."""

import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from plugins.pysyncobj_raft_partitioned.store import (
    TABLES,
    CorruptSnapshot,
    Delete,
    LmdbStore,
    MemoryStore,
    Put,
    Store,
    StoreClosed,
    digest,
    snapshots,
)
from tests.plugins.pysyncobj_raft_partitioned.store.conftest import OpenStore
from tests.plugins.pysyncobj_raft_partitioned.store.support import filled, snapshot_of, state


def test_a_restored_store_equals_the_snapshotted_one(open_store: OpenStore) -> None:
    source = filled(open_store())
    target = open_store()
    target.restore(io.BytesIO(snapshot_of(source)))
    assert state(target) == state(source)
    assert target.applied_index() == 5


@pytest.mark.parametrize("direction", ["memory to lmdb", "lmdb to memory"])
def test_both_stores_write_and_read_the_same_snapshot(tmp_path: Path, direction: str) -> None:
    memory, lmdb = MemoryStore(), LmdbStore(tmp_path / "lmdb")
    source, target = (memory, lmdb) if direction == "memory to lmdb" else (lmdb, memory)
    filled(source)
    target.restore(io.BytesIO(snapshot_of(source)))
    assert state(target) == state(source)
    assert snapshot_of(target) == snapshot_of(source)
    lmdb.close()


def test_restore_replaces_everything_even_with_a_lower_index(open_store: OpenStore) -> None:
    old = open_store()
    old.apply(2, [Put("products", "p", {"q": 1})])
    taken = snapshot_of(old)
    store = filled(open_store())
    store.restore(io.BytesIO(taken))
    assert state(store) == state(old)
    store.apply(3, [Put("products", "q", {})])  # and goes on from the restored index
    assert store.applied_index() == 3


def test_a_snapshot_is_the_state_when_it_was_taken(open_store: OpenStore) -> None:
    store = filled(open_store())
    expected = snapshot_of(store)

    class ApplyingWhileWritten(io.BytesIO):
        """A stream that lets another thread apply a batch in the middle of the snapshot."""

        def write(self, data: Any) -> int:
            if self.tell() == 0:
                applier = threading.Thread(target=store.apply, args=(9, [Delete("clients", "1")]))
                applier.start()
                applier.join()
            return super().write(data)

    out = ApplyingWhileWritten()
    store.snapshot(out)
    assert out.getvalue() == expected
    assert store.applied_index() == 9


def lines(snapshot: bytes) -> list[bytes]:
    return snapshot.splitlines(keepends=True)


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda s: b"",
    "header only": lambda s: lines(s)[0],
    "truncated": lambda s: b"".join(lines(s)[:-1]),
    "cut mid-line": lambda s: s[:-5],
    "padded": lambda s: s + lines(s)[-1],
    "repeated record": lambda s: b"".join([*lines(s)[:2], lines(s)[1], *lines(s)[3:]]),
    "value altered": lambda s: s.replace(b'"Ana"', b'"Ann"'),
    "index altered": lambda s: s.replace(b'"applied_index":5', b'"applied_index":6'),
    "index not a number": lambda s: s.replace(b'"applied_index":5', b'"applied_index":"5"'),
    "unknown table": lambda s: s.replace(b'["locks"', b'["wallets"'),
    "other format": lambda s: s.replace(b"store/1", b"store/2"),
    "not json": lambda s: s.replace(b'{"name"', b"{name"),
    "bad key": lambda s: s.replace(b',"1",', b',"",'),
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_snapshot_restores_nothing(
    open_store: OpenStore, corrupt: Callable[[bytes], bytes]
) -> None:
    snapshot = snapshot_of(filled(open_store()))
    damaged = corrupt(snapshot)
    assert damaged != snapshot
    store = open_store()
    store.apply(1, [Put("products", "kept", {})])
    before = state(store)
    with pytest.raises(CorruptSnapshot):
        store.restore(io.BytesIO(damaged))
    assert state(store) == before


def test_a_snapshot_that_repeats_a_record_is_refused_even_with_a_matching_header(
    open_store: OpenStore,
) -> None:
    record = ("clients", b"1", b'{"name":"Ana"}')
    hashed = digest.record_hash(*record)
    header = snapshots.Header(
        list(TABLES), 1, 2, digest.hexdigest(digest.with_record(hashed, hashed))
    )
    forged = io.BytesIO()
    snapshots.write(forged, header, [record, record])
    store = open_store()
    with pytest.raises(CorruptSnapshot, match="repeats the record"):
        store.restore(io.BytesIO(forged.getvalue()))
    assert state(store) == (0, "0" * 64, {table: [] for table in TABLES})


def test_a_snapshot_of_other_tables_is_refused(tmp_path: Path) -> None:
    snapshot = snapshot_of(filled(MemoryStore()))
    for store in (MemoryStore(TABLES[:-1]), LmdbStore(tmp_path, tables=TABLES[:-1])):
        with pytest.raises(CorruptSnapshot, match="holds the tables"):
            store.restore(io.BytesIO(snapshot))
        store.close()


def test_a_closed_store_neither_snapshots_nor_restores(store: Store) -> None:
    snapshot = snapshot_of(store)
    store.close()
    with pytest.raises(StoreClosed):
        store.snapshot(io.BytesIO())
    with pytest.raises(StoreClosed):
        store.restore(io.BytesIO(snapshot))
