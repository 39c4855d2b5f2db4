"""The domain state machine: every business rule of SPEC.md, pure and deterministic.

`decide` reads a state and a command and returns the reply and the effects to apply;
it changes nothing. `execute` is decide-then-apply, what a single replica does.
`query` answers reads. No I/O, no clock, no randomness: replicas fed the same
commands in the same order end in the same state.
"""

from functools import singledispatch
from typing import Any

from core.domain import commands as c
from core.domain.effects import Effect
from core.domain.errors import Code
from core.domain.numbers import MAX_COUNT
from core.domain.orders import change_lines, lines_of, remove, stock_of, view
from core.domain.outcome import OK, Outcome, refuse
from core.domain.state import Record, State


def execute(command: c.Command, state: State) -> Outcome:
    outcome = decide(command, state)
    state.apply(outcome.effects)
    return outcome


@singledispatch
def decide(command: c.Command, state: State) -> Outcome:
    raise TypeError(f"not a command: {command!r}")


@decide.register
def _(command: c.CreateClient, state: State) -> Outcome:
    if command.cid in state.clients:
        return refuse(Code.CONFLICT, f"client {command.cid!r} already exists; update it instead")
    return Outcome(OK, (Effect("clients", "ADD", command.cid, command.data),))


@decide.register
def _(command: c.UpdateClient, state: State) -> Outcome:
    if command.cid not in state.clients:
        return refuse(Code.NOT_FOUND, f"client {command.cid!r} does not exist; create it first")
    return Outcome(OK, (Effect("clients", "UPDATE", command.cid, command.data),))


@decide.register
def _(command: c.DeleteClient, state: State) -> Outcome:
    if command.cid not in state.clients:
        return refuse(Code.NOT_FOUND, f"client {command.cid!r} does not exist")
    if owned := state.client_orders.get(command.cid):
        return refuse(
            Code.CONFLICT,
            f"client {command.cid!r} has {len(owned)} order(s); delete them before the client",
        )
    return Outcome(OK, (Effect("clients", "DELETE", command.cid, {}),))


@decide.register
def _(command: c.CreateProduct, state: State) -> Outcome:
    if command.pid in state.products:
        return refuse(Code.CONFLICT, f"product {command.pid!r} already exists; update it instead")
    if refusal := _past_bound(command.pid, command.data, state):
        return refusal
    return Outcome(OK, (Effect("products", "ADD", command.pid, command.data),))


@decide.register
def _(command: c.UpdateProduct, state: State) -> Outcome:
    if command.pid not in state.products:
        return refuse(Code.NOT_FOUND, f"product {command.pid!r} does not exist; create it first")
    if refusal := _past_bound(command.pid, command.data, state):
        return refusal
    return Outcome(OK, (Effect("products", "UPDATE", command.pid, command.data),))


def _past_bound(pid: str, data: Record, state: State) -> Outcome | None:
    """Stock plus the units orders hold stays <= 2^63-1, so no DeleteOrder overflows.

    On a fresh product the held units are 0 unless replicas diverged (an order kept a
    deleted product's line): then the bound still holds.
    """
    held = state.units_held.get(pid, 0)
    if stock_of(data) + held <= MAX_COUNT:
        return None
    return refuse(
        Code.CONFLICT,
        f"product {pid!r} cannot have a quantity of {stock_of(data)}: with the {held} units "
        f"held in orders it would pass {MAX_COUNT} (2^63-1); at most {MAX_COUNT - held} is allowed",
    )


@decide.register
def _(command: c.DeleteProduct, state: State) -> Outcome:
    if command.pid not in state.products:
        return refuse(Code.NOT_FOUND, f"product {command.pid!r} does not exist")
    if state.product_refs.get(command.pid):
        return refuse(
            Code.CONFLICT,
            f"product {command.pid!r} appears in orders, which keep its price history; "
            "it can be updated but not deleted",
        )
    return Outcome(OK, (Effect("products", "DELETE", command.pid, {}),))


@decide.register
def _(command: c.CreateOrder, state: State) -> Outcome:
    if command.cid not in state.clients:
        return refuse(Code.NOT_FOUND, f"client {command.cid!r} does not exist; create it first")
    if command.oid in state.orders:
        return refuse(Code.CONFLICT, f"order {command.oid!r} already exists; choose another OID")
    return change_lines(state, command.oid, command.cid, {}, command.items)


@decide.register
def _(command: c.UpdateOrder, state: State) -> Outcome:
    order = state.orders.get(command.oid)
    if order is None:
        return refuse(Code.NOT_FOUND, f"order {command.oid!r} does not exist")
    if order["CID"] != command.cid:
        return refuse(
            Code.FORBIDDEN, f"order {command.oid!r} belongs to another client, not {command.cid!r}"
        )
    return change_lines(state, command.oid, command.cid, lines_of(order), command.items)


@decide.register
def _(command: c.DeleteOrder, state: State) -> Outcome:
    order = state.orders.get(command.oid)
    if order is None:
        return refuse(Code.NOT_FOUND, f"order {command.oid!r} does not exist")
    return remove(state, command.oid, order)


@singledispatch
def query(q: c.Query, state: State) -> Any:
    """Answer a read: a record (None when missing), or a client's orders oldest first."""
    raise TypeError(f"not a query: {q!r}")


@query.register
def _(q: c.GetClient, state: State) -> Any:
    return state.clients.get(q.cid)


@query.register
def _(q: c.GetProduct, state: State) -> Any:
    return state.products.get(q.pid)


@query.register
def _(q: c.GetOrder, state: State) -> Any:
    order = state.orders.get(q.oid)
    return None if order is None else view(q.oid, order)


@query.register
def _(q: c.GetClientOrders, state: State) -> Any:
    return [view(oid, state.orders[oid]) for oid in state.client_orders.get(q.cid, {})]
