"""The store of one partition replica: its records by table and its Raft-applied index.

A replica applies each committed Raft entry to its store with `apply(index, writes)`,
so the store always holds exactly the effects of the log up to `applied_index()`: after
a restart the replica replays the log from the entry after it. Records are JSON values
the store does not interpret; the domain's meaning lives in the state machine.

Concurrency: every method may be called from any thread. `apply` and `restore` are
serialized; each read (`get`, `scan`, `applied_index`, `digest`, `snapshot`) sees the
state between two of them, never part of a batch. Two reads may see different moments:
to tag a value with an index it is at least as new as (a cache entry's), read
`applied_index()` first, then the value. `close` must not race other calls.

Ownership: a store keeps its own copy of every value it is given, so the caller may
change a value after `apply` returns; and every value it returns is a fresh copy the
caller owns and may change without affecting the store.

Errors: each method names what it raises; all are `StoreError`s (errors.py) but the
ValueError of a negative scan limit. A call that raises changes nothing. Any call may
raise `StoreClosed` after `close()`, and a plain `StoreError` (its cause
chained) when the storage medium fails: like etcd's raft after a `Storage` error, the
replica should then stop and be restarted, not carry on.

Crashes: a process that dies between two calls or during one leaves each `apply` and
`restore` whole or absent, never in part: the one in progress may be there or not, and
the applied index always says which. What survives the process depends on the store:
see each implementation's durability.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any, Final, Protocol, TypeAlias

# A JSON value: dict with str keys, list, str, int, float (finite), bool; None inside.
Json: TypeAlias = Any

# The tables of a partition. The domain's records, the replicated indexes that let a
# partition check "still referenced" when the order lives in another partition, and
# two-phase commit's records: a participant's prepared transactions and the locks
# they hold, and the coordinator's decisions (kept in the OID's partition).
TABLES: Final = (
    "clients",
    "products",
    "orders",
    "client_orders",
    "product_orders",
    "transactions",
    "locks",
    "decisions",
)
# Two SPEC.md IDs (256 code points each, up to 4 UTF-8 bytes per code point) and more.
MAX_KEY_BYTES: Final = 4096


@dataclass(frozen=True, slots=True)
class Put:
    """Store `value` as the record `key` of `table`, replacing any record there."""

    table: str
    key: str
    value: Json


@dataclass(frozen=True, slots=True)
class Delete:
    """Remove the record `key` of `table`; deleting a missing record is a no-op."""

    table: str
    key: str


Write: TypeAlias = Put | Delete


class Store(Protocol):
    def get(self, table: str, key: str) -> Json | None:
        """The record `key` of `table`, or None when there is none.

        A record is never null (`apply` refuses a null value), so None always means
        absent. Raises UnknownTable, or InvalidKey for a key no record can have.
        """
        ...

    def scan(
        self,
        table: str,
        start: str | None = None,
        stop: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, Json]]:
        """The records of `table` with `start <= key < stop`, sorted by key, as (key, value).

        Keys sort by code point, which is the byte order of their UTF-8 (Python's own
        `sorted` on str). A bound of None leaves that side open; `limit` (None: no
        limit, else >= 0) keeps the first records only. A list, read at one moment: the
        caller owns it. Raises UnknownTable, InvalidKey for a bound, ValueError for a
        negative limit.
        """
        ...

    def apply(self, index: int, writes: Sequence[Write]) -> None:
        """Apply `writes` in order and make `index` the applied index: all, or nothing.

        `index` must be greater than `applied_index()` (it need not be the next one:
        log entries that write nothing may be skipped), else StaleIndex is raised: so a
        replica replaying entries it has already applied learns it. Several
        writes to one record apply in order: the last one wins. An empty batch only
        moves the index. Every write is checked before any is applied: UnknownTable,
        InvalidKey, InvalidValue (not JSON, a value that would not read back equal,
        such as a tuple or a dict with int keys, or a null record), StoreError for an
        item that is not a Put or a Delete, StoreFull; then nothing has changed, the
        applied index included.
        """
        ...

    def applied_index(self) -> int:
        """The index given to the last `apply` (or restored): 0 for a new store."""
        ...

    def digest(self) -> str:
        """A hex digest of the records (not of the applied index), kept up to date by `apply`.

        Two stores with the same records have the same digest, whatever the order
        of the writes that built them; it is a sum of per-record hashes (digest.py),
        so different records collide only by chance (about 2**-256) -- it detects
        divergence, it does not authenticate. Equal records means equal tables, keys
        and JSON text (codec.py): 1 and 1.0 are different values, and so are two
        objects with the same fields in another order.
        """
        ...

    def snapshot(self, out: IO[bytes]) -> None:
        """Write the whole state at one moment (records and applied index) to `out`.

        For Raft log compaction and for a follower that lags behind the log. The
        format (snapshots.py) is the same for every implementation and checks itself:
        any store with the same tables can `restore` it. Raises StoreError, or what
        `out.write` raises. The caller owns `out` and
        closes it; applies may go on while the snapshot is written.
        """
        ...

    def restore(self, source: IO[bytes]) -> None:
        """Replace the whole state, applied index included, with a `snapshot`'s.

        The index may be lower than the current one: the snapshot wins. All or
        nothing: CorruptSnapshot for a stream that is truncated, altered or of other
        tables, StoreFull when it does not fit; then the state is unchanged.
        """
        ...

    def close(self) -> None:
        """Release the store's resources; later calls raise StoreClosed. Idempotent."""
        ...
