"""Opening a replica's LMDB environment: one per data directory, one named DB per table.

The meta DB records the format and the table set, so a directory is never read with
another one. LMDB must not be opened twice by one process (its POSIX locks would go
when either copy closes): py-lmdb 3 refuses that itself, raised here as a StoreError.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final, Literal

import lmdb

from plugins.pysyncobj_raft_partitioned.store import digest, lmdb_keys
from plugins.pysyncobj_raft_partitioned.store.errors import IncompatibleStore, StoreError, StoreFull

FORMAT: Final = b"replication-testbed-lmdb-store/1"
META: Final = b"meta"
FORMAT_KEY: Final = b"format"
TABLES_KEY: Final = b"tables"
INDEX_KEY: Final = b"applied_index"
DIGEST_KEY: Final = b"digest"

# "full": every apply is on disk when it returns (LMDB's default, survives power loss).
# "no-metasync": one flush per apply instead of two; an OS crash or power loss may undo
#   the last apply, never part of one.
# "none": no flush; a process crash loses nothing (the OS holds the pages), an OS crash
#   or power loss may lose recent applies and, on a file system that reorders writes,
#   corrupt the environment. For benchmarks and throwaway replicas.
Durability = Literal["full", "no-metasync", "none"]


@dataclass(frozen=True, slots=True)
class Environment:
    env: lmdb.Environment
    meta: lmdb._Database
    tables: dict[str, lmdb._Database]
    path: str


class Medium:
    """LMDB's errors as the store's, naming the directory: `with medium: ...`.

    A class, not a generator: every read of a store goes through it, and one instance
    serves every call (it keeps nothing between them).
    """

    __slots__ = ("_map_size", "_path")

    def __init__(self, path: str, map_size: int) -> None:
        self._path, self._map_size = path, map_size

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if isinstance(error, lmdb.MapFullError):
            raise StoreFull(
                f"the store at {self._path} is full: its map size is {self._map_size} bytes; "
                "nothing of this call was applied; reopen it with a larger map_size"
            ) from error
        if isinstance(error, lmdb.Error):
            raise StoreError(f"the store at {self._path} failed: {error}") from error


def _initialise(env: lmdb.Environment, tables: tuple[str, ...], path: str) -> Environment:
    listed = json.dumps(list(tables)).encode("utf-8")
    with env.begin(write=True) as txn:
        meta = env.open_db(META, txn=txn)
        found = txn.get(FORMAT_KEY, db=meta)
        if found is None:
            txn.put(FORMAT_KEY, FORMAT, db=meta)
            txn.put(TABLES_KEY, listed, db=meta)
            txn.put(INDEX_KEY, encode_index(0), db=meta)
            txn.put(DIGEST_KEY, encode_digest(digest.EMPTY), db=meta)
        elif found != FORMAT:
            raise IncompatibleStore(f"the store at {path} has the format {found!r}, not {FORMAT!r}")
        elif (held := txn.get(TABLES_KEY, db=meta)) != listed:
            raise IncompatibleStore(
                f"the store at {path} holds the tables {held!r}, not {listed!r}"
            )
        named = {name: env.open_db(b"table:" + name.encode("utf-8"), txn=txn) for name in tables}
    return Environment(env, meta, named, path)


def open_environment(
    directory: Path, tables: tuple[str, ...], map_size: int, durability: Durability
) -> Environment:
    path = os.path.realpath(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"the store's directory {path} cannot be created: {error}") from error
    medium = Medium(path, map_size)
    with medium:
        env = lmdb.open(
            path,
            map_size=map_size,
            max_dbs=len(tables) + 1,
            sync=durability != "none",
            metasync=durability == "full",
        )
    try:
        if env.max_key_size() < lmdb_keys.STORED:
            raise IncompatibleStore(
                f"this LMDB build keeps keys of at most {env.max_key_size()} bytes; "
                f"the store needs {lmdb_keys.STORED}"
            )
        with medium:
            env.reader_check()  # free the read slots of processes that died
            return _initialise(env, tables, path)
    except BaseException:
        env.close()
        raise


def encode_index(index: int) -> bytes:
    return index.to_bytes(8, "big")


def encode_digest(total: int) -> bytes:
    return total.to_bytes(32, "big")


def decode_number(stored: bytes) -> int:
    return int.from_bytes(stored, "big")
