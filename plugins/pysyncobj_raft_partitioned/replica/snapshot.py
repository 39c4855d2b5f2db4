"""PySyncObj's snapshot file for a replica: its Raft bookkeeping, then the store's snapshot.

PySyncObj calls these as its custom `serializer`/`deserializer` on its own thread, the
one that applies entries, so the store written is the state at the log position it
records (or later: the store's own applied index travels with it, so a replica that
loads it skips the entries the store already holds). The file is a pickle of what
PySyncObj hands over, followed by the stream of `Store.snapshot`.

Loading keeps a store that already holds the snapshot's index or a later one: an
LMDB store that survived a restart is at least as new as the last compaction, and
replacing it would only undo entries that the journal would then replay.
"""

import json
import pickle
from collections.abc import Callable
from typing import Any

from plugins.pysyncobj_raft_partitioned.store import Store

Write = Callable[[str, Any], None]
Read = Callable[[str], Any]


def writer(store: Store) -> Write:
    def write(path: str, raft: Any) -> None:
        with open(path, "wb") as file:
            pickle.dump(raft, file, pickle.HIGHEST_PROTOCOL)
            store.snapshot(file)

    return write


def reader(store: Store) -> Read:
    def read(path: str) -> Any:
        # Our own file, or the leader's sent by PySyncObj, which unpickles its peers anyway.
        with open(path, "rb") as file:
            raft = pickle.load(file)
            start = file.tell()
            index = json.loads(file.readline())["applied_index"]
            if store.applied_index() < index:
                file.seek(start)
                store.restore(file)
        return raft

    return read
