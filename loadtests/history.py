"""Operation histories: what every load-test call asked, when, and what came back.

An `Operation` is one RPC as a client saw it. `invoke` and `complete` are raw
`time.monotonic()` floats taken just before the call and just after its reply (never
rounded: Locust rounds to whole milliseconds, the checkers need better). Under an
open-loop load (`--user-rate`) `intended` is when the schedule meant the call to be
sent: a call sent late, behind a slow one, waited from then (`latency_s`). On Linux
that clock is shared by every process of a machine, so the histories written by
several Locust worker processes may simply be concatenated.

`args`, per RPC (data fields hold the request's JSON parsed, or the raw string when
it did not parse):

    CreateClient, UpdateClient       {"CID": str, "data": {...}}
    CreateProduct, UpdateProduct     {"PID": str, "data": {...}}
    CreateOrder, UpdateOrder         {"OID": str, "CID": str, "data": {...} or [...]}
    Delete*, Retrieve*               {"ID": str}

`outcome` and `result`:

    writes  {"error": int, "description": str,     the Reply, and the value of its
             "outcome": str or None}               `testbed-outcome` trailer (None
                                                   without one); see `outcome_of`
    reads   {"found": bool, "data": JSON or None}  data parsed from the reply; for
                                                   RetrieveClientOrders a list of orders
    "ok"       it took effect: trailer "done", or a read that returned
    "fail"     it changed nothing: trailer "refused" (4xx) or "none" (a 503 that
               committed nothing), or a read that failed
    "unknown"  it may or may not have taken effect: trailer "unknown" (a 503 that
               may still commit, a 500), a timeout, a transport error

A write is classified by its trailer, SPEC.md's word for what the reply proves, never
by its description's wording. From a server that sends no trailer, by its code alone:
0 "ok", 4xx "fail", anything else (a 503 included) "unknown".

File format (`write_history` / `read_history`): gzip-compressed JSON lines in
UTF-8. The first line is the header `{"format": "testbed-history", "version": 2}`;
each further line is one operation as a JSON array in field order,
`[process, server, op, args, invoke, complete, outcome, result, intended]`, the last
null for a call without a schedule. Version 1 files (the same rows without
`intended`) read as calls without one. JSON keeps the float repr, which reads back as
the identical float.

`Replicas` is what the runner collects once the load has stopped: each server's
final digest and stock, and the digest polls that time convergence.
"""

import gzip
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from os import PathLike
from typing import Any, Final, Literal, get_args

Outcome = Literal["ok", "fail", "unknown"]
OUTCOMES: Final = frozenset(get_args(Outcome))
FORMAT: Final = {"format": "testbed-history", "version": 2}
READABLE: Final = ({"format": "testbed-history", "version": 1}, FORMAT)

# The record each RPC names, and the argument that names it.
TABLES: Final = {
    "CreateClient": ("clients", "CID"),
    "UpdateClient": ("clients", "CID"),
    "DeleteClient": ("clients", "ID"),
    "RetrieveClient": ("clients", "ID"),
    "CreateProduct": ("products", "PID"),
    "UpdateProduct": ("products", "PID"),
    "DeleteProduct": ("products", "ID"),
    "RetrieveProduct": ("products", "ID"),
    "CreateOrder": ("orders", "OID"),
    "UpdateOrder": ("orders", "OID"),
    "DeleteOrder": ("orders", "ID"),
    "RetrieveOrder": ("orders", "ID"),
    "RetrieveClientOrders": ("client_orders", "ID"),
}
READS: Final = frozenset(op for op in TABLES if op.startswith("Retrieve"))
# What each value of SPEC.md's `testbed-outcome` trailer makes of a write.
TRAILER_OUTCOMES: Final[Mapping[str, Outcome]] = {
    "done": "ok",
    "refused": "fail",
    "none": "fail",
    "unknown": "unknown",
}


@dataclass(frozen=True, slots=True)
class Operation:
    process: str  # the client (Locust user) that made the call
    server: str  # the address or name it was sent to
    op: str  # the RPC name: "CreateClient", ..., "RetrieveClientOrders"
    args: dict[str, Any]
    invoke: float  # time.monotonic() before the call
    complete: float  # time.monotonic() after the reply or the error
    outcome: Outcome
    result: dict[str, Any]
    intended: float | None = None  # time.monotonic() the open-loop schedule set; None: none

    @property
    def latency_s(self) -> float:
        """Seconds from when the call was due (its schedule's time, else its invoke) to
        its reply: under an open loop the wait behind a slow call counts too."""
        return self.complete - (self.invoke if self.intended is None else self.intended)

    @property
    def table(self) -> str | None:
        """One of "clients", "products", "orders", "client_orders"; None for another RPC."""
        entry = TABLES.get(self.op)
        return None if entry is None else entry[0]

    @property
    def key(self) -> str | None:
        """The ID of the record this call names (a CID for RetrieveClientOrders)."""
        entry = TABLES.get(self.op)
        value = None if entry is None else self.args.get(entry[1])
        return value if isinstance(value, str) else None

    @property
    def is_read(self) -> bool:
        return self.op in READS


def business_refusal(error: object) -> bool:
    """Whether a Reply's `error` is a refusal by the rules (4xx): nothing changed, and
    the service worked as specified."""
    return isinstance(error, int) and 400 <= error < 500


def outcome_of(error: int, trailer: str | None = None) -> Outcome:
    """Classify a write's Reply by its `testbed-outcome` trailer, else by its code."""
    if trailer is not None and trailer in TRAILER_OUTCOMES:
        return TRAILER_OUTCOMES[trailer]
    if error == 0:
        return "ok"
    # Without the trailer a 503 may be of either kind, and a 500 is a bug that may
    # have struck after the change was made.
    return "fail" if business_refusal(error) else "unknown"


class Recorder:
    """Collects operations from many threads or greenlets; writes them once, at the end.

    Recording is an append under a lock, cheap enough for the load's hot path.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._operations: list[Operation] = []

    def record(self, operation: Operation) -> None:
        with self._lock:
            self._operations.append(operation)

    def operations(self) -> list[Operation]:
        with self._lock:
            return list(self._operations)

    def __len__(self) -> int:
        return len(self._operations)

    def write(self, path: str | PathLike[str]) -> None:
        write_history(path, self.operations())


def write_history(path: str | PathLike[str], operations: Iterable[Operation]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as file:
        file.write(json.dumps(FORMAT) + "\n")
        for o in operations:
            row = [o.process, o.server, o.op, o.args, o.invoke, o.complete, o.outcome, o.result]
            row.append(o.intended)
            file.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


class HistoryError(ValueError):
    """A history file that this module did not write, or that was cut short."""


def read_history(path: str | PathLike[str]) -> list[Operation]:
    with gzip.open(path, "rt", encoding="utf-8") as file:
        header = file.readline()
        if not header or json.loads(header) not in READABLE:
            raise HistoryError(f"{path} is not a history file: its header is {header[:80]!r}")
        return [_operation(line, number, path) for number, line in enumerate(file, start=2)]


def _operation(line: str, number: int, path: object) -> Operation:
    try:
        fields = json.loads(line)
        process, server, op, args, invoke, complete, outcome, result, *rest = fields
        (intended,) = rest or [None]  # version 1: no schedule
    except ValueError as error:
        raise HistoryError(f"{path} line {number} is not an operation: {error}") from None
    if outcome not in OUTCOMES:
        raise HistoryError(f"{path} line {number} has the outcome {outcome!r}")
    due = None if intended is None else float(intended)
    return Operation(
        process, server, op, args, float(invoke), float(complete), outcome, result, due
    )


@dataclass(frozen=True, slots=True)
class ReplicaState:
    """One replica's state once the load stopped: its digest and its stock per product.

    `group` is its replica group: digests are only compared within a group.
    """

    digest: str
    stock: Mapping[str, int]
    group: str = "replicas"


@dataclass(frozen=True, slots=True)
class DigestSample:
    """One poll of every server's digest, at a time.monotonic() reading."""

    time: float
    digests: Mapping[str, str]  # server -> digest, for the servers that answered


@dataclass(frozen=True, slots=True)
class Replicas:
    """What the runner collects after the load: final states, and the polls before them.

    `samples` are polls taken after `load_stopped`, oldest first, until every digest
    agreed or the settle timeout passed; `servers` is the snapshot taken after them.
    """

    servers: Mapping[str, ReplicaState]
    samples: tuple[DigestSample, ...] = ()
    load_stopped: float | None = None
