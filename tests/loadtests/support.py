"""Histories for the checkers' tests: written by hand, or recorded from the real domain."""

import json
from collections.abc import Callable
from typing import Any

from core.domain import Code, Command, InvalidInput, Query, State, digest, execute, query
from core.domain import commands as c
from core.domain import parsing as p
from loadtests.history import Operation, Outcome, Replicas, ReplicaState, outcome_of

_KEYS = {"Client": "CID", "Product": "PID", "Order": "OID"}


def call(
    op: str,
    key: str,
    start: float,
    end: float,
    data: Any = None,
    *,
    error: int = 0,
    outcome: Outcome | None = None,
    cid: str = "c1",
    process: str = "p1",
) -> Operation:
    """One operation by hand: `data` is a write's request data, or what a read returned
    (None: not found). Create and Update name `key` by CID, PID or OID (orders also
    get `cid`); Delete and Retrieve by ID."""
    if op.startswith("Retrieve"):
        args: dict[str, Any] = {"ID": key}
        result = {"found": data is not None, "data": data}
        return Operation(process, "s1", op, args, start, end, outcome or "ok", result)
    if op.startswith("Delete"):
        args = {"ID": key}
    else:
        args = {_KEYS[op.removeprefix("Create").removeprefix("Update")]: key, "data": data}
        if op.endswith("Order"):
            args["CID"] = cid
    result = {"error": error, "description": ""}
    if outcome is None:
        # A hand-made 503 is the kind that changed nothing, unless `outcome` says otherwise.
        outcome = "fail" if error == 503 else outcome_of(error)
    return Operation(process, "s1", op, args, start, end, outcome, result)


def _text(data: Any) -> str:
    return data if isinstance(data, str) else json.dumps(data)


COMMANDS: dict[str, Callable[[dict[str, Any]], Command]] = {
    "CreateClient": lambda a: p.create_client(a["CID"], _text(a["data"])),
    "UpdateClient": lambda a: p.update_client(a["CID"], _text(a["data"])),
    "DeleteClient": lambda a: p.delete_client(a["ID"]),
    "CreateProduct": lambda a: p.create_product(a["PID"], _text(a["data"])),
    "UpdateProduct": lambda a: p.update_product(a["PID"], _text(a["data"])),
    "DeleteProduct": lambda a: p.delete_product(a["ID"]),
    "CreateOrder": lambda a: p.create_order(a["OID"], a["CID"], _text(a["data"])),
    "UpdateOrder": lambda a: p.update_order(a["OID"], a["CID"], _text(a["data"])),
    "DeleteOrder": lambda a: p.delete_order(a["ID"]),
}
QUERIES: dict[str, Callable[[str], Query]] = {
    "RetrieveClient": c.GetClient,
    "RetrieveProduct": c.GetProduct,
    "RetrieveOrder": c.GetOrder,
    "RetrieveClientOrders": c.GetClientOrders,
}


class Shop:
    """The real state machine, answering requests in the history's args shape."""

    def __init__(self) -> None:
        self.state = State()

    def answer(self, op: str, args: dict[str, Any], *, apply: bool = True) -> dict[str, Any]:
        """The result of `op`; with `apply` False, a write is refused as if never sent."""
        if op in QUERIES:
            found = query(QUERIES[op](args["ID"]), self.state)
            return {"found": found is not None, "data": found}
        if not apply:
            return {"error": Code.UNAVAILABLE, "description": "timed out; outcome unknown"}
        try:
            reply = execute(COMMANDS[op](args), self.state).reply
        except InvalidInput as error:
            return {"error": Code.INVALID, "description": str(error)}
        return {"error": int(reply.code), "description": reply.description}

    def replicas(self, *servers: str) -> Replicas:
        """Every server holding exactly this shop's state."""
        stock = {pid: int(float(record["quantity"])) for pid, record in self.state.products.items()}
        final = ReplicaState(digest(self.state.snapshot()), stock)
        return Replicas({server: final for server in servers})
