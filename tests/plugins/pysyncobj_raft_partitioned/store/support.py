"""Helpers of the store tests: a store's whole observable state, and a store with data."""

import io
from typing import Any

from plugins.pysyncobj_raft_partitioned.store import TABLES, Delete, Put, Store


def state(store: Store) -> tuple[int, str, dict[str, list[tuple[str, Any]]]]:
    return store.applied_index(), store.digest(), {t: store.scan(t) for t in TABLES}


LONG = "k" * 600  # beyond LMDB's own key size


def filled(store: Store) -> Store:
    store.apply(
        3,
        [
            Put("clients", "1", {"name": "Ana"}),
            Put("clients", LONG + "b", {"long": 2}),
            Put("clients", LONG + "a", {"long": 1}),
            Put("orders", "é\n", {"CID": "1", "products": [{"PID": "p", "quantity": 2}]}),
            Put("decisions", "t1", "commit"),
        ],
    )
    store.apply(5, [Delete("decisions", "t1"), Put("locks", "p", {"tx": "t2"})])
    return store


def snapshot_of(store: Store) -> bytes:
    out = io.BytesIO()
    store.snapshot(out)
    return out.getvalue()
