"""The state split into partitions, with the rules still in one place (`decide`).

In the course's Part 2 layout the records live in P partitions (SPEC.md: an ID of
ASCII digits belongs to `int(ID) % P`, any other to the first 8 bytes of its SHA-256,
big-endian, mod P). What the single `State` derives from all orders becomes records
of their own, kept with the client or product they are about, so that "a client with
orders cannot be deleted" holds when the order lives in another partition:

    ("clients", CID)        the client            ("client_orders", CID)  its OIDs, oldest first
    ("products", PID)       the product           ("product_refs", PID)   order lines naming it
    ("orders", OID)         the order             ("units_held", PID)     units those lines hold

Every record, index records included, lives in the partition of its own ID. A
command is decided by the one state machine over a *view*: a `State` holding just
the records the command may read or change (`footprint`), read from their
partitions. `writes` turns the effects `decide` returned into the new value of each
record they change, which each partition then stores for its own keys. Executing
commands this way gives the same replies and the same records as executing them on
one `State` (tests/domain/test_partitions.py checks it on random histories), so the
strategies differ only in how the view is read and the writes applied atomically
(`settle` is the decision and its writes together).

An UpdateOrder or DeleteOrder touches the products of the order's current lines,
which only the order tells: its footprint is known once the order has been read
(`footprint(command, order)`).
"""

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

from core.domain import commands as c
from core.domain.effects import Effect
from core.domain.machine import decide
from core.domain.outcome import Reply
from core.domain.state import Record, State

RecordTable = Literal[
    "clients", "products", "orders", "client_orders", "product_refs", "units_held"
]
Key = tuple[RecordTable, str]  # (table, ID): the partition is the ID's
Value = Any  # a record (JSON object), a list of OIDs, or a count; None: absent
INDEXES: Final = ("client_orders", "product_refs", "units_held")


def partition_of(identifier: str, partitions: int) -> int:
    """The partition of an ID (SPEC.md, "The seed's replication layouts")."""
    if identifier.isascii() and identifier.isdigit():
        return int(identifier) % partitions
    digest = hashlib.sha256(identifier.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % partitions


def needs_order(command: c.Command) -> bool:
    """Whether the footprint depends on the order's current lines (read it first)."""
    return isinstance(command, c.UpdateOrder | c.DeleteOrder)


def footprint(command: c.Command, order: Record | None = None) -> frozenset[Key]:
    """Every record `command` may read or change; for `needs_order` commands, pass the
    order as stored (None when it does not exist)."""
    if isinstance(command, c.CreateClient | c.UpdateClient):
        return frozenset({("clients", command.cid)})
    if isinstance(command, c.DeleteClient):
        return frozenset({("clients", command.cid), ("client_orders", command.cid)})
    if isinstance(command, c.CreateProduct | c.UpdateProduct):
        return frozenset({("products", command.pid), ("units_held", command.pid)})
    if isinstance(command, c.DeleteProduct):
        return frozenset({("products", command.pid), ("product_refs", command.pid)})
    if isinstance(command, c.CreateOrder):
        keys: set[Key] = {
            ("orders", command.oid),
            ("clients", command.cid),
            ("client_orders", command.cid),
        }
        return frozenset(keys | _product_keys(pid for pid, _ in command.items))
    keys = {("orders", command.oid)}
    if order is not None:
        keys.add(("client_orders", order["CID"]))
        listed = [pid for pid, _ in command.items] if isinstance(command, c.UpdateOrder) else []
        keys |= _product_keys([*listed, *(line["PID"] for line in order["products"])])
    return frozenset(keys)


def _product_keys(pids: Iterable[str]) -> set[Key]:
    return {(table, pid) for pid in pids for table in ("products", "product_refs", "units_held")}


def view(records: Mapping[Key, Value]) -> State:
    """A `State` that holds these records (None: absent) and their index records."""
    state = State()
    for (table, key), value in records.items():
        if value is None:
            continue
        if table == "client_orders":
            state.client_orders[key] = dict.fromkeys(value)
        elif table in ("clients", "products", "orders", "product_refs", "units_held"):
            getattr(state, table)[key] = value
    return state


def value_of(state: State, key: Key) -> Value:
    """The value `key` has in `state`, as a partition stores it (None: absent)."""
    table, identifier = key
    if table == "client_orders":
        owned = state.client_orders.get(identifier)
        return list(owned) if owned else None
    found: Value = getattr(state, table).get(identifier)
    if table in ("product_refs", "units_held") and found == 0:
        return None  # a count of 0 is no record
    return found


def writes(records: Mapping[Key, Value], effects: Iterable[Effect]) -> dict[Key, Value]:
    """The new value of every record the effects change (None: delete it).

    `records` is the view the effects were decided on: the command's whole footprint.
    """
    state = view(records)
    applied = list(effects)
    touched = {(effect.table, effect.key) for effect in applied}
    missing = touched - records.keys()
    if missing:
        raise ValueError(f"effects change records outside the footprint: {sorted(missing)}")
    state.apply(applied)
    changed = {key: value_of(state, key) for key in records}
    return {key: value for key, value in changed.items() if value != records[key]}


def settle(command: c.Command, records: Mapping[Key, Value]) -> tuple[Reply, dict[Key, Value]]:
    """Decide `command` on the view of `records` (its whole footprint): the reply, and
    the new value of every record it changes (none when it is refused)."""
    outcome = decide(command, view(records))
    return outcome.reply, writes(records, outcome.effects) if outcome.reply.ok else {}


def by_partition(changes: Mapping[Key, Value], partitions: int) -> dict[int, dict[Key, Value]]:
    """`changes` split by the partition that stores each key."""
    split: dict[int, dict[Key, Value]] = {}
    for key, value in changes.items():
        split.setdefault(partition_of(key[1], partitions), {})[key] = value
    return split
