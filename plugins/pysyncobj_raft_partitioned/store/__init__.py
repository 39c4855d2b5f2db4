"""The store of a partition replica: an interface, an in-memory double and LMDB.

interface.py holds the contract (`Store`, `Put`, `Delete`, `TABLES`); memory.py and
lmdb_store.py implement it; errors.py lists what they raise.
"""

from plugins.pysyncobj_raft_partitioned.store.errors import (
    CorruptSnapshot,
    IncompatibleStore,
    InvalidKey,
    InvalidValue,
    StaleIndex,
    StoreClosed,
    StoreError,
    StoreFull,
    UnknownTable,
)
from plugins.pysyncobj_raft_partitioned.store.interface import (
    MAX_KEY_BYTES,
    TABLES,
    Delete,
    Json,
    Put,
    Store,
    Write,
)
from plugins.pysyncobj_raft_partitioned.store.lmdb_env import Durability
from plugins.pysyncobj_raft_partitioned.store.lmdb_store import DEFAULT_MAP_SIZE, LmdbStore
from plugins.pysyncobj_raft_partitioned.store.memory import MemoryStore

__all__ = [
    "DEFAULT_MAP_SIZE",
    "MAX_KEY_BYTES",
    "TABLES",
    "CorruptSnapshot",
    "Delete",
    "Durability",
    "IncompatibleStore",
    "InvalidKey",
    "InvalidValue",
    "Json",
    "LmdbStore",
    "MemoryStore",
    "Put",
    "StaleIndex",
    "Store",
    "StoreClosed",
    "StoreError",
    "StoreFull",
    "UnknownTable",
    "Write",
]
