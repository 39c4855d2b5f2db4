"""The snapshot file: the replica's tables plus the Raft bookkeeping PySyncObj hands us.

PySyncObj calls these as its custom `serializer`/`deserializer` when it compacts the
journal, when it restarts from its files and when a lagging follower receives the
leader's snapshot. They run on PySyncObj's own thread, the one that applies committed
commands, so the tables written are exactly the state at the log index PySyncObj
records with them. Only the tables are stored (`State.snapshot()`): the indexes are
derived on load, so a snapshot never depends on their layout. PySyncObj writes to a
temporary file and renames it, so a crash mid-write leaves the previous snapshot.
"""

import pickle
from collections.abc import Callable
from typing import Any

from core.domain import State
from core.replica import Replica

Write = Callable[[str, Any], None]
Read = Callable[[str], Any]


def writer(replica: Replica) -> Write:
    def write(path: str, raft: Any) -> None:
        with open(path, "wb") as file:
            pickle.dump({"tables": replica.snapshot(), "raft": raft}, file, pickle.HIGHEST_PROTOCOL)

    return write


def reader(replica: Replica) -> Read:
    def read(path: str) -> Any:
        # Our own file, in our own data directory: as trusted as the journal beside it.
        with open(path, "rb") as file:
            saved = pickle.load(file)
        replica.replace(State.from_snapshot(saved["tables"]))
        return saved["raft"]

    return read
