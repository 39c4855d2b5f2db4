"""`LmdbStore`: the store in an LMDB environment, the one a storage replica keeps on disk.

One environment per replica data directory (`directory`, created if missing), one
named DB per table and a meta DB holding the applied index and the digest, so that
`apply` moves records, index and digest in one LMDB write transaction: all or nothing,
also across a crash. Values are compact JSON (codec.py); long keys, lmdb_keys.py.

Durability (`durability`, lmdb_env.py): by default an `apply` is on disk when it
returns. Reopening the directory, after `close()` or after the process was killed,
gives the state of the last committed apply: its records, index and digest.

`map_size` bounds the environment (LMDB reserves that much address space; the file
grows with the data). A batch that does not fit raises StoreFull and changes nothing;
reopen with a larger `map_size` to go on, the data is kept.
"""

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Final

import lmdb

from plugins.pysyncobj_raft_partitioned.store import digest, lmdb_keys, ranges, snapshots
from plugins.pysyncobj_raft_partitioned.store.arguments import (
    check_index,
    check_limit,
    check_table,
    encode_writes,
)
from plugins.pysyncobj_raft_partitioned.store.codec import decode_key, decode_value, encode_key
from plugins.pysyncobj_raft_partitioned.store.errors import CorruptSnapshot, StoreClosed
from plugins.pysyncobj_raft_partitioned.store.interface import TABLES, Json, Store, Write
from plugins.pysyncobj_raft_partitioned.store.lmdb_env import (
    DIGEST_KEY,
    INDEX_KEY,
    Durability,
    Environment,
    Medium,
    decode_number,
    encode_digest,
    encode_index,
    open_environment,
)

DEFAULT_MAP_SIZE: Final = 1 << 30  # 1 GiB: far beyond a test run, cheap to reserve


class LmdbStore(Store):
    def __init__(
        self,
        directory: Path,
        *,
        tables: tuple[str, ...] = TABLES,
        map_size: int = DEFAULT_MAP_SIZE,
        durability: Durability = "full",
    ) -> None:
        self._names = tables
        self._env: Environment | None = open_environment(directory, tables, map_size, durability)
        self._path = self._env.path
        self._medium = Medium(self._path, map_size)

    def _open(self) -> Environment:
        if self._env is None:
            raise StoreClosed(f"the store at {self._path} is closed")
        return self._env

    def get(self, table: str, key: str) -> Json | None:
        check_table(self._names, table)
        encoded = encode_key(key)
        env = self._open()
        stored_key = lmdb_keys.stored_key(encoded)
        with self._medium, env.env.begin(db=env.tables[table]) as txn:
            stored = txn.get(stored_key)
        return None if stored is None else decode_value(lmdb_keys.unwrap(stored_key, stored)[1])

    def scan(
        self,
        table: str,
        start: str | None = None,
        stop: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, Json]]:
        check_table(self._names, table)
        low = None if start is None else encode_key(start)
        high = None if stop is None else encode_key(stop)
        check_limit(limit)
        env = self._open()
        with self._medium, env.env.begin(db=env.tables[table]) as txn:
            cursor = txn.cursor()
            # An unpositioned cursor would iterate from the first key: nothing is >= low.
            found = cursor.first() if low is None else cursor.set_range(lmdb_keys.lower_bound(low))
            stored = cursor.iternext() if found else iter(())
            chosen = ranges.bounded(lmdb_keys.ordered(stored), low, high, limit)
        return [(decode_key(key), decode_value(value)) for key, value in chosen]

    def apply(self, index: int, writes: Sequence[Write]) -> None:
        encoded = encode_writes(self._names, writes)
        env = self._open()
        with self._medium, env.env.begin(write=True) as txn:
            check_index(index, decode_number(txn.get(INDEX_KEY, db=env.meta) or b""))
            total = decode_number(txn.get(DIGEST_KEY, db=env.meta) or b"")
            for write in encoded:
                db, stored_key = env.tables[write.table], lmdb_keys.stored_key(write.key)
                if write.value is None:
                    old = txn.pop(stored_key, db=db)
                else:
                    old = txn.replace(stored_key, lmdb_keys.wrap(write.key, write.value), db=db)
                    total = digest.with_record(
                        total, digest.record_hash(write.table, write.key, write.value)
                    )
                if old is not None:
                    _, old_value = lmdb_keys.unwrap(stored_key, old)
                    total = digest.without_record(
                        total, digest.record_hash(write.table, write.key, old_value)
                    )
            txn.put(INDEX_KEY, encode_index(index), db=env.meta)
            txn.put(DIGEST_KEY, encode_digest(total), db=env.meta)

    def applied_index(self) -> int:
        return self._meta(INDEX_KEY)

    def digest(self) -> str:
        return digest.hexdigest(self._meta(DIGEST_KEY))

    def _meta(self, key: bytes) -> int:
        env = self._open()
        with self._medium, env.env.begin(db=env.meta) as txn:
            return decode_number(txn.get(key) or b"")

    def snapshot(self, out: IO[bytes]) -> None:
        env = self._open()
        # One read transaction: a consistent view while applies go on beside it.
        with self._medium, env.env.begin() as txn:
            header = snapshots.Header(
                list(self._names),
                decode_number(txn.get(INDEX_KEY, db=env.meta) or b""),
                sum(txn.stat(db)["entries"] for db in env.tables.values()),
                digest.hexdigest(decode_number(txn.get(DIGEST_KEY, db=env.meta) or b"")),
            )
            snapshots.write(out, header, self._records(txn, env))

    def _records(
        self, txn: "lmdb.Transaction[bytes]", env: Environment
    ) -> Iterator[snapshots.Record]:
        for name in self._names:
            cursor = txn.cursor(db=env.tables[name])
            if cursor.first():
                for key, value in lmdb_keys.ordered(cursor.iternext()):
                    yield name, key, value

    def restore(self, source: IO[bytes]) -> None:
        env = self._open()
        header, records = snapshots.read(source, self._names)
        with self._medium, env.env.begin(write=True) as txn:
            for db in env.tables.values():
                txn.drop(db, delete=False)
            # A CorruptSnapshot raised by the last record aborts the whole transaction.
            for table, key, value in records:
                stored = lmdb_keys.stored_key(key), lmdb_keys.wrap(key, value)
                if not txn.put(*stored, db=env.tables[table], overwrite=False):
                    raise CorruptSnapshot(f"the snapshot repeats the record {table}[{key!r:.80}]")
            txn.put(INDEX_KEY, encode_index(header.applied_index), db=env.meta)
            txn.put(DIGEST_KEY, encode_digest(int(header.digest, 16)), db=env.meta)

    def close(self) -> None:
        if self._env is not None:
            self._env.env.close()
            self._env = None
