"""A call's arguments checked and encoded before the call changes anything.

Both stores check a whole batch here first, which is what makes `apply` all or nothing
for bad input: a write that fails is found before the first one is applied.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from plugins.pysyncobj_raft_partitioned.store.codec import encode_key, encode_value
from plugins.pysyncobj_raft_partitioned.store.errors import StaleIndex, StoreError, UnknownTable
from plugins.pysyncobj_raft_partitioned.store.interface import Delete, Put, Write


@dataclass(frozen=True, slots=True)
class Encoded:
    table: str
    key: bytes
    value: bytes | None  # None deletes


def check_table(tables: Collection[str], table: str) -> None:
    if table not in tables:
        raise UnknownTable(f"the table {table!r:.80} is not one of this store's: {sorted(tables)}")


def check_index(index: int, applied: int) -> None:
    # bool is an int, but True as a log index is a bug, not index 1.
    if not isinstance(index, int) or isinstance(index, bool) or index <= applied:
        raise StaleIndex(
            f"the index must be an integer greater than the applied index {applied}; "
            f"got {index!r:.40}"
        )


def check_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise ValueError(f"the limit must be None or at least 0; got {limit}")


def encode_writes(tables: Collection[str], writes: Sequence[Write]) -> list[Encoded]:
    encoded: list[Encoded] = []
    for position, write in enumerate(writes):
        if not isinstance(write, Put | Delete):
            raise StoreError(f"write {position} is a {type(write).__name__}, not a Put or a Delete")
        check_table(tables, write.table)
        key = encode_key(write.key)
        value = None
        if isinstance(write, Put):
            value = encode_value(write.value, f"{write.table}[{write.key!r:.80}]")
        encoded.append(Encoded(write.table, key, value))
    return encoded
