"""What only the LMDB store promises: its state survives a close and a killed process."""

import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, get_args

import pytest

from plugins.pysyncobj_raft_partitioned.store import (
    TABLES,
    Delete,
    Durability,
    IncompatibleStore,
    LmdbStore,
    MemoryStore,
    Put,
    Store,
    StoreError,
    StoreFull,
)
from tests.plugins.pysyncobj_raft_partitioned.store.support import filled, state
from tests.plugins.pysyncobj_raft_partitioned.store.writer import batch

ROOT = Path(__file__).resolve().parents[4]
WRITER = "tests.plugins.pysyncobj_raft_partitioned.store.writer"


@pytest.mark.parametrize("durability", get_args(Durability))
def test_a_reopened_store_has_the_state_it_was_closed_with(
    tmp_path: Path, durability: Durability
) -> None:
    store = filled(LmdbStore(tmp_path, durability=durability))
    before = state(store)
    store.close()
    reopened = LmdbStore(tmp_path, durability=durability)
    assert state(reopened) == before
    reopened.apply(6, [Delete("clients", "1")])  # and it goes on from there
    assert reopened.get("clients", "1") is None
    reopened.close()


def test_a_full_store_says_so_and_applies_nothing(tmp_path: Path) -> None:
    store = LmdbStore(tmp_path, map_size=1 << 18)
    store.apply(1, [Put("clients", "1", {"kept": True})])
    before = state(store)
    big = [Put("orders", str(n), "x" * 10_000) for n in range(100)]
    with pytest.raises(StoreFull, match=r"map size is 262144 bytes.*larger map_size"):
        store.apply(2, big)
    assert state(store) == before
    store.apply(2, [Put("clients", "2", {})])  # still usable
    store.close()
    larger = LmdbStore(tmp_path, map_size=1 << 23)
    larger.apply(3, big)
    assert larger.get("clients", "1") == {"kept": True}
    assert len(larger.scan("orders")) == 100
    larger.close()


def test_a_directory_is_opened_once_per_process(tmp_path: Path) -> None:
    store = LmdbStore(tmp_path)
    with pytest.raises(StoreError, match="already open"):
        LmdbStore(tmp_path)
    store.close()
    LmdbStore(tmp_path).close()  # free again once closed


def test_a_directory_holding_other_tables_is_refused(tmp_path: Path) -> None:
    LmdbStore(tmp_path).close()
    with pytest.raises(IncompatibleStore, match="holds the tables"):
        LmdbStore(tmp_path, tables=("clients", "products"))
    LmdbStore(tmp_path).close()  # the refusal released the directory


def test_a_directory_that_cannot_be_made_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StoreError, match="cannot be created"):
        LmdbStore(tmp_path / "file" / "store")


def replayed(index: int) -> Store:
    """A memory store given exactly the writer's batches 1..index."""
    expected = MemoryStore()
    for number in range(1, index + 1):
        expected.apply(number, batch(number))
    return expected


def applied_lines(stdout: IO[str]) -> "queue.Queue[str]":
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def run_and_kill(directory: Path, durability: str, batches: int) -> int:
    """Start the writer, SIGKILL it once it has applied `batches` more; the last index
    it reported as applied."""
    writer = subprocess.Popen(
        [sys.executable, "-m", WRITER, str(directory), durability],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        lines = applied_lines(writer.stdout)
        deadline = time.monotonic() + 60
        reported: list[int] = []
        while len(reported) < batches:
            reported.append(int(lines.get(timeout=max(0.0, deadline - time.monotonic()))))
        writer.send_signal(signal.SIGKILL)  # most likely in the middle of the next apply
    finally:
        writer.kill()
        writer.wait()
    assert writer.returncode == -signal.SIGKILL
    return reported[-1]


@pytest.mark.parametrize("durability", ["full", "none"])
def test_a_killed_writer_leaves_exactly_the_batches_up_to_the_applied_index(
    tmp_path: Path, durability: str
) -> None:
    for _ in range(2):  # the second writer recovers the first one's store, then is killed
        last_reported = run_and_kill(tmp_path, durability, batches=25)
        store = LmdbStore(tmp_path)
        index = store.applied_index()
        # A process crash loses nothing that was applied, even without fsync.
        assert index >= last_reported
        expected = replayed(index)
        assert store.digest() == expected.digest()
        assert all(store.scan(table) == expected.scan(table) for table in TABLES)
        store.close()
