"""One partition's replicated state machine: its records, locks, transactions, decisions.

Each method is one kind of Raft log entry, applied on every replica of the partition
in log order (`index` is the entry's log index); each is deterministic and does all
its changes in one `Store.apply`, with the index, so a replica that restarts knows
which entries its store already holds (`applied`) and skips them.

Two-phase commit, with the rules in `core.domain` (see `core.domain.partitions`):

- `prepare(txid, keys)` locks the keys for the transaction and returns their values,
  unless another transaction holds one (LOCKED: nothing changes, the coordinator
  aborts and retries). A transaction may prepare more keys later (an order's lines).
- The coordinator decides on the values (`decide` of the domain), then, when more than
  one partition takes part, records its decision in the decider partition (the
  OID's): `decision(txid, commit, writes)`. The first decision for a txid is kept;
  recovery asks with commit = False, so a transaction whose coordinator vanished
  before deciding is aborted (presumed abort), and one it decided is finished.
- `commit(txid, writes)` stores this partition's writes and releases the locks;
  `abort(txid)` only releases them. A commit for a transaction that is not prepared
  here (aborted by recovery, or done) writes nothing: UNKNOWN_TX.
- `execute(index, commands)` is the fast path: commands whose records all lie in this
  partition, in one entry (the replica batches those that arrive together). Each is
  decided here by the one state machine on the records as stored, after the batch's
  earlier commands (`core.domain.partitions.settle`), and the batch's writes are
  stored in one apply. It takes no lock: a record that a prepared transaction holds
  makes that command LOCKED and change nothing, so it never changes what a
  transaction read (the coordinator retries it as after a LOCKED prepare). Records of
  other partitions (an order's lines, known only from the stored order):
  CROSS_PARTITION, nothing changed; the coordinator runs two-phase commit instead.
- `read(keys)` answers LOCKED while a transaction holds one of the keys, so no
  reader sees one partition's half of a transaction before the other's.

Store tables: the records (`core.domain.partitions.Key` tables), "locks" (a key,
as JSON [table, id] -> txid), "transactions" (txid -> {"keys", "decider", "since"}:
`since` is the log index of its first prepare, for recovery's age) and "decisions"
(txid -> {"commit", "writes": {partition: [[table, id, value], ...]}}).
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from core.domain import Command, Reply
from core.domain import commands as c
from core.domain.partitions import Key, Value, footprint, partition_of, settle
from plugins.pysyncobj_raft_partitioned.store.interface import Delete, Put, Store, Write

RECORD_TABLES: Final = (
    "clients", "products", "orders", "client_orders", "product_refs", "units_held"
)  # fmt: skip
TABLES: Final = (*RECORD_TABLES, "locks", "transactions", "decisions")


class Status(Enum):
    OK = "ok"
    LOCKED = "locked"
    UNKNOWN_TX = "unknown-tx"
    CROSS_PARTITION = "cross-partition"


@dataclass(frozen=True)
class Answer:
    status: Status
    records: Mapping[Key, Value]  # for prepare and read: every key asked for
    detail: str = ""


@dataclass(frozen=True)
class Executed:
    status: Status  # OK: `reply` is the command's; LOCKED, CROSS_PARTITION: nothing changed
    reply: Reply | None = None
    changed: tuple[Key, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class Decision:
    commit: bool
    writes: Mapping[int, Mapping[Key, Value]]  # per partition


def lock_name(key: Key) -> str:
    return json.dumps(list(key), ensure_ascii=False)


class Participant:
    def __init__(self, store: Store) -> None:
        self.store = store

    def applied(self, index: int) -> bool:
        """Whether the entry at `index` is already in the store (replayed after a restart)."""
        return index <= self.store.applied_index()

    def prepare(self, index: int, txid: str, keys: Iterable[Key], decider: int) -> Answer:
        wanted = sorted(set(keys))
        holders = {key: self.store.get("locks", lock_name(key)) for key in wanted}
        taken = sorted(k for k, holder in holders.items() if holder not in (None, txid))
        if taken:
            self.store.apply(index, [])
            return Answer(Status.LOCKED, {}, f"held by another transaction: {taken[0]}")
        known = self.store.get("transactions", txid)
        held = [tuple(key) for key in known["keys"]] if known else []
        every = sorted({*map(tuple, held), *wanted})
        since = known["since"] if known else index
        writes: list[Write] = [Put("locks", lock_name(key), txid) for key in wanted]
        entry = {"keys": [list(key) for key in every], "decider": decider, "since": since}
        writes.append(Put("transactions", txid, entry))
        values = {key: self.store.get(*key) for key in wanted}
        self.store.apply(index, writes)
        return Answer(Status.OK, values)

    def commit(self, index: int, txid: str, writes: Mapping[Key, Value]) -> Answer:
        known = self.store.get("transactions", txid)
        if known is None:
            self.store.apply(index, [])
            return Answer(Status.UNKNOWN_TX, {}, f"transaction {txid} is not prepared here")
        self.store.apply(index, _stored(writes) + self._release(txid, known))
        return Answer(Status.OK, {})

    def execute(
        self, index: int, commands: Sequence[Command], partition: int, partitions: int
    ) -> list[Executed]:
        """Decide and apply each command in turn, as if each were an entry of its own,
        in one store apply; each command's records must all lie in `partition`."""
        done: dict[Key, Value] = {}  # what the batch's earlier commands wrote

        def value(key: Key) -> Value:
            return done[key] if key in done else self.store.get(*key)

        results = []
        for command in commands:
            executed, changes = self._execute(command, value, partition, partitions)
            done.update(changes)
            results.append(executed)
        self.store.apply(index, _stored(done))
        return results

    def _execute(
        self, command: Command, value: Callable[[Key], Value], partition: int, partitions: int
    ) -> tuple[Executed, dict[Key, Value]]:
        # An order's update or deletion touches the products its stored lines name.
        order = None
        if isinstance(command, c.UpdateOrder | c.DeleteOrder):
            order = value(("orders", command.oid))
        keys = sorted(footprint(command, order))
        elsewhere = [key for key in keys if partition_of(key[1], partitions) != partition]
        if elsewhere:
            where = partition_of(elsewhere[0][1], partitions)
            return Executed(
                Status.CROSS_PARTITION, detail=f"{elsewhere[0]} is in partition {where}"
            ), {}
        # Locks change only through prepare, commit and abort: none within the batch.
        locked = next(
            (key for key in keys if self.store.get("locks", lock_name(key)) is not None), None
        )
        if locked is not None:
            return Executed(Status.LOCKED, detail=f"held by a transaction: {locked}"), {}
        reply, changes = settle(command, {key: value(key) for key in keys})
        return Executed(Status.OK, reply, tuple(changes)), changes

    def abort(self, index: int, txid: str) -> Answer:
        known = self.store.get("transactions", txid)
        self.store.apply(index, [] if known is None else self._release(txid, known))
        return Answer(Status.OK if known else Status.UNKNOWN_TX, {})

    def decision(
        self, index: int, txid: str, commit: bool, writes: Mapping[int, Mapping[Key, Value]]
    ) -> Decision:
        """Record the decision for `txid`, unless one is recorded: then return that one."""
        kept = self.store.get("decisions", txid)
        if kept is not None:
            self.store.apply(index, [])
            return _decision(kept)
        document = {
            "commit": commit,
            "writes": {
                str(part): [[key[0], key[1], value] for key, value in changes.items()]
                for part, changes in writes.items()
            }
            if commit
            else {},
        }
        self.store.apply(index, [Put("decisions", txid, document)])
        return _decision(document)

    def held_elsewhere(self, txid: str, keys: Iterable[Key]) -> Key | None:
        """A key another transaction holds in this replica's state now, if any.

        Read outside the log, so possibly behind it: a lock just released may still
        show (the caller retries, as after a LOCKED prepare); a lock taken but not yet
        applied here does not show, and the prepare through the log decides.
        """
        for key in sorted(set(keys)):
            if self.store.get("locks", lock_name(key)) not in (None, txid):
                return key
        return None

    def read(self, keys: Iterable[Key]) -> Answer:
        wanted = sorted(set(keys))
        for key in wanted:
            if self.store.get("locks", lock_name(key)) is not None:
                return Answer(Status.LOCKED, {}, f"{key} is being changed by a transaction")
        return Answer(Status.OK, {key: self.store.get(*key) for key in wanted})

    def transactions(self) -> dict[str, Any]:
        """The prepared transactions: txid -> {"keys", "decider", "since"}."""
        return dict(self.store.scan("transactions"))

    def _release(self, txid: str, known: Mapping[str, Any]) -> list[Write]:
        locks: list[Write] = [Delete("locks", lock_name(tuple(key))) for key in known["keys"]]
        return [*locks, Delete("transactions", txid)]


def _stored(writes: Mapping[Key, Value]) -> list[Write]:
    return [
        Delete(*key) if value is None else Put(key[0], key[1], value)
        for key, value in writes.items()
    ]


def _decision(document: Mapping[str, Any]) -> Decision:
    writes = {
        int(part): {(table, key): value for table, key, value in changes}
        for part, changes in document["writes"].items()
    }
    return Decision(bool(document["commit"]), writes)
