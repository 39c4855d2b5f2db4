"""Writes not yet applied, over a store: what the operations of one entry read and write.

An entry's operations each see the ones before it, and the entry's writes reach the
store in one `apply` (one transaction, all or nothing). The values written are kept as
given, not copied: the entry owns them until it applies them.
"""

from dataclasses import dataclass, field

from plugins.pysyncobj_raft_partitioned.store.interface import Delete, Json, Put, Store, Write


@dataclass
class Overlay:
    store: Store
    _pending: dict[tuple[str, str], Json | None] = field(default_factory=dict)  # None: deleted

    def get(self, table: str, key: str) -> Json | None:
        where = (table, key)
        return self._pending[where] if where in self._pending else self.store.get(table, key)

    def write(self, writes: list[Write]) -> None:
        for write in writes:
            value = write.value if isinstance(write, Put) else None
            self._pending[(write.table, write.key)] = value

    def writes(self) -> list[Write]:
        """The net writes, one per record: the last one made to it wins, as in `apply`."""
        return [
            Delete(table, key) if value is None else Put(table, key, value)
            for (table, key), value in self._pending.items()
        ]
