"""Every store test runs against both implementations: the contract is theirs alike."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plugins.pysyncobj_raft_partitioned.store import LmdbStore, MemoryStore, Store

OpenStore = Callable[[], Store]


@pytest.fixture(params=["memory", "lmdb"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """Open a new, empty store of the parametrized kind; each is closed after the test."""
    opened: list[Store] = []

    def open_one() -> Store:
        store: Store
        if request.param == "memory":
            store = MemoryStore()
        else:
            store = LmdbStore(tmp_path / f"store{len(opened)}")
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: OpenStore) -> Store:
    return open_store()
