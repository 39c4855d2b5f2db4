"""One partition's replicated state machine: its records, locks, transactions, decisions.

A Raft log entry is a list of operations (operations.py) of any kinds, applied by
`run` on every replica of the partition in log order (`index` is the entry's log
index), each after the ones before it; it is deterministic and does all the entry's
changes in one `Store.apply`, with the index, so a replica that restarts knows which
entries its store already holds (`applied`) and skips them.

Two-phase commit, with the rules in `core.domain` (see `core.domain.partitions`):

- `Prepare(txid, keys)` locks the keys for the transaction and returns their values,
  unless another transaction holds one (LOCKED: nothing changes, the coordinator
  aborts and retries). A transaction may prepare more keys later (an order's lines).
- The coordinator decides on the values (`decide` of the domain), then, when more than
  one partition takes part, records its decision in the decider partition (the
  OID's): `Decide(txid, commit, writes)`. The first decision for a txid is kept;
  recovery asks with commit = False, so a transaction whose coordinator vanished
  before deciding is aborted (presumed abort), and one it decided is finished.
- The decider carries out the decision it records or returns for a txid prepared in
  it, in the same operation: a commit stores the decision's writes for this
  partition and releases the locks, an abort releases them. So the coordinator sends
  Commit only to the other partitions, and a decider's own recovery (which asks
  itself) is done by its Decide. It is deterministic: the partition number comes
  from `run`, the prepared entry from the same view as every other operation's.
  A txid not prepared here (done, aborted, or a recovery's question from another
  partition) only gets its decision recorded or returned, so a decision returned
  again carries nothing out twice.
- `Commit(txid, writes)` stores this partition's writes and releases the locks;
  `Abort(txid)` only releases them. A commit for a transaction that is not prepared
  here (aborted by recovery, or done) writes nothing: UNKNOWN_TX.

Journals written before the decider carried out its decisions hold, in the decider, a
Decide that only recorded and later that partition's own Commit of the same writes.
Their Decides replay as they were applied: pickled without `carry_out`, they unpickle
with it False (operations.py), and only record.
- `Execute(command)` is the fast path: a command whose records all lie in this
  partition, decided here by the one state machine on the records as stored
  (`core.domain.partitions.settle`) after the entry's earlier operations. It takes
  no lock: a record that a prepared transaction holds
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, TypeAlias

from core.domain import Command, Reply
from core.domain import commands as c
from core.domain.partitions import Key, Value, footprint, partition_of, settle
from plugins.pysyncobj_raft_partitioned.operations import (
    Abort,
    Commit,
    Decide,
    Execute,
    Operation,
    Prepare,
)
from plugins.pysyncobj_raft_partitioned.store.interface import Delete, Put, Store, Write
from plugins.pysyncobj_raft_partitioned.store.overlay import Overlay

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


Outcome: TypeAlias = Answer | Decision | Executed


def lock_name(key: Key) -> str:
    return json.dumps(list(key), ensure_ascii=False)


class Participant:
    def __init__(self, store: Store) -> None:
        self.store = store

    def applied(self, index: int) -> bool:
        """Whether the entry at `index` is already in the store (replayed after a restart)."""
        return index <= self.store.applied_index()

    def run(
        self, index: int, operations: Sequence[Operation], partition: int, partitions: int
    ) -> list[Outcome]:
        """Apply the operations of the entry at `index` in turn, in one store apply.

        Each sees the ones before it and gets the answer it would get alone in an entry
        of its own: Answer for a Prepare, Commit or Abort, Decision for a Decide,
        Executed for an Execute (whose records must all lie in `partition`).
        """
        view = Overlay(self.store)
        outcomes: list[Outcome] = []
        for operation in operations:
            match operation:
                case Prepare(txid, keys, decider):
                    outcomes.append(self._prepare(view, index, txid, keys, decider))
                case Commit(txid, writes):
                    outcomes.append(self._commit(view, txid, writes))
                case Abort(txid):
                    outcomes.append(self._abort(view, txid))
                case Decide(txid, commit, writes, carry_out):
                    here = partition if carry_out else None
                    outcomes.append(self._decide(view, txid, commit, writes, here))
                case Execute(command):
                    outcomes.append(self._execute(view, command, partition, partitions))
        self.store.apply(index, view.writes())
        return outcomes

    @staticmethod
    def _prepare(view: Overlay, index: int, txid: str, keys: Iterable[Key], decider: int) -> Answer:
        wanted = sorted(set(keys))
        holders = {key: view.get("locks", lock_name(key)) for key in wanted}
        taken = sorted(k for k, holder in holders.items() if holder not in (None, txid))
        if taken:
            return Answer(Status.LOCKED, {}, f"held by another transaction: {taken[0]}")
        known = view.get("transactions", txid)
        held = [tuple(key) for key in known["keys"]] if known else []
        every = sorted({*map(tuple, held), *wanted})
        since = known["since"] if known else index
        writes: list[Write] = [Put("locks", lock_name(key), txid) for key in wanted]
        entry = {"keys": [list(key) for key in every], "decider": decider, "since": since}
        writes.append(Put("transactions", txid, entry))
        values = {key: view.get(*key) for key in wanted}
        view.write(writes)
        return Answer(Status.OK, values)

    @staticmethod
    def _commit(view: Overlay, txid: str, writes: Mapping[Key, Value]) -> Answer:
        known = view.get("transactions", txid)
        if known is None:
            return Answer(Status.UNKNOWN_TX, {}, f"transaction {txid} is not prepared here")
        view.write(_stored(writes) + _release(txid, known))
        return Answer(Status.OK, {})

    @staticmethod
    def _execute(view: Overlay, command: Command, partition: int, partitions: int) -> Executed:
        # An order's update or deletion touches the products its stored lines name.
        order = None
        if isinstance(command, c.UpdateOrder | c.DeleteOrder):
            order = view.get("orders", command.oid)
        keys = sorted(footprint(command, order))
        elsewhere = [key for key in keys if partition_of(key[1], partitions) != partition]
        if elsewhere:
            where = partition_of(elsewhere[0][1], partitions)
            return Executed(
                Status.CROSS_PARTITION, detail=f"{elsewhere[0]} is in partition {where}"
            )
        locked = next((key for key in keys if view.get("locks", lock_name(key)) is not None), None)
        if locked is not None:
            return Executed(Status.LOCKED, detail=f"held by a transaction: {locked}")
        reply, changes = settle(command, {key: view.get(*key) for key in keys})
        view.write(_stored(changes))
        return Executed(Status.OK, reply, tuple(changes))

    @staticmethod
    def _abort(view: Overlay, txid: str) -> Answer:
        known = view.get("transactions", txid)
        if known is None:
            return Answer(Status.UNKNOWN_TX, {})
        view.write(_release(txid, known))
        return Answer(Status.OK, {})

    @staticmethod
    def _decide(
        view: Overlay,
        txid: str,
        commit: bool,
        writes: Mapping[int, Mapping[Key, Value]],
        partition: int | None,
    ) -> Decision:
        """Record the decision for `txid`, unless one is recorded: then return that one.

        Either way, if `txid` is prepared in this partition, carry the decision out here
        (`partition`; None: an old journal's Decide, which only recorded).
        """
        document = view.get("decisions", txid)
        if document is None:
            document = _document(commit, writes)
            view.write([Put("decisions", txid, document)])
        decision = _decision(document)
        if partition is not None:
            # As this partition's Commit would (nothing when the txid is not prepared
            # here); an abort keeps no writes, so it only releases the locks.
            Participant._commit(view, txid, decision.writes.get(partition, {}))
        return decision

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


def _release(txid: str, known: Mapping[str, Any]) -> list[Write]:
    locks: list[Write] = [Delete("locks", lock_name(tuple(key))) for key in known["keys"]]
    return [*locks, Delete("transactions", txid)]


def _stored(writes: Mapping[Key, Value]) -> list[Write]:
    return [
        Delete(*key) if value is None else Put(key[0], key[1], value)
        for key, value in writes.items()
    ]


def _document(commit: bool, writes: Mapping[int, Mapping[Key, Value]]) -> dict[str, Any]:
    """A decision as stored: an abort keeps no writes."""
    changes = writes if commit else {}
    return {
        "commit": commit,
        "writes": {
            str(part): [[key[0], key[1], value] for key, value in part_writes.items()]
            for part, part_writes in changes.items()
        },
    }


def _decision(document: Mapping[str, Any]) -> Decision:
    writes = {
        int(part): {(table, key): value for table, key, value in changes}
        for part, changes in document["writes"].items()
    }
    return Decision(bool(document["commit"]), writes)
