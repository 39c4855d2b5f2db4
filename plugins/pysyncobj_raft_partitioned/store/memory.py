"""`MemoryStore`: the store in a few dicts behind a lock. The test double.

It keeps each value as the JSON bytes the LMDB store would write, so both
return the same values, sort the same keys and compute the same digest. Durability:
none; the state dies with the process.
"""

import threading
from collections.abc import Sequence
from typing import IO

from plugins.pysyncobj_raft_partitioned.store import digest, ranges, snapshots
from plugins.pysyncobj_raft_partitioned.store.arguments import (
    check_index,
    check_limit,
    check_table,
    encode_writes,
)
from plugins.pysyncobj_raft_partitioned.store.codec import decode_key, decode_value, encode_key
from plugins.pysyncobj_raft_partitioned.store.errors import CorruptSnapshot, StoreClosed
from plugins.pysyncobj_raft_partitioned.store.interface import TABLES, Json, Store, Write

Tables = dict[str, dict[bytes, bytes]]  # table -> UTF-8 key -> JSON value


class MemoryStore(Store):
    def __init__(self, tables: tuple[str, ...] = TABLES) -> None:
        self._names = tables
        self._tables: Tables = {name: {} for name in tables}
        self._index = 0
        self._digest = digest.EMPTY
        self._lock = threading.Lock()
        self._closed = False

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosed("the memory store is closed")

    def get(self, table: str, key: str) -> Json | None:
        check_table(self._names, table)
        encoded = encode_key(key)
        with self._lock:
            self._check_open()
            value = self._tables[table].get(encoded)
        return None if value is None else decode_value(value)

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
        with self._lock:
            self._check_open()
            items = list(self._tables[table].items())
        chosen = ranges.bounded(sorted(items), low, high, limit)
        return [(decode_key(key), decode_value(value)) for key, value in chosen]

    def apply(self, index: int, writes: Sequence[Write]) -> None:
        encoded = encode_writes(self._names, writes)
        with self._lock:
            self._check_open()
            check_index(index, self._index)
            total = self._digest
            for write in encoded:
                records = self._tables[write.table]
                if (old := records.pop(write.key, None)) is not None:
                    total = digest.without_record(
                        total, digest.record_hash(write.table, write.key, old)
                    )
                if write.value is not None:
                    records[write.key] = write.value
                    total = digest.with_record(
                        total, digest.record_hash(write.table, write.key, write.value)
                    )
            self._index, self._digest = index, total

    def applied_index(self) -> int:
        with self._lock:
            self._check_open()
            return self._index

    def digest(self) -> str:
        with self._lock:
            self._check_open()
            return digest.hexdigest(self._digest)

    def snapshot(self, out: IO[bytes]) -> None:
        with self._lock:
            self._check_open()
            # Values are immutable bytes: copying the dicts is enough for a consistent view.
            tables = {name: dict(records) for name, records in self._tables.items()}
            header = snapshots.Header(
                list(self._names),
                self._index,
                sum(map(len, tables.values())),
                digest.hexdigest(self._digest),
            )
        records = (
            (name, key, tables[name][key]) for name in self._names for key in sorted(tables[name])
        )
        snapshots.write(out, header, records)

    def restore(self, source: IO[bytes]) -> None:
        self._check_open()
        header, records = snapshots.read(source, self._names)
        tables: Tables = {name: {} for name in self._names}
        for table, key, value in records:
            if key in tables[table]:
                raise CorruptSnapshot(f"the snapshot repeats the record {table}[{key!r:.80}]")
            tables[table][key] = value
        with self._lock:
            self._check_open()
            self._tables, self._index = tables, header.applied_index
            self._digest = int(header.digest, 16)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._tables = {}
