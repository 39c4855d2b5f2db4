"""Properties of the state machine over random command sequences (hypothesis).

Every sequence starts from a shop where all clients and products exist, so orders
succeed often enough to matter; the commands then mix all nine types over a small
ID space, with quantities that often exceed the stock.
"""

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain import Code, Command, Effect, State, decide, digest, execute
from core.domain import parsing as p
from tests.domain.support import assert_sentence

CIDS = ("c1", "c2")
PIDS = ("p1", "p2", "p3")
OIDS = ("o1", "o2", "o3")
FORMS = ("int", "str")  # the JSON types a stock may be sent in

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cids = st.sampled_from(CIDS)
pids = st.sampled_from(PIDS)
oids = st.sampled_from(OIDS)
stocks = st.integers(0, 12)
# Mostly small, sometimes past any stock: "not enough stock" must happen too.
quantities = st.one_of(st.integers(1, 3), st.integers(0, 3), st.integers(0, 20))


def as_sent(number: int, form: str) -> object:
    return {"int": number, "str": str(number)}[form]


@st.composite
def order_texts(draw: st.DrawFn) -> str:
    """Order data in either wire form, possibly naming a PID twice."""
    lines = draw(st.lists(st.tuples(pids, quantities), max_size=3))
    forms = st.sampled_from(["int", "str"])
    if draw(st.booleans()):
        course = [{"PID": pid, "quantity": as_sent(q, draw(forms))} for pid, q in lines]
        return json.dumps({"products": course})
    return json.dumps([{"id": pid, "quantity": as_sent(q, draw(forms))} for pid, q in lines])


@st.composite
def product_texts(draw: st.DrawFn) -> str:
    price = draw(st.sampled_from([0, 1, 2.5, "2.50", "0.10", "3"]))
    quantity = as_sent(draw(stocks), draw(st.sampled_from(FORMS)))
    name = draw(st.sampled_from(["caneta", "lapis"]))
    return json.dumps({"name": name, "price": price, "quantity": quantity})


client_texts = st.sampled_from(['{"name": "Ana"}', '{"name": "Paulo", "age": 30}'])

create_client = st.builds(p.create_client, cids, client_texts)
update_client = st.builds(p.update_client, cids, client_texts)
delete_client = st.builds(p.delete_client, cids)
create_product = st.builds(p.create_product, pids, product_texts())
update_product = st.builds(p.update_product, pids, product_texts())
delete_product = st.builds(p.delete_product, pids)
create_order = st.builds(p.create_order, oids, cids, order_texts())
update_order = st.builds(p.update_order, oids, cids, order_texts())
delete_order = st.builds(p.delete_order, oids)


def mix(weights: dict[st.SearchStrategy[Command], int]) -> st.SearchStrategy[list[Command]]:
    """Command lists where each kind of command is drawn in proportion to its weight."""
    kinds = [kind for kind, weight in weights.items() for _ in range(weight)]
    return st.lists(st.sampled_from(kinds).flatmap(lambda kind: kind), min_size=10, max_size=40)


# Orders get most draws; deletes of clients and products few (they empty the shop early).
ORDER_HEAVY: dict[st.SearchStrategy[Command], int] = {
    create_order: 5,
    update_order: 5,
    delete_order: 2,
    create_client: 1,
    update_client: 1,
    delete_client: 1,
}
any_commands = mix({**ORDER_HEAVY, create_product: 1, update_product: 1, delete_product: 1})
no_product_commands = mix(ORDER_HEAVY)


Shop = tuple[list[Command], dict[str, int]]  # the commands that open it, initial stocks


@st.composite
def shops(draw: st.DrawFn) -> Shop:
    """Every client and product created, with random stocks in random JSON types."""
    opening: list[Command] = [p.create_client(cid, '{"name": "Ana"}') for cid in CIDS]
    initial: dict[str, int] = {}
    for pid in PIDS:
        initial[pid] = draw(stocks)
        quantity = as_sent(initial[pid], draw(st.sampled_from(FORMS)))
        data = json.dumps({"name": pid, "price": "1.5", "quantity": quantity})
        opening.append(p.create_product(pid, data))
    return opening, initial


def open_shop(shop: Shop) -> State:
    state = State()
    for command in shop[0]:
        assert execute(command, state).reply.ok
    return state


def count(value: object) -> int:
    """A stored stock as a number, whatever JSON type it was sent in."""
    assert isinstance(value, int | str) and not isinstance(value, bool), value
    return int(value)


def held(state: State, pid: str) -> int:
    return sum(
        line["quantity"]
        for order in state.orders.values()
        for line in order["products"]
        if line["PID"] == pid
    )


def indexes(state: State) -> tuple[dict[str, list[str]], dict[str, int], dict[str, int]]:
    """The derived indexes, each client's orders as an ordered list."""
    owned = {cid: list(oids) for cid, oids in state.client_orders.items()}
    return owned, state.product_refs, state.units_held


@SETTINGS
@given(shops(), any_commands)
def test_stock_is_never_negative(shop: Shop, commands: list[Command]) -> None:
    state = open_shop(shop)
    for command in commands:
        execute(command, state)
        for pid, product in state.products.items():
            assert count(product["quantity"]) >= 0, (pid, product)


@SETTINGS
@given(shops(), no_product_commands)
def test_stock_is_conserved(shop: Shop, commands: list[Command]) -> None:
    state, initial = open_shop(shop), shop[1]
    for command in commands:
        execute(command, state)
        for pid in PIDS:
            assert count(state.products[pid]["quantity"]) + held(state, pid) == initial[pid]


@SETTINGS
@given(shops(), any_commands)
def test_a_refusal_changes_nothing_and_has_no_effects(shop: Shop, commands: list[Command]) -> None:
    state = open_shop(shop)
    for command in commands:
        before = digest(state.snapshot()), indexes(state)
        outcome = execute(command, state)
        if not outcome.reply.ok:
            assert outcome.reply.code in {Code.FORBIDDEN, Code.NOT_FOUND, Code.CONFLICT}
            assert_sentence(outcome.reply.description)
            assert outcome.effects == ()
            assert (digest(state.snapshot()), indexes(state)) == before


@SETTINGS
@given(shops(), any_commands)
def test_decide_never_changes_the_state(shop: Shop, commands: list[Command]) -> None:
    state = open_shop(shop)
    for command in commands:
        before = digest(state.snapshot()), json.dumps(indexes(state))
        outcome = decide(command, state)
        assert (digest(state.snapshot()), json.dumps(indexes(state))) == before
        state.apply(outcome.effects)


@SETTINGS
@given(shops(), any_commands)
def test_replicas_fed_the_same_commands_agree(shop: Shop, commands: list[Command]) -> None:
    first, second = open_shop(shop), open_shop(shop)
    for command in commands:
        assert execute(command, first) == execute(command, second)
        assert digest(first.snapshot()) == digest(second.snapshot())
        assert indexes(first) == indexes(second)


@SETTINGS
@given(any_commands)
def test_replicas_from_empty_agree(commands: list[Command]) -> None:
    first, second = State(), State()
    for command in commands:
        execute(command, first)
        execute(command, second)
    assert digest(first.snapshot()) == digest(second.snapshot())
    assert indexes(first) == indexes(second)


@SETTINGS
@given(shops(), any_commands)
def test_a_replica_rebuilt_from_a_snapshot_is_the_same(shop: Shop, commands: list[Command]) -> None:
    state = open_shop(shop)
    for command in commands:
        execute(command, state)
        # Through JSON, as a late joiner would receive it.
        rebuilt = State.from_snapshot(json.loads(json.dumps(state.snapshot())))
        assert digest(rebuilt.snapshot()) == digest(state.snapshot())
        assert indexes(rebuilt) == indexes(state)


@SETTINGS
@given(shops(), any_commands)
def test_effects_describe_the_change_fully(shop: Shop, commands: list[Command]) -> None:
    executed, replayed = open_shop(shop), open_shop(shop)
    for command in commands:
        outcome = execute(command, executed)
        # Through the seed's wire form, as mqtt-broadcast sends them: topic and message.
        sent = json.dumps([(effect.table, effect.message()) for effect in outcome.effects])
        received: list[tuple[Any, dict[str, Any]]] = json.loads(sent)
        replayed.apply([Effect(t, m["op"], m["key"], m["data"]) for t, m in received])
        assert digest(replayed.snapshot()) == digest(executed.snapshot())
        assert indexes(replayed) == indexes(executed)


@SETTINGS
@given(shops(), any_commands)
def test_units_held_are_the_sum_of_order_lines(shop: Shop, commands: list[Command]) -> None:
    state = open_shop(shop)
    for command in commands:
        execute(command, state)
        assert state.units_held == {pid: held(state, pid) for pid in PIDS if held(state, pid)}
